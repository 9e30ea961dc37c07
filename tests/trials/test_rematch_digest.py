"""A re-match compares inputs digests, not payloads (issue 16): nothing changed means nothing evaluated."""

from __future__ import annotations

from typing import Any

import pytest

from apps.cases.models import Case
from apps.trials import services
from apps.trials.engine.matcher import CompiledTrial
from apps.trials.models import TrialMatch
from apps.trials.selectors import trial_matches_section
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the matcher's evaluations (the engine itself still runs: this only records each call)."""
    seen: list[str] = []
    original = CompiledTrial.match

    def counting(self: CompiledTrial, facts: Any) -> Any:
        seen.append(self.identifier)
        return original(self, facts)

    monkeypatch.setattr(CompiledTrial, "match", counting)
    return seen


def test_a_rematch_where_nothing_changed_evaluates_and_writes_nothing(personas: Personas, evaluations: list[str]) -> None:
    case = make_breast_case(personas)
    written = services.case_match_trials(case.pk)
    assert written == len(evaluations) == TrialMatch.objects.filter(case=case).count() > 0
    stored = dict(TrialMatch.objects.filter(case=case).values_list("trial_id", "computed_at"))
    assert all(len(d) == 64 for d in TrialMatch.objects.filter(case=case).values_list("inputs_digest", flat=True))
    evaluations.clear()

    assert services.case_match_trials(case.pk) == 0
    assert evaluations == []  # the digests matched: no criterion evaluated, no payload read back
    assert dict(TrialMatch.objects.filter(case=case).values_list("trial_id", "computed_at")) == stored


def test_a_changed_fact_changes_the_digest_and_rewrites_the_matches(personas: Personas, evaluations: list[str]) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    before = dict(TrialMatch.objects.filter(case=case).values_list("trial_id", "inputs_digest"))
    evaluations.clear()
    Case.objects.filter(pk=case.pk).update(ecog=3, revision=case.revision + 1)
    written = services.case_match_trials(case.pk)
    after = dict(TrialMatch.objects.filter(case=case).values_list("trial_id", "inputs_digest"))
    assert written == len(before) == len(evaluations)
    assert all(after[trial] != before[trial] for trial in before)
    assert trial_matches_section(Case.objects.get(pk=case.pk))["status"] == "current"


def test_a_later_revision_with_the_same_facts_moves_the_revision_without_evaluating(
    personas: Personas, evaluations: list[str]
) -> None:
    # e.g. an edit that was reverted: the revision moved, the facts are the ones already matched
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    evaluations.clear()
    Case.objects.filter(pk=case.pk).update(revision=case.revision + 1)
    moved = services.case_match_trials(case.pk)
    assert evaluations == []
    assert moved == TrialMatch.objects.filter(case=case).count()
    assert set(TrialMatch.objects.filter(case=case).values_list("case_revision", flat=True)) == {case.revision + 1}
    assert trial_matches_section(Case.objects.get(pk=case.pk))["status"] == "current"


def test_a_new_trial_version_rewrites_only_that_trials_matches(personas: Personas, evaluations: list[str]) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    match = TrialMatch.objects.filter(case=case).select_related("trial").first()
    assert match is not None
    others = dict(TrialMatch.objects.filter(case=case).exclude(pk=match.pk).values_list("trial_id", "computed_at"))
    services.trial_update(actor=personas.administrator, trial_id=match.trial_id, changes={"summary": "Edited summary."})
    evaluations.clear()
    assert services.case_match_trials(case.pk) == 1
    assert evaluations == [match.trial.identifier]
    assert dict(TrialMatch.objects.filter(case=case).exclude(pk=match.pk).values_list("trial_id", "computed_at")) == others


@pytest.fixture
def facts_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the cases whose facts a re-match loads (``engine_cases``: lesions, prior courses, patient)."""
    from apps.cases import selectors

    loaded: list[int] = []
    original = selectors.engine_cases

    def counting(case_ids: Any) -> Any:
        ids = list(case_ids)
        loaded.extend(ids)
        return original(ids)

    monkeypatch.setattr(selectors, "engine_cases", counting)
    return loaded


def test_an_unchanged_case_is_settled_by_its_stored_facts_digest(
    personas: Personas, evaluations: list[str], facts_loads: list[int]
) -> None:
    """Issue 16: the second re-match reads the case row's facts digest and the stored match digests only."""
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    assert facts_loads == [case.pk]  # nothing stored yet: loaded once, and its facts digest recorded
    row = Case.objects.get(pk=case.pk)
    assert len(row.facts_digest) == 64 and row.facts_stamp.startswith(f"{row.revision}/{row.patient_id}/")
    facts_loads.clear()
    evaluations.clear()

    assert services.case_match_trials(case.pk) == 0
    assert facts_loads == [] and evaluations == []


def test_a_write_through_the_services_voids_the_stored_facts_digest(
    personas: Personas, evaluations: list[str], facts_loads: list[int]
) -> None:
    from apps.cases.services import case_update

    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    facts_loads.clear()
    evaluations.clear()
    case_update(actor=personas.coordinator, case_id=case.pk, data={"ecog": 3})
    written = services.case_match_trials(case.pk)
    assert facts_loads == [case.pk]  # the stamp no longer fits: the facts are loaded and matched again
    assert written == len(evaluations) == TrialMatch.objects.filter(case=case).count()
    facts_loads.clear()
    assert services.case_match_trials(case.pk) == 0 and facts_loads == []  # recorded again


def test_a_patient_change_voids_the_stored_facts_digest(
    personas: Personas, evaluations: list[str], facts_loads: list[int]
) -> None:
    """The date of birth is a matching fact kept on the patient: a write of the patient moves its
    ``updated_at``, so its cases' facts are loaded again (not trusted from the case row)."""
    import datetime as dt

    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    before = Case.objects.get(pk=case.pk).facts_digest
    facts_loads.clear()
    evaluations.clear()
    patient = Case.objects.get(pk=case.pk).patient
    patient.date_of_birth = dt.date(1930, 1, 1)
    patient.save()  # as an edit outside the case services would: only the patient's row moves
    written = services.case_match_trials(case.pk)
    assert facts_loads == [case.pk]
    assert written == len(evaluations) == TrialMatch.objects.filter(case=case).count()  # every pair again
    assert Case.objects.get(pk=case.pk).facts_digest not in {"", before}


def test_a_status_change_voids_the_stamp_but_not_the_matches(
    personas: Personas, evaluations: list[str], facts_loads: list[int]
) -> None:
    """A save that moves only ``updated_at`` (a status change) loads the facts again; on the same day the
    facts (``as_of`` included) are the same, so nothing is evaluated or rewritten."""
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    facts_loads.clear()
    evaluations.clear()
    row = Case.objects.get(pk=case.pk)
    row.save(update_fields=["updated_at"])
    assert services.case_match_trials(case.pk) == 0
    assert facts_loads == [case.pk] and evaluations == []
