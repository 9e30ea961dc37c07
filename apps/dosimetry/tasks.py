"""Celery tasks of the dosimetry app: thin wrappers over :mod:`apps.dosimetry.services`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Task, shared_task

from apps.core.jobs import MAX_RETRIES, job_chunk, job_fan_out
from apps.core.models import Job
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan
from apps.dosimetry.selectors import plans_needing_summary
from apps.dosimetry.services import (
    CatalogueKind,
    catalogue_recompute_job_create,
    dose_summaries_compute,
    dose_summary_compute,
    plans_built_on,
)


@shared_task(name="dosimetry.compute_plan_summary", acks_late=True)
def compute_plan_summary(plan_id: int) -> dict[str, Any] | None:
    """(Re)compute a plan's dose summary; idempotent by inputs digest. A deleted plan is a no-op (None)."""
    try:
        row = dose_summary_compute(plan_id=plan_id)
    except RadiotherapyPlan.DoesNotExist:
        return None
    return {
        "summary_id": row.pk,
        "plan_id": plan_id,
        "plan_revision": row.plan_revision,
        "inputs_digest": row.inputs_digest,
        "is_current": row.is_current,
    }


@shared_task(name="dosimetry.compute_case_summaries", acks_late=True)
def compute_case_summaries(case_id: int) -> list[int]:
    """Recompute every plan of a case (its prior courses may have changed); returns the plan ids."""
    plan_ids = list(RadiotherapyPlan.objects.filter(case_id=case_id).values_list("pk", flat=True))
    dose_summaries_compute(plan_ids=plan_ids)
    return plan_ids


@shared_task(name="dosimetry.compute_plan_summaries", acks_late=True)
def compute_plan_summaries(plan_ids: list[int]) -> int:
    """Recompute a chunk of plans (each idempotent by digest); returns how many still exist."""
    return len(dose_summaries_compute(plan_ids=plan_ids))


def _plans_to_recompute(params: Mapping[str, Any]) -> list[int]:
    if params.get("code"):  # a catalogue edit: exactly the plans built on that row
        return plans_built_on(kind=params["catalogue_kind"], code=params["code"])
    return list(plans_needing_summary(force=bool(params.get("force"))).values_list("pk", flat=True))


@shared_task(name="dosimetry.recompute", acks_late=True)
def recompute(job_id: int) -> int:
    """Start recompute job ``job_id`` (``manage.py recompute_dose_summaries`` or a catalogue edit): one
    ``dosimetry.recompute_chunk`` per chunk of its plans. Returns the chunks enqueued."""
    return job_fan_out(
        job_id, kind=Job.Kind.RECOMPUTE_DOSE_SUMMARIES, chunk_task="dosimetry.recompute_chunk", plan=_plans_to_recompute
    )


def _compute_chunk(plan_ids: list[int]) -> int:
    """Compute a chunk in one transaction (plans deleted meanwhile are skipped); the new summaries."""
    before = DoseSummary.objects.filter(plan_id__in=plan_ids).count()
    dose_summaries_compute(plan_ids=plan_ids)
    return max(DoseSummary.objects.filter(plan_id__in=plan_ids).count() - before, 0)


@shared_task(bind=True, name="dosimetry.recompute_chunk", acks_late=True, max_retries=MAX_RETRIES)
def recompute_chunk(self: Task, plan_ids: list[int], job_id: int, run: int) -> int:
    """Compute one chunk of recompute job ``job_id`` (run ``run``) and count it; idempotent by digest."""
    return job_chunk(self, job_id, run, len(plan_ids), lambda: _compute_chunk(plan_ids))


@shared_task(name="dosimetry.recompute_catalogue_dependents", acks_late=True)
def recompute_catalogue_dependents(kind: CatalogueKind, code: str) -> int:
    """A message recorded before catalogue recomputes were jobs: start the job (``catalogue_entry_changed``
    now creates it itself)."""
    return catalogue_recompute_job_create(kind=kind, code=code).pk


@shared_task(bind=True, name="dosimetry.run_import", acks_late=True, max_retries=MAX_RETRIES)
def run_import(self: Task, job_id: int) -> dict[str, Any] | None:
    """Run a queued dose import, given its ``core.Job`` id; a job already claimed is skipped (None)."""
    from apps.dosimetry.imports import dose_import_run
    from apps.dosimetry.models import DoseImportJob

    import_id = DoseImportJob.objects.filter(job_id=job_id).values_list("pk", flat=True).first()
    record = None if import_id is None else dose_import_run(job_id=import_id, task=self)
    return None if record is None else {"job_id": record.pk, "status": record.status}
