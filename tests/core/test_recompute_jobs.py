"""Catalogue-wide recomputes are visible jobs too (issue 10): an edit of a regimen recomputes every case
with stored options, an edit of a constraint set the plans built on it, each as a ``core.Job`` that ends
``succeeded`` with its counts (eagerly here: the job runs after the edit commits)."""

from __future__ import annotations

import pytest
from django.test import TestCase

from apps.core.models import Job
from apps.dosimetry.models import DoseSummary, Regimen
from apps.dosimetry.services import catalogue_entry_changed, dose_summary_compute, plan_create
from apps.options.models import TreatmentOptionsResult
from apps.options.services import treatment_options_compute
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

pytestmark = pytest.mark.django_db


def test_a_regimen_edit_recomputes_the_stored_options_as_a_job(personas: Personas) -> None:
    # given two cases with stored options and one without
    with_options = [CaseFactory(board=personas.board) for _ in range(2)]
    without = CaseFactory(board=personas.board)
    for case in (*with_options, without):
        LesionFactory(case=case)
    for case in with_options:
        treatment_options_compute(case_id=case.pk)
    regimen = Regimen.objects.get(code="conv_30gy_10fx")

    # when an administrator's edit saves the regimen
    with TestCase.captureOnCommitCallbacks(execute=True):
        regimen.save()

    # then a recompute_options job ran over exactly the cases with stored options
    job = Job.objects.get(kind=Job.Kind.RECOMPUTE_OPTIONS)
    assert (job.status, job.task_name, job.total, job.done) == ("succeeded", "options.recompute", 2, 2)
    assert job.params == {"scope": "stored", "reason": "regimen conv_30gy_10fx changed"}
    assert not TreatmentOptionsResult.objects.filter(case=without).exists()


def test_a_constraint_set_edit_recomputes_its_plans_as_a_job(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={"regimen_code": "conv_30gy_10fx", "oar_metrics": {"spinal_cord": {"Dmax": 30.0}}},
    )
    dose_summary_compute(plan_id=plan.pk)

    with TestCase.captureOnCommitCallbacks(execute=True):
        catalogue_entry_changed(kind="constraint_set", code="quantec_conventional_spinal_cord")

    job = Job.objects.get(kind=Job.Kind.RECOMPUTE_DOSE_SUMMARIES)
    # the limits did not change: the same summary is re-stamped with the new revision, no new row
    assert (job.status, job.task_name, job.total, job.done, job.written) == ("succeeded", "dosimetry.recompute", 1, 1, 0)
    assert job.params["code"] == "quantec_conventional_spinal_cord"
    summary = DoseSummary.objects.get(plan=plan, is_current=True)
    assert summary.catalogue_revisions["constraint_set:quantec_conventional_spinal_cord"] == 2
