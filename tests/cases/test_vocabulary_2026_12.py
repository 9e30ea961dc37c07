"""The vocabulary added by clinical-rules.md 2026-12 (§1 laterality and symptom burden, §1b prognostic and
Patchell inputs, §7 structured prior-course targets): accepted by intake, validated field by field in the
clinic's words, and refused by the database when written around the service."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from apps.cases.models import Case, Lesion, PriorRadiotherapyCourse
from apps.cases.selectors import case_facts, case_for_engines
from apps.cases.vocabulary import FrankelGrade, Laterality, MajorOrganMetastases, PrimarySubsite, Site, SymptomBurden
from tests.cases.test_case_api import URL, create_case, new_case_payload
from tests.conftest import Personas

NEW_CASE_FIELDS: dict[str, Any] = {
    "primary_histology": "colorectal",
    "er_status": None,
    "pr_status": None,
    "her2_status": None,
    "primary_subsite": "rectum",
    "karnofsky_performance_status": 70,
    "frankel_grade": "B",
    "complete_paraplegia_hours": 36.5,
    "extraspinal_bone_metastases_count": 2,
    "vertebral_metastases_count": 1,
    "major_organ_metastases": "removable",
    "primary_diagnosis_date": "2021-06-01",
    "primary_treatment_completed_date": "2021-12-15",
}


def post(p: Personas, **overrides: Any) -> Any:
    return p.client(p.coordinator).post(URL, new_case_payload(p.board.pk, **overrides), format="json")


def test_intake_stores_and_returns_every_new_case_field(personas: Personas) -> None:
    body = create_case(personas, **NEW_CASE_FIELDS)
    for field, value in NEW_CASE_FIELDS.items():
        assert body[field] == value, field
    facts = case_facts(case_for_engines(body["id"]))
    assert facts.primary_subsite is PrimarySubsite.RECTUM
    assert facts.frankel_grade is FrankelGrade.B
    assert facts.major_organ_metastases is MajorOrganMetastases.REMOVABLE
    assert facts.karnofsky_performance_status == 70
    assert facts.complete_paraplegia_hours == 36.5
    assert facts.primary_treatment_completed_date.isoformat() == "2021-12-15"


@pytest.mark.parametrize("histology", ["endometrial", "cervical", "ovarian", "neuroendocrine", "gallbladder", "germ_cell"])
def test_new_histology_codes_are_accepted(personas: Personas, histology: str) -> None:
    body = create_case(personas, primary_histology=histology, er_status=None, pr_status=None, her2_status=None)
    assert body["primary_histology"] == histology


@pytest.mark.parametrize("kps", [10, 50, 100])
def test_karnofsky_accepts_steps_of_ten_at_both_ends(personas: Personas, kps: int) -> None:
    assert create_case(personas, karnofsky_performance_status=kps)["karnofsky_performance_status"] == kps


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"karnofsky_performance_status": 0}, "karnofsky_performance_status", "10"),
        ({"karnofsky_performance_status": 110}, "karnofsky_performance_status", "100"),
        ({"karnofsky_performance_status": 55}, "karnofsky_performance_status", "steps of 10"),
        ({"frankel_grade": "F"}, "frankel_grade", "F"),
        ({"frankel_grade": "a"}, "frankel_grade", "a"),
        ({"major_organ_metastases": "some"}, "major_organ_metastases", "some"),
        ({"primary_subsite": "rectum"}, "primary_subsite", "colorectal"),  # the payload is a breast case
        (
            {
                "primary_histology": "colorectal",
                "er_status": None,
                "pr_status": None,
                "her2_status": None,
                "primary_subsite": "osteosarcoma",
            },
            "primary_subsite",
            "sarcoma",
        ),
        ({"frankel_grade": "C", "complete_paraplegia_hours": 12}, "complete_paraplegia_hours", "Frankel A or B"),
        ({"complete_paraplegia_hours": 12}, "complete_paraplegia_hours", "not given"),
        ({"frankel_grade": "A", "complete_paraplegia_hours": -1}, "complete_paraplegia_hours", "0"),
        ({"extraspinal_bone_metastases_count": -1}, "extraspinal_bone_metastases_count", "0"),
        ({"vertebral_metastases_count": -1}, "vertebral_metastases_count", "0"),
        ({"primary_treatment_completed_date": "2099-01-01"}, "primary_treatment_completed_date", "future"),
        ({"primary_treatment_completed_date": "2021-05-31"}, "primary_treatment_completed_date", "primary diagnosis"),
        (
            {"primary_treatment_completed_date": "1950-01-01", "primary_diagnosis_date": None},
            "primary_treatment_completed_date",
            "date of birth",
        ),
    ],
)
def test_bad_case_values_are_a_400_naming_the_field_and_the_reason(
    personas: Personas, overrides: dict[str, Any], field: str, words: str
) -> None:
    response = post(personas, **overrides)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert words in " ".join(response.json()[field])
    assert not Case.objects.exists()


def test_paraplegia_hours_accepted_for_frankel_a_at_zero(personas: Personas) -> None:
    body = create_case(personas, frankel_grade="A", complete_paraplegia_hours=0)
    assert body["complete_paraplegia_hours"] == 0


# --- lesions: laterality and symptom burden ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lesion", "laterality"),
    [
        ({"site": "femur"}, "left"),
        ({"site": "rib"}, "right"),
        ({"site": "pelvis"}, "bilateral"),
        ({"site": "scapula"}, "left"),
        ({"site": "clavicle"}, "right"),
        ({"site": "thoracic_spine", "level_from": "T8"}, "midline"),
        ({"site": "sternum"}, "midline"),
        ({"site": "skull"}, "midline"),
        ({"site": "other"}, "left"),
        ({"site": "other"}, "midline"),
    ],
)
def test_laterality_that_fits_the_site_is_stored(personas: Personas, lesion: dict[str, Any], laterality: str) -> None:
    body = create_case(personas, lesions=[{**lesion, "laterality": laterality}])
    assert body["lesions"][0]["laterality"] == laterality


@pytest.mark.parametrize(
    ("lesion", "laterality"),
    [
        ({"site": "thoracic_spine", "level_from": "T8"}, "left"),
        ({"site": "sternum"}, "bilateral"),
        ({"site": "femur"}, "midline"),
        ({"site": "rib"}, "midline"),
        ({"site": "femur"}, "up"),
    ],
)
def test_laterality_that_does_not_fit_is_a_400_on_the_lesion(personas: Personas, lesion: dict[str, Any], laterality: str) -> None:
    response = post(personas, lesions=[{**lesion, "laterality": laterality}])
    assert response.status_code == 400
    assert "laterality" in response.json()["lesions"]["0"]


@pytest.mark.parametrize(
    ("given", "symptoms", "symptomatic"),
    [
        ({"symptoms": "minimally_symptomatic"}, "minimally_symptomatic", False),
        ({"symptoms": "asymptomatic"}, "asymptomatic", False),
        ({"symptoms": "symptomatic"}, "symptomatic", True),
        ({"symptomatic": True}, "symptomatic", True),
        ({"symptomatic": False}, None, False),
        ({"symptoms": "minimally_symptomatic", "symptomatic": False}, "minimally_symptomatic", False),
        ({}, None, None),
    ],
)
def test_symptom_burden_and_the_contract_bool_say_the_same_thing(
    personas: Personas, given: dict[str, Any], symptoms: str | None, symptomatic: bool | None
) -> None:
    lesion = create_case(personas, lesions=[{"site": "femur", **given}])["lesions"][0]
    assert (lesion["symptoms"], lesion["symptomatic"]) == (symptoms, symptomatic)


@pytest.mark.parametrize(
    "given",
    [
        {"symptoms": "minimally_symptomatic", "symptomatic": True},
        {"symptoms": "symptomatic", "symptomatic": False},
    ],
)
def test_contradictory_symptoms_are_a_400(personas: Personas, given: dict[str, Any]) -> None:
    response = post(personas, lesions=[{"site": "femur", **given}])
    assert response.status_code == 400
    assert "symptoms" in response.json()["lesions"]["0"]


def test_lesion_facts_carry_laterality_and_symptoms(personas: Personas) -> None:
    body = create_case(personas, lesions=[{"site": "femur", "laterality": "left", "symptoms": "minimally_symptomatic"}])
    lesion = case_facts(case_for_engines(body["id"])).lesions[0]
    assert lesion.laterality is Laterality.LEFT
    assert lesion.symptoms is SymptomBurden.MINIMALLY_SYMPTOMATIC
    assert lesion.symptomatic is False


# --- prior courses: a structured target --------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        {"site": "thoracic_spine", "level_from": "T7", "level_to": "T9", "laterality": "midline"},
        {"site": "thoracic_spine", "level_from": "T12", "level_to": "L1"},
        {"site": "femur", "laterality": "left"},
        {"site": "pelvis"},
        {},
    ],
)
def test_prior_course_structured_target_is_stored_and_read_by_the_engines(personas: Personas, target: dict[str, Any]) -> None:
    course = {"region": "label", "total_dose_gy": 30, "fractions": 10, "date": "2025-01-10", **target}
    body = create_case(personas, prior_radiotherapy=[course])
    stored = body["prior_radiotherapy"][0]
    for field in ("site", "level_from", "level_to", "laterality"):
        assert stored[field] == target.get(field), field
    facts = case_facts(case_for_engines(body["id"])).prior_courses[0]
    assert facts.site == (Site(target["site"]) if "site" in target else None)
    assert facts.level_from == target.get("level_from")
    assert facts.region == "label"


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ({"level_from": "T7"}, "level_from"),
        ({"laterality": "left"}, "laterality"),
        ({"site": "femur", "level_from": "T7"}, "level_from"),
        ({"site": "thoracic_spine", "level_from": "T9", "level_to": "T7"}, "level_to"),
        ({"site": "cervical_spine", "level_from": "L1"}, "level_from"),
        ({"site": "thoracic_spine", "level_to": "T9"}, "level_from"),
        ({"site": "thoracic_spine", "level_from": "T7", "laterality": "left"}, "laterality"),
        ({"site": "femur", "laterality": "midline"}, "laterality"),
        ({"site": "knee"}, "site"),
    ],
)
def test_incoherent_prior_course_target_is_a_400_on_that_course(personas: Personas, target: dict[str, Any], field: str) -> None:
    course = {"region": "label", "total_dose_gy": 30, "fractions": 10, **target}
    response = post(personas, prior_radiotherapy=[course])
    assert response.status_code == 400
    assert field in response.json()["prior_radiotherapy"]["0"], response.json()


# --- the database is the backstop ----------------------------------------------------------------------


def _refused(write: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_database_refuses_incoherent_rows_written_around_the_service(personas: Personas) -> None:
    body = create_case(personas, lesions=[{"site": "femur"}], prior_radiotherapy=[])
    case_q = Case.objects.filter(pk=body["id"])
    lesion_q = Lesion.objects.filter(case_id=body["id"])
    _refused(lambda: case_q.update(karnofsky_performance_status=55))
    _refused(lambda: case_q.update(frankel_grade="F"))
    _refused(lambda: case_q.update(frankel_grade="D", complete_paraplegia_hours=3))
    _refused(lambda: case_q.update(primary_subsite="rectum"))  # a breast case
    _refused(lambda: case_q.update(major_organ_metastases="some"))
    _refused(lambda: lesion_q.update(laterality="midline"))
    _refused(lambda: lesion_q.update(symptoms="minimally_symptomatic", symptomatic=True))
    _refused(lambda: lesion_q.update(symptoms="symptomatic", symptomatic=None))
    case = Case.objects.get(pk=body["id"])

    def course(**kw: Any) -> PriorRadiotherapyCourse:
        return PriorRadiotherapyCourse.objects.create(case=case, region="x", total_dose_gy=8, fractions=1, **kw)

    _refused(lambda: course(site="femur", level_from="T7"))
    _refused(lambda: course(level_from="T7"))
    _refused(lambda: course(site="thoracic_spine", level_from="T9", level_to="T7"))
    _refused(lambda: course(site="cervical_spine", level_from="L2"))
    _refused(lambda: course(site="thoracic_spine", level_from="T7", laterality="left"))
    _refused(lambda: course(site="femur", laterality="midline"))
    assert course(site="thoracic_spine", level_from="T12", level_to="L1", laterality="midline").pk
    case_q.update(frankel_grade="A", complete_paraplegia_hours=0)


def test_database_refuses_values_that_need_an_unknown_field(personas: Personas) -> None:
    """A CHECK passes when it evaluates to NULL: an unknown histology, Frankel grade or site must not let
    through a value that depends on it."""
    body = create_case(personas, lesions=[{"site": "femur"}], prior_radiotherapy=[])
    case_q = Case.objects.filter(pk=body["id"])
    case_q.update(primary_histology=None, er_status=None, pr_status=None, her2_status=None)
    _refused(lambda: case_q.update(er_status="positive"))
    _refused(lambda: case_q.update(castration_status="hormone_sensitive"))
    _refused(lambda: case_q.update(egfr_mutation="positive"))
    _refused(lambda: case_q.update(primary_subsite="colon"))
    _refused(lambda: case_q.update(complete_paraplegia_hours=5))
    case = Case.objects.get(pk=body["id"])
    _refused(lambda: PriorRadiotherapyCourse.objects.create(case=case, region="x", total_dose_gy=8, fractions=1, level_from="T7"))
    _refused(
        lambda: PriorRadiotherapyCourse.objects.create(case=case, region="x", total_dose_gy=8, fractions=1, laterality="left")
    )


def test_database_refuses_a_single_level_outside_the_site_region(personas: Personas) -> None:
    """``level_to IN (...)`` is NULL for a single-level lesion; the touch rule must still refuse L2 on C-spine."""
    body = create_case(personas, lesions=[{"site": "cervical_spine", "level_from": "C5"}], prior_radiotherapy=[])
    _refused(lambda: Lesion.objects.filter(case_id=body["id"]).update(level_from="L2"))
