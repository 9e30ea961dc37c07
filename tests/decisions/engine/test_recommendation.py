"""The recommendation rules, cell by cell: every action kind, each boundary, sign-readiness, follow-up, hash."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apps.decisions.engine import recommendation as r

LESIONS = [11, 12]


def test_engine_imports_no_django() -> None:
    for path in (Path(__file__).resolve().parents[3] / "apps" / "decisions" / "engine").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.startswith(("django", "rest_framework")) for n in names), path


def test_codes_are_the_contracts() -> None:
    assert [i.value for i in r.Intent] == ["palliative", "prophylactic", "ablative", "curative"]
    assert [k.value for k in r.ActionKind] == [
        "radiotherapy",
        "surgery",
        "systemic_therapy",
        "bone_modifying_agent",
        "trial_referral",
        "imaging_or_biopsy",
        "best_supportive_care",
    ]
    assert [s.value for s in r.SurgeryProcedure] == [
        "fixation",
        "decompression_stabilisation",
        "vertebral_augmentation",
        "resection_reconstruction",
        "other",
    ]
    assert [c.value for c in r.Consensus] == ["consensus", "majority"]
    assert [s.value for s in r.DecisionStatus] == ["draft", "signed", "superseded"]
    assert [i.value for i in r.Implementation] == ["implemented", "modified", "not_implemented"]
    assert [f.value for f in r.FollowUpReason] == ["patient_wish", "death", "physician_decision", "medical_reason", "other"]


@pytest.mark.parametrize(
    "action",
    [
        {"kind": "radiotherapy", "target_lesions": [11], "regimen": "8Gy/1"},
        {"kind": "radiotherapy", "target_lesions": [11, 12], "total_dose_gy": 20, "fractions": 5, "technique": "imrt"},
        {"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 100, "fractions": 50},
        {"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 0.5, "fractions": 1},
        *({"kind": "surgery", "procedure": p.value} for p in r.SurgeryProcedure if p != r.SurgeryProcedure.OTHER),
        {"kind": "surgery", "procedure": "other", "detail": "sacroplasty"},
        {"kind": "systemic_therapy", "change": "switch to fulvestrant"},
        {"kind": "bone_modifying_agent", "agent": "denosumab 120 mg every 4 weeks"},
        {"kind": "trial_referral", "trial": "NCT03862911"},
        {"kind": "imaging_or_biopsy", "study": "MRI whole spine"},
        {"kind": "best_supportive_care"},
    ],
)
def test_well_formed_actions(action: dict) -> None:
    assert r.action_errors([action], LESIONS) == {}


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"kind": "radiotherapy", "regimen": "8Gy/1"}, "target_lesions"),
        ({"kind": "radiotherapy", "target_lesions": [], "regimen": "8Gy/1"}, "target_lesions"),
        ({"kind": "radiotherapy", "target_lesions": [99], "regimen": "8Gy/1"}, "target_lesions"),
        ({"kind": "radiotherapy", "target_lesions": [True], "regimen": "8Gy/1"}, "target_lesions"),
        ({"kind": "radiotherapy", "target_lesions": [11]}, "regimen"),
        ({"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 20}, "regimen"),
        ({"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 0, "fractions": 5}, "total_dose_gy"),
        ({"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 100.1, "fractions": 5}, "total_dose_gy"),
        ({"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 20, "fractions": 0}, "fractions"),
        ({"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 20, "fractions": 51}, "fractions"),
        ({"kind": "radiotherapy", "target_lesions": [11], "total_dose_gy": 20, "fractions": 2.5}, "fractions"),
        ({"kind": "radiotherapy", "target_lesions": [11], "regimen": "8Gy/1", "technique": "protons?"}, "technique"),
        ({"kind": "surgery"}, "procedure"),
        ({"kind": "surgery", "procedure": "amputation"}, "procedure"),
        ({"kind": "surgery", "procedure": "other"}, "detail"),
        ({"kind": "surgery", "procedure": "fixation", "target_lesions": [99]}, "target_lesions"),
        ({"kind": "systemic_therapy"}, "change"),
        ({"kind": "bone_modifying_agent", "agent": ""}, "agent"),
        ({"kind": "trial_referral", "trial": " "}, "trial"),
        ({"kind": "imaging_or_biopsy"}, "study"),
        ({"kind": "imaging_or_biopsy", "study": "x" * 2001}, "study"),
        ({"kind": "homeopathy"}, "kind"),
        ({}, "kind"),
    ],
)
def test_malformed_actions_name_the_field(action: dict, field: str) -> None:
    errors = r.action_errors([{"kind": "best_supportive_care"}, action], LESIONS)
    assert set(errors["actions"]) == {"1"}
    assert field in errors["actions"]["1"]


def test_actions_must_be_a_list() -> None:
    assert "actions" in r.action_errors({"kind": "best_supportive_care"}, LESIONS)
    assert r.action_errors(["x"], LESIONS) == {"actions": {"0": {"kind": ["each action is an object with a kind."]}}}


def test_dissent() -> None:
    members = ["medonc", "surgeon"]
    assert r.dissent_errors([{"member": "medonc", "reason": "prefers RT"}], members) == {}
    assert "member" in r.dissent_errors([{"member": "ghost", "reason": "x"}], members)["dissent"]["0"]
    assert "reason" in r.dissent_errors([{"member": "medonc"}], members)["dissent"]["0"]
    assert "dissent" in r.dissent_errors("medonc", members)


def _sign(**overrides: object) -> dict:
    values: dict = {
        "intent": "palliative",
        "actions": [{"kind": "best_supportive_care"}],
        "rationale": "Limited prognosis.",
        "consensus": "consensus",
        "dissent": [],
    }
    values.update(overrides)
    return r.signing_errors(**values)


def test_signing_readiness() -> None:
    assert _sign() == {}
    assert "intent" in _sign(intent=None)
    assert "actions" in _sign(actions=[])
    assert "rationale" in _sign(rationale="  ")
    assert "consensus" in _sign(consensus=None)
    assert "dissent" in _sign(consensus="majority")
    assert _sign(consensus="majority", dissent=[{"member": "a", "reason": "b"}]) == {}
    assert "dissent" in _sign(consensus="consensus", dissent=[{"member": "a", "reason": "b"}])


@pytest.mark.parametrize(
    ("implementation", "reason", "note", "field"),
    [
        ("implemented", None, "", None),
        ("implemented", "patient_wish", "", None),
        ("modified", "physician_decision", "", None),
        ("not_implemented", "death", "", None),
        ("not_implemented", "other", "moved abroad", None),
        ("not_implemented", None, "", "reason"),
        ("modified", "", "", "reason"),
        ("not_implemented", "other", " ", "note"),
        ("not_implemented", "forgot", "", "reason"),
        ("partly", None, "", "implementation"),
    ],
)
def test_follow_up(implementation: str, reason: str | None, note: str, field: str | None) -> None:
    errors = r.follow_up_errors(implementation=implementation, reason=reason, note=note)
    assert (field in errors) if field else errors == {}


def test_content_hash_is_canonical_and_sensitive() -> None:
    content = {"b": [1, 2], "a": "palliative"}
    assert r.content_hash(content) == r.content_hash({"a": "palliative", "b": [1, 2]})
    assert len(r.content_hash(content)) == 64
    assert r.content_hash(content) != r.content_hash({"a": "palliative", "b": [2, 1]})
