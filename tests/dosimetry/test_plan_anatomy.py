"""Plans with a structured target through the API (issue 9): re-irradiation by anatomy, the cord
verdict, per-target SIB prescriptions, cautions with the technique, and stale summaries after the engine
release. Figures worked by hand: EQD2 = D (d + ab) / (2 + ab)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from apps.cases.models import Case, PriorRadiotherapyCourse
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan
from apps.dosimetry.selectors import plan_entries
from apps.dosimetry.services import dose_summary_compute, plan_create
from tests.conftest import Personas, call_job_command
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]


@pytest.fixture
def case(personas: Personas) -> Case:
    return CaseFactory(board=personas.board, systemic_therapy_classes=[])


def prior(case: Case, **fields: Any) -> PriorRadiotherapyCourse:
    base: dict[str, Any] = {"total_dose_gy": 30, "fractions": 10, "date": date(2026, 3, 1)}
    return PriorRadiotherapyCourse.objects.create(case=case, **{**base, **fields})


def post_plan(personas: Personas, case: Case, capture: CaptureCallbacks, body: dict[str, Any]) -> Any:
    client = personas.client(personas.radonc)
    with capture(execute=True):
        response = client.post(f"/api/v1/cases/{case.pk}/radiotherapy-plans/", body, format="json")
    return response


def summary_of(personas: Personas, plan_id: int) -> dict[str, Any]:
    detail = personas.client(personas.surgeon).get(f"/api/v1/radiotherapy-plans/{plan_id}/")
    assert detail.status_code == 200, detail.content
    data: dict[str, Any] = detail.json()
    assert data["status"] == "current"
    summary: dict[str, Any] = data["summary"]
    return summary


SBRT_T8: dict[str, Any] = {
    "name": "T8 SBRT",
    "levels": [{"fractions": 2, "total_dose_gy": 24}],
    "technique": "sbrt",
    "region": "T8",
    "site": "thoracic_spine",
    "level_from": "T8",
    "planned_date": "2026-11-23",
    "oar_metrics": {"spinal_cord": {"Dmax": 14.0}},
}


def test_a_prior_t7_t9_course_reaches_a_t8_sbrt_plan_and_the_cord_verdict_is_sahgal(
    personas: Personas, case: Case, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given the case: 30 Gy/10 to "T7-T9", now recorded with its levels
    prior(case, region="T7-T9", site="thoracic_spine", level_from="T7", level_to="T9")
    response = post_plan(personas, case, django_capture_on_commit_callbacks, SBRT_T8)
    assert response.status_code == 201, response.content
    assert (response.json()["site"], response.json()["level_from"]) == ("thoracic_spine", "T8")
    summary = summary_of(personas, response.json()["plan_id"])
    # then the course is listed as overlapping
    (listed,) = summary["prior_courses"]
    assert (listed["label"], listed["overlap"], listed["counted"]) == ("T7-T9", "overlaps", True)
    # and the cumulative cord EQD2 appears: 37.5 + 14/2 (14 * 9 / 4 = 31.5) = 69.0
    (cord,) = summary["reirradiation"]
    assert cord["cumulative_eqd2_gy"] == 69.0
    # and the cord verdict is Sahgal 2012 (31.5 > 25 Gy, 45.65 % share), failing, with no first-course pass
    # beside it: the 2-fraction 17 Gy limit (14 Gy passes) is context only
    assert summary["spinal_cord_check"]["rule"] == "sahgal_2012_reirradiation"
    assert summary["spinal_cord_check"]["status"] == "fail"
    assert all(check["organ"] != "spinal_cord" for check in summary["constraint_checks"])
    assert [(c["constraint_code"], c["status"]) for c in summary["context_checks"]] == [("sbrt_spinal_cord_pmax_2fx", "pass")]
    checks = {c["code"]: c["status"] for c in summary["spinal_cord_reirradiation"]["checks"]}
    assert checks["sbrt_course_eqd2_le_25"] == "fail"


def test_the_other_femur_is_not_a_reirradiation(
    personas: Personas, case: Case, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    prior(case, region="left femur", site="femur", laterality="left", total_dose_gy=8, fractions=1)
    body = {"levels": [{"fractions": 5, "total_dose_gy": 20}], "region": "right femur", "site": "femur", "laterality": "right"}
    response = post_plan(personas, case, django_capture_on_commit_callbacks, body)
    assert response.status_code == 201, response.content
    summary = summary_of(personas, response.json()["plan_id"])
    assert [c["overlap"] for c in summary["prior_courses"]] == ["separate"]
    assert summary["reirradiation"] == []


def test_a_course_without_structured_target_is_listed_as_overlap_unknown(
    personas: Personas, case: Case, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    prior(case, region="thoracic spine, 2024")
    response = post_plan(personas, case, django_capture_on_commit_callbacks, SBRT_T8)
    summary = summary_of(personas, response.json()["plan_id"])
    (listed,) = summary["prior_courses"]
    assert (listed["overlap"], listed["counted"]) == ("unknown", True)
    assert "site" in listed["needs"][0]
    assert summary["reirradiation"][0]["cumulative_eqd2_gy"] == 69.0  # counted as a worst case


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"site": "femur", "level_from": "T8"}, "level_from"),
        ({"site": "thoracic_spine", "level_from": "T8", "laterality": "left"}, "laterality"),
        ({"site": "femur", "laterality": "midline"}, "laterality"),
        ({"site": "liver"}, "site"),
        ({"site": "thoracic_spine", "level_from": "T9", "level_to": "T7"}, "level_to"),
        ({"site": "lumbar_spine", "level_from": "T4"}, "level_from"),
        ({"level_from": "T8"}, "level_from"),
        ({"regimen_code": "sib_30_40gy_10fx", "level_targets": ["PTV30"]}, "level_targets"),
    ],
)
def test_an_incoherent_target_is_a_field_level_400(personas: Personas, case: Case, fields: dict[str, Any], field: str) -> None:
    body = {"levels": [{"fractions": 5, "total_dose_gy": 20}], **fields}
    if "regimen_code" in fields:
        del body["levels"]
    response = personas.client(personas.radonc).post(f"/api/v1/cases/{case.pk}/radiotherapy-plans/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not RadiotherapyPlan.objects.exists()


def test_sib_ptvs_are_checked_against_their_own_level(
    personas: Personas, case: Case, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given seed 002's 30/40 Gy SIB with each level's PTV named, and their D98 / D2
    body = {
        "regimen_code": "sib_30_40gy_10fx",
        "technique": "imrt",
        "level_targets": ["PTV_elective", "PTV_boost"],
        "oar_metrics": {
            "PTV_elective": {"D98%": 28.5, "D2%": 30.3},  # 95 %, 101 % of 30 Gy: pass / pass (beyond the 5 % near band)
            "PTV_boost": {"D98%": 35.0, "D2%": 43.2},  # 87.5 %, 108 % of 40 Gy: fail / fail
        },
    }
    response = post_plan(personas, case, django_capture_on_commit_callbacks, body)
    assert response.status_code == 201, response.content
    summary = summary_of(personas, response.json()["plan_id"])
    ptv = {
        (c["structure"], c["metric"]): (c["status"], c["prescription_gy"])
        for c in summary["constraint_checks"]
        if c["organ"] == "ptv"
    }
    assert ptv[("PTV_elective", "D98%")] == ("pass", 30.0)
    assert ptv[("PTV_elective", "D2%")] == ("pass", 30.0)
    assert ptv[("PTV_boost", "D98%")] == ("fail", 40.0)
    assert ptv[("PTV_boost", "D2%")] == ("fail", 40.0)
    assert {p["structure"]: p["total_dose_gy"] for p in summary["prescriptions"]} == {"PTV_elective": 30.0, "PTV_boost": 40.0}


def test_custom_sib_levels_name_their_target(
    personas: Personas, case: Case, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    body = {
        "levels": [
            {"fractions": 10, "total_dose_gy": 40, "label": "PTV boost", "target": "PTV_boost"},
            {"fractions": 10, "total_dose_gy": 30, "label": "PTV elective", "target": "PTV_elective"},
        ],
        "oar_metrics": {"PTV_boost": {"D98%": 38.0}, "PTV_elective": {"D98%": 26.0}},
    }
    response = post_plan(personas, case, django_capture_on_commit_callbacks, body)
    summary = summary_of(personas, response.json()["plan_id"])
    statuses = {c["structure"]: c["status"] for c in summary["constraint_checks"] if c["metric"] == "D98%"}
    assert statuses == {"PTV_boost": "pass", "PTV_elective": "fail"}  # 95 % of 40; 86.7 % of 30
    assert {p["structure"]: p["total_dose_gy"] for p in summary["prescriptions"]} == {"PTV_boost": 40.0, "PTV_elective": 30.0}


def test_tdm1_with_radiosurgery_is_a_caution_on_the_dose_summary(
    personas: Personas, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    case = CaseFactory(board=personas.board, on_systemic_therapy=True, systemic_therapy_classes=["tdm1"])
    sbrt = post_plan(personas, case, django_capture_on_commit_callbacks, {**SBRT_T8, "oar_metrics": {}})
    cautions = summary_of(personas, sbrt.json()["plan_id"])["cautions"]
    assert cautions["category"] == "caution"
    assert [c["code"] for c in cautions["cautions"]] == ["tdm1_radiosurgery"]
    assert "004_87b49d5180a7d9e0.txt" in cautions["cautions"][0]["source"]
    conventional = post_plan(
        personas,
        case,
        django_capture_on_commit_callbacks,
        {"levels": [{"fractions": 10, "total_dose_gy": 30}], "technique": "conventional"},
    )
    assert summary_of(personas, conventional.json()["plan_id"])["cautions"]["category"] == "info"


def test_stored_summaries_of_the_previous_engine_read_stale_and_the_command_brings_them_current(
    personas: Personas, case: Case
) -> None:
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    row = dose_summary_compute(plan_id=plan.pk)
    # a row as the previous engine stored it (its own version in the digest, too)
    DoseSummary.objects.filter(pk=row.pk).update(engine_version="dose-2026.11.2", inputs_digest="0" * 64)
    assert [entry["status"] for entry in plan_entries(case)] == ["stale"]
    call_job_command("recompute_dose_summaries", verbosity=0)
    (entry,) = plan_entries(case)
    assert entry["status"] == "current"
    assert entry["summary"]["cautions"] is not None
