"""The matcher: trial-level results, their dictionaries, versions and reuse of compiled trials."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from apps.cases.facts import CaseFacts, LesionFacts
from apps.trials.engine import (
    ENGINE_VERSION,
    TRIAL_STATUSES,
    CriterionKind,
    CriterionResult,
    Eligibility,
    Result,
    TrialMatch,
    compile_trial,
    is_recruiting,
    match_trial,
    match_trials,
    recruitment_note,
    status_rank,
)


def definition(version: int = 1) -> dict[str, Any]:
    return {
        "identifier": "NCT99999999",
        "version": version,
        "short_name": "TEST",
        "title": "Test trial",
        "phase": "2",
        "status": "recruiting",
        "summary": "For tests.",
        "criteria": [
            {
                "code": "controlled_primary",
                "text": "Controlled primary tumour",
                "kind": "inclusion",
                "rule": {"field": "primary_controlled", "op": "eq", "value": True},
                "source": "seed 000; clinical-rules.md §9",
            },
            {
                "code": "metastases_1_3",
                "text": "1-3 metastases",
                "kind": "inclusion",
                "rule": {"field": "metastases_count", "op": "between", "value": [1, 3]},
                "source": "seed 000",
            },
            {
                "code": "no_femur",
                "text": "Femoral metastases excluded",
                "kind": "exclusion",
                "rule": {"no_lesion": {"field": "site", "op": "eq", "value": "femur"}},
                "source": "seed 000",
            },
        ],
    }


TRIAL = compile_trial(definition())


def test_eligible_to_dict_shape() -> None:
    # no bone metastasis, so none left undescribed for the femoral exclusion to be unknown about
    match = TRIAL.match(CaseFacts(primary_controlled=True, bone_metastases_count=0, visceral_metastases_count=2))
    assert match.eligibility is Eligibility.ELIGIBLE
    data = match.to_dict()
    assert set(data) == {
        "trial_identifier",
        "trial_version",
        "criteria_digest",
        "engine_version",
        "eligibility",
        "criteria",
        "missing_fields",
    }
    assert data["trial_identifier"] == "NCT99999999"
    assert data["trial_version"] == 1
    assert data["engine_version"] == ENGINE_VERSION
    assert data["eligibility"] == "eligible"
    assert data["missing_fields"] == []
    assert data["criteria"][1] == {
        "code": "metastases_1_3",
        "text": "1-3 metastases",
        "kind": "inclusion",
        "result": "met",
        "explanation": "2 metastases; trial allows 1-3",
        "missing": [],
        "source": "seed 000",
    }
    assert data["criteria"][2]["kind"] == "exclusion"
    assert data["criteria"][2]["explanation"] == "no recorded lesion meets: site is femur (0 recorded)"


def test_possibly_eligible_lists_what_to_ask() -> None:
    match = TRIAL.match(CaseFacts(bone_metastases_count=1))
    assert match.eligibility is Eligibility.POSSIBLY_ELIGIBLE
    # the one bone metastasis is not described: it could be femoral, so it is asked for as a lesion
    assert match.missing_fields == ("primary_controlled", "visceral_metastases_count", "lesions")
    assert [c.result for c in match.criteria] == [Result.UNKNOWN, Result.UNKNOWN, Result.UNKNOWN]
    assert match.to_dict()["criteria"][0]["missing"] == ["primary_controlled"]
    described = TRIAL.match(CaseFacts(bone_metastases_count=1, lesions=(LesionFacts(site="rib"),)))  # type: ignore[arg-type]
    assert described.missing_fields == ("primary_controlled", "visceral_metastases_count")
    assert described.criteria[2].result is Result.MET


def test_ineligible_asks_nothing_even_with_unknowns() -> None:
    match = TRIAL.match(CaseFacts(primary_controlled=False))
    assert match.eligibility is Eligibility.INELIGIBLE
    assert match.missing_fields == ()
    assert match.criteria[1].result is Result.UNKNOWN  # still reported per criterion


def test_results_are_frozen() -> None:
    match = TRIAL.match(CaseFacts())
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.eligibility = Eligibility.ELIGIBLE  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.criteria[0].result = Result.MET  # type: ignore[misc]
    assert isinstance(match, TrialMatch)
    assert isinstance(match.criteria[0], CriterionResult)
    assert match.criteria[2].kind is CriterionKind.EXCLUSION


def test_versions_and_digests_identify_what_was_evaluated() -> None:
    second = compile_trial(definition(version=2))
    assert second.version == 2
    assert second.criteria_digest == TRIAL.criteria_digest  # same criteria, new registry version
    edited = definition(version=3)
    edited["criteria"][1]["rule"]["value"] = [1, 5]
    assert compile_trial(edited).criteria_digest != TRIAL.criteria_digest
    unversioned = definition()
    del unversioned["version"]
    assert compile_trial(unversioned).version == 1


def test_match_trial_accepts_a_definition_and_match_trials_keeps_order() -> None:
    facts = CaseFacts(primary_controlled=True, bone_metastases_count=2, visceral_metastases_count=0)
    assert match_trial(definition(), facts) == TRIAL.match(facts)
    other = compile_trial(dict(definition(), identifier="NCT88888888"))
    assert [m.trial_identifier for m in match_trials([other, TRIAL], facts)] == ["NCT88888888", "NCT99999999"]


def test_repeated_matches_are_equal_and_independent() -> None:
    rib = LesionFacts(site="rib")  # type: ignore[arg-type]
    a = CaseFacts(primary_controlled=True, bone_metastases_count=1, visceral_metastases_count=0, lesions=(rib,))
    b = CaseFacts(primary_controlled=True, bone_metastases_count=9, visceral_metastases_count=0)
    first, other, again = TRIAL.match(a), TRIAL.match(b), TRIAL.match(a)
    assert first == again
    assert (first.eligibility, other.eligibility) == (Eligibility.ELIGIBLE, Eligibility.INELIGIBLE)


def test_status_rank_lists_recruiting_trials_first() -> None:
    statuses = [
        "completed",
        "withdrawn",
        "recruiting",
        "active_not_recruiting",
        "made_up",
        "not_yet_recruiting",
    ]
    assert sorted(statuses, key=status_rank) == [
        "recruiting",
        "not_yet_recruiting",
        "active_not_recruiting",
        "completed",
        "withdrawn",
        "made_up",
    ]


@pytest.mark.parametrize(
    ("status", "recruiting", "note"),
    [
        ("recruiting", True, "Recruiting."),
        ("completed", False, "Not recruiting: completed."),
        ("active_not_recruiting", False, "Not recruiting: active, no longer enrolling."),
        ("not_yet_recruiting", False, "Not recruiting yet."),
        ("enrolling_by_invitation", False, "Not recruiting openly: enrolling by invitation only."),
        ("suspended", False, "Not recruiting: suspended."),
        ("terminated", False, "Not recruiting: terminated."),
        ("withdrawn", False, "Not recruiting: withdrawn."),
        ("unknown", None, "Recruitment status unknown: confirm on the trial's registry record."),
    ],
)
def test_every_registry_status_says_whether_the_trial_recruits(status: str, recruiting: bool | None, note: str) -> None:
    assert is_recruiting(status) is recruiting
    assert recruitment_note(status) == note


def test_every_status_has_a_recruitment_note() -> None:
    assert all(recruitment_note(status) for status in TRIAL_STATUSES)
    assert {is_recruiting(status) for status in TRIAL_STATUSES} == {True, False, None}
