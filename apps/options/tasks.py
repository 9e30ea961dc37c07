"""Celery tasks of the options app: thin wrappers over :mod:`apps.options.services`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Task, shared_task

from apps.cases.models import Case
from apps.core.jobs import MAX_RETRIES, job_chunk, job_create, job_fan_out
from apps.core.models import Job
from apps.dosimetry.models import DoseSummary
from apps.dosimetry.selectors import plan_ids_of_cases
from apps.dosimetry.services import dose_summaries_compute
from apps.options.models import TreatmentOptionsResult
from apps.options.selectors import cases_needing_options, cases_with_stored_options
from apps.options.services import treatment_options_compute, treatment_options_compute_cases


@shared_task(name="options.compute_case", acks_late=True)
def compute_case_options(case_id: int) -> dict[str, Any] | None:
    """(Re)compute a case's treatment options from its committed state. A deleted case is a no-op."""
    try:
        row = treatment_options_compute(case_id=case_id)
    except Case.DoesNotExist:
        return None
    return {
        "options_id": row.pk,
        "case_id": case_id,
        "case_revision": row.case_revision,
        "inputs_digest": row.inputs_digest,
        "is_current": row.is_current,
    }


#: Why a recompute job runs, in its ``params["scope"]``: the cases that need it (the command), or every
#: case with stored options (a catalogue edit makes them all stale at once).
SCOPE_NEEDED, SCOPE_STORED = "needed", "stored"


def _cases_to_recompute(params: Mapping[str, Any]) -> list[int]:
    if params.get("scope") == SCOPE_STORED:
        return cases_with_stored_options()
    return cases_needing_options(force=bool(params.get("force")))


@shared_task(name="options.recompute", acks_late=True)
def recompute(job_id: int) -> int:
    """Start recompute job ``job_id``: one ``options.compute_chunk`` per chunk of its cases."""
    return job_fan_out(job_id, kind=Job.Kind.RECOMPUTE_OPTIONS, chunk_task="options.compute_chunk", plan=_cases_to_recompute)


@shared_task(name="options.recompute_all", acks_late=True)
def recompute_all_options() -> int:
    """After a catalogue edit (a message recorded before catalogue recomputes were jobs): start the job."""
    return job_create(
        kind=Job.Kind.RECOMPUTE_OPTIONS, task_name="options.recompute", params={"scope": SCOPE_STORED, "reason": "catalogue"}
    ).pk


def _compute_chunk(case_ids: list[int]) -> int:
    """Compute a chunk in one transaction; the new results it stored (reused rows are not counted)."""
    before = TreatmentOptionsResult.objects.filter(case_id__in=case_ids).count()
    treatment_options_compute_cases(case_ids=case_ids)
    return max(TreatmentOptionsResult.objects.filter(case_id__in=case_ids).count() - before, 0)


@shared_task(bind=True, name="options.compute_chunk", acks_late=True, max_retries=MAX_RETRIES)
def compute_options_chunk(self: Task, case_ids: list[int], job_id: int | None = None, run: int = 0) -> int:
    """Recompute a chunk of cases in one transaction (idempotent: unchanged inputs write nothing), counted
    on run ``run`` of recompute job ``job_id`` when it belongs to one."""
    if job_id is None:
        return _compute_chunk(case_ids)
    return job_chunk(self, job_id, run, len(case_ids), lambda: _compute_chunk(case_ids))


@shared_task(bind=True, name="options.compute_derived_chunk", acks_late=True, max_retries=MAX_RETRIES)
def compute_derived_chunk(self: Task, case_ids: list[int], job_id: int | None = None, run: int = 0) -> int:
    """Every derived result of a chunk of cases, in one task (issue 16: a full recompute through the
    workers): the options chunk brings the risk assessments and trial matches of its cases up to date
    under their row locks (each written by its own service, with its audit rows), then the dose summaries
    of the cases' plans are computed in their own transaction (plans are locked on their own, never after
    their case). Idempotent by digest; counted on run ``run`` of job ``job_id`` when it belongs to one.
    Returns the new options rows and dose summaries stored."""

    def compute() -> int:
        written = _compute_chunk(case_ids)
        plan_ids = plan_ids_of_cases(case_ids)
        before = DoseSummary.objects.filter(plan_id__in=plan_ids).count()
        dose_summaries_compute(plan_ids=plan_ids)
        return written + max(DoseSummary.objects.filter(plan_id__in=plan_ids).count() - before, 0)

    if job_id is None:
        return compute()
    return job_chunk(self, job_id, run, len(case_ids), compute)
