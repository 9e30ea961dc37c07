"""Celery tasks of the options app: thin wrappers over :mod:`apps.options.services`."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from apps.cases.models import Case
from apps.core.background import enqueue
from apps.options.services import treatment_options_compute


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


#: Cases per chunk of a catalogue-wide recomputation (one transaction each).
CHUNK_SIZE = 200


@shared_task(name="options.recompute_all", acks_late=True)
def recompute_all_options() -> int:
    """After a catalogue edit: queue one chunk task per 200 cases that have stored options."""
    from apps.options.models import TreatmentOptionsResult

    case_ids = list(TreatmentOptionsResult.objects.filter(is_current=True).order_by("case_id").values_list("case_id", flat=True))
    for start in range(0, len(case_ids), CHUNK_SIZE):
        enqueue("options.compute_chunk", case_ids[start : start + CHUNK_SIZE])
    return len(case_ids)


@shared_task(name="options.compute_chunk", acks_late=True)
def compute_options_chunk(case_ids: list[int]) -> int:
    """Recompute a chunk of cases in one transaction (idempotent: unchanged inputs write nothing)."""
    from apps.options.services import treatment_options_compute_cases

    return len(treatment_options_compute_cases(case_ids=case_ids))
