"""Celery tasks of the risk app: thin wrappers over :mod:`apps.risk.services`."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from apps.cases.models import Case
from apps.risk.services import risk_assess_case, risk_assess_cases


@shared_task(name="risk.assess_case", acks_late=True)
def assess_case(case_id: int) -> dict[str, Any] | None:
    """(Re)assess a case from its committed state. A case deleted meanwhile is a no-op (returns None)."""
    try:
        row = risk_assess_case(case_id=case_id)
    except Case.DoesNotExist:
        return None
    return {
        "assessment_id": row.pk,
        "case_id": case_id,
        "case_revision": row.case_revision,
        "inputs_digest": row.inputs_digest,
        "is_current": row.is_current,
    }


@shared_task(name="risk.assess_cases", acks_late=True)
def assess_cases(case_ids: list[int]) -> int:
    """(Re)assess a chunk of cases in one transaction with bulk writes (a full recompute through the
    workers, ``bench/recompute.py``); unchanged inputs write nothing. Returns the cases still there."""
    return len(risk_assess_cases(case_ids=case_ids))
