"""The periodic sweep re-enqueues derived results left pending or outdated with no work queued (issue 15):
risk assessments, treatment options, trial matches and dose summaries, one finder per app registered with
``apps.core.stale``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from apps.cases.models import Case
from apps.core.background import enqueue
from apps.core.models import OutboxMessage
from apps.core.stale import STALE_DERIVED_AFTER, stale_finders, sweep_derived
from apps.core.tasks import sweep
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan
from apps.dosimetry.services import dose_summary_compute, plan_create
from apps.options.services import treatment_options_compute
from apps.risk.models import RiskAssessment
from apps.risk.services import risk_assess_case
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(hours=1)


def _queued(task_name: str) -> list[list[int]]:
    return sorted(OutboxMessage.objects.filter(task_name=task_name).values_list("args", flat=True))


def _age(*cases: Case) -> None:
    """As if the cases last changed an hour ago (their own work long since due)."""
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(updated_at=timezone.now() - LONG_AGO)


def test_every_app_with_derived_results_registers_one_finder() -> None:
    assert stale_finders() == {
        "dose_summaries": "dosimetry.compute_plan_summary",
        "risk_assessments": "risk.assess_case",
        "treatment_options": "options.compute_case",
        "trial_matches": "trials.match_case",
    }


def test_risk_left_pending_or_outdated_is_reenqueued_once(personas: Personas) -> None:
    # given a case assessed and current, one never assessed, one assessed for an older revision, one
    # changed a moment ago (its own work is still due), and one whose work is queued but not yet sent
    fresh, lost, outdated, recent, queued = (CaseFactory(board=personas.board) for _ in range(5))
    for case in (fresh, lost, outdated, recent, queued):
        LesionFactory(case=case)
    risk_assess_case(case_id=fresh.pk)
    risk_assess_case(case_id=outdated.pk)
    Case.objects.filter(pk=outdated.pk).update(revision=2)
    _age(fresh, lost, outdated, queued)
    OutboxMessage.objects.all().delete()
    enqueue("risk.assess_case", queued.pk)  # unsent (this test's transaction never commits)

    # when the sweep runs
    revived = sweep_derived()

    # then exactly the two left behind are re-enqueued (the queued one is not queued twice)
    assert revived["risk_assessments"] == 2
    assert _queued("risk.assess_case") == sorted([[lost.pk], [outdated.pk], [queued.pk]])
    # and the next sweep (a minute later) does not queue them again
    assert sweep_derived(now=timezone.now() + timedelta(minutes=1))["risk_assessments"] == 0
    # and work still unsent is never queued twice, however old (the outbox sweep sends it): past the
    # stale limit only the case changed a moment ago is now left behind
    later = sweep_derived(now=timezone.now() + STALE_DERIVED_AFTER + timedelta(minutes=1))
    assert later["risk_assessments"] == 1
    assert _queued("risk.assess_case") == sorted([[lost.pk], [outdated.pk], [recent.pk], [queued.pk]])


def test_options_trial_matches_and_dose_summaries_left_behind_are_reenqueued(personas: Personas) -> None:
    # given a case with everything current and a case with nothing computed, each with a plan
    done, lost = CaseFactory(board=personas.board), CaseFactory(board=personas.board)
    plans = {}
    for case in (done, lost):
        LesionFactory(case=case)
        plans[case.pk] = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_30gy_10fx", "oar_metrics": {}})
    treatment_options_compute(case_id=done.pk)  # brings its risk and trial matches up to date too
    dose_summary_compute(plan_id=plans[done.pk].pk)
    _age(done, lost)
    RadiotherapyPlan.objects.update(updated_at=timezone.now() - LONG_AGO)
    OutboxMessage.objects.all().delete()

    revived = sweep_derived()

    assert revived == {"dose_summaries": 1, "risk_assessments": 1, "treatment_options": 1, "trial_matches": 1}
    assert _queued("options.compute_case") == [[lost.pk]]
    assert _queued("trials.match_case") == [[lost.pk]]
    assert _queued("dosimetry.compute_plan_summary") == [[plans[lost.pk].pk]]


def test_the_beat_sweep_recomputes_what_was_left_behind(personas: Personas) -> None:
    # given a case whose assessment was lost (no result, no work queued)
    lost = CaseFactory(board=personas.board)
    LesionFactory(case=lost)
    _age(lost)
    OutboxMessage.objects.all().delete()
    # when core.sweep runs (eagerly here: the re-enqueued work runs right after the sweep commits)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = sweep()
    # then its results are computed, current
    assert result["derived"]["risk_assessments"] == 1
    assert RiskAssessment.objects.get(case=lost).is_current
    assert not DoseSummary.objects.exists()
