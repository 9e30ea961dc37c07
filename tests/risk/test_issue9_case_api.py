"""Issue 9 through the public case API: a Patchell surgical candidate can be shown, minimally symptomatic
lesions are flagged, and the bone count is derived one way for the risk and trial engines."""

from __future__ import annotations

from typing import Any

import pytest

from apps.cases.models import Case
from apps.cases.selectors import case_facts
from apps.trials.engine.fields import Partial, get_bone_metastases_count, get_metastases_count
from tests.conftest import Personas

URL = "/api/v1/cases/"
COMPRESSION_T5_T6: dict[str, Any] = {
    "site": "thoracic_spine",
    "level_from": "T5",
    "level_to": "T6",
    "epidural_compression_grade": "3",
    "prior_radiotherapy": False,
}


def payload(board_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "board": board_id,
        "patient": {
            "mrn": "P-9001",
            "given_name": "Grace",
            "family_name": "Hopper",
            "date_of_birth": "1960-05-04",
            "sex": "female",
        },
        "question": "Decompression for T5-T6 compression?",
        "primary_histology": "breast",
        "estimated_survival_months": 12,
        "frankel_grade": "D",
        "lesions": [COMPRESSION_T5_T6],
    }
    body.update(overrides)
    return body


def create_and_assess(p: Personas, capture: Any, **overrides: Any) -> dict[str, Any]:
    client = p.client(p.coordinator)
    with capture(execute=True):
        response = client.post(URL, payload(p.board.pk, **overrides), format="json")
    assert response.status_code == 201, response.json()
    detail = client.get(f"{URL}{response.json()['id']}/").json()
    assert detail["risk"]["status"] == "current"
    return detail["risk"]["summary"]


def patchell(summary: dict[str, Any]) -> dict[str, str]:
    escc = summary["lesions"][0]["escc"]
    return {c["code"]: c["status"] for c in escc["patchell_criteria"]} | {"candidate": escc["surgical_candidate"]}


def test_a_patient_can_be_shown_as_a_surgical_candidate(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    # Given a T5-T6 grade-3 compression of a breast primary, Frankel D, 12 months' survival, no prior RT
    summary = create_and_assess(personas, django_capture_on_commit_callbacks)
    # Then every Patchell criterion is met (a contiguous T5-T6 span is one area) and surgery is proposed
    assert patchell(summary) == {
        "survival_gt_3_months": "met",
        "single_area": "met",
        "not_cauda_equina_only": "met",
        "paraplegia_lt_48h": "met",
        "no_prior_radiotherapy": "met",
        "solid_not_radiosensitive": "met",
        "candidate": "met",
    }
    assert "decompressive surgery" in summary["lesions"][0]["escc"]["recommendation"]


@pytest.mark.parametrize(
    ("overrides", "criterion", "status"),
    [
        ({"frankel_grade": "A", "complete_paraplegia_hours": 47.5}, "paraplegia_lt_48h", "met"),
        ({"frankel_grade": "A", "complete_paraplegia_hours": 48}, "paraplegia_lt_48h", "not_met"),
        ({"frankel_grade": "B"}, "paraplegia_lt_48h", "unknown"),
        ({"estimated_survival_months": 3}, "survival_gt_3_months", "not_met"),
        ({"primary_histology": "germ_cell"}, "solid_not_radiosensitive", "not_met"),
        ({"primary_histology": "myeloma"}, "solid_not_radiosensitive", "not_met"),
        (
            {
                "prior_radiotherapy": [
                    {
                        "region": "T6-T8",
                        "total_dose_gy": 30,
                        "fractions": 10,
                        "site": "thoracic_spine",
                        "level_from": "T6",
                        "level_to": "T8",
                    }
                ]
            },
            "no_prior_radiotherapy",
            "not_met",
        ),
    ],
)
def test_each_patchell_criterion_through_the_api(
    personas: Personas, django_capture_on_commit_callbacks: Any, overrides: dict[str, Any], criterion: str, status: str
) -> None:
    statuses = patchell(create_and_assess(personas, django_capture_on_commit_callbacks, **overrides))
    assert statuses[criterion] == status
    assert statuses["candidate"] == ("met" if status == "met" else status)


def test_a_minimally_symptomatic_lesion_is_flagged(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    rib = {"site": "rib", "laterality": "left", "max_diameter_mm": 30, "symptoms": "minimally_symptomatic"}
    summary = create_and_assess(personas, django_capture_on_commit_callbacks, lesions=[rib])
    high_risk = summary["lesions"][0]["high_risk_asymptomatic"]
    assert high_risk["high_risk"] is True and high_risk["symptoms"] == "minimally_symptomatic"
    assert "high_risk_asymptomatic" in [flag["code"] for flag in summary["flags"]]


def test_a_bone_count_lower_than_the_recorded_lesions_is_read_the_same_by_both_engines(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # Given 4 recorded bone lesions but bone_metastases_count 2, no visceral metastases
    ribs = [{"site": "rib", "laterality": side, "max_diameter_mm": 10} for side in ("left", "right", "left", "right")]
    summary = create_and_assess(
        personas, django_capture_on_commit_callbacks, lesions=ribs, bone_metastases_count=2, visceral_metastases_count=0
    )
    oligo = summary["oligometastatic"]
    # Then the risk engine does not believe 2: at least 4, "<= 3" not met, "1-5" unknown, no oligometastatic flag
    definitions = {d["code"]: d["status"] for d in oligo["definitions"]}
    assert definitions["seed002_le_3"] == "not_met"
    assert definitions["estro_astro_1_to_5"] == "unknown"
    assert (oligo["bone_metastases_count"], oligo["bone_metastases_at_least"]) == (None, 4)
    assert "oligometastatic" not in [flag["code"] for flag in summary["flags"]]
    # And the trial engine reads the same derivation: unknown, at least 4
    facts = case_facts(Case.objects.get())
    bone, total = get_bone_metastases_count(facts), get_metastases_count(facts)
    assert isinstance(bone, Partial) and bone.lo == 4
    assert isinstance(total, Partial) and total.lo == 4
