"""Celery tasks of the dosimetry app: thin wrappers over :mod:`apps.dosimetry.services`."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from apps.core.background import enqueue
from apps.core.jobs import MAX_RETRIES
from apps.dosimetry.models import RadiotherapyPlan
from apps.dosimetry.services import CatalogueKind, dose_summary_compute, plans_built_on

#: Plans recomputed per task after a catalogue edit.
RECOMPUTE_CHUNK_SIZE = 200


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
    for plan_id in plan_ids:
        compute_plan_summary(plan_id)
    return plan_ids


@shared_task(name="dosimetry.compute_plan_summaries", acks_late=True)
def compute_plan_summaries(plan_ids: list[int]) -> int:
    """Recompute a chunk of plans (each idempotent by digest); returns how many still exist."""
    return sum(compute_plan_summary(plan_id) is not None for plan_id in plan_ids)


@shared_task(bind=True, name="dosimetry.recompute_catalogue_dependents", acks_late=True)
def recompute_catalogue_dependents(self: Task, kind: CatalogueKind, code: str) -> list[int]:
    """After an edit of a regimen or a constraint set: recompute every plan built on it, in chunks.

    Safe to run twice: each plan's computation reuses its stored row when nothing changed.
    """
    plan_ids = plans_built_on(kind=kind, code=code)
    for start in range(0, len(plan_ids), RECOMPUTE_CHUNK_SIZE):
        enqueue("dosimetry.compute_plan_summaries", plan_ids[start : start + RECOMPUTE_CHUNK_SIZE])
    return plan_ids


@shared_task(bind=True, name="dosimetry.run_import", acks_late=True, max_retries=MAX_RETRIES)
def run_import(self: Task, job_id: int) -> dict[str, Any] | None:
    """Run a queued dose import, given its ``core.Job`` id; a job already claimed is skipped (None)."""
    from apps.dosimetry.imports import dose_import_run
    from apps.dosimetry.models import DoseImportJob

    import_id = DoseImportJob.objects.filter(job_id=job_id).values_list("pk", flat=True).first()
    record = None if import_id is None else dose_import_run(job_id=import_id, task=self)
    return None if record is None else {"job_id": record.pk, "status": record.status}
