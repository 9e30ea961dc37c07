"""Celery tasks of the risk app: thin wrappers over :mod:`apps.risk.services`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Task, shared_task

from apps.cases.models import Case
from apps.core.jobs import MAX_RETRIES, job_chunk, job_fan_out
from apps.core.models import Job
from apps.risk.models import RiskAssessment
from apps.risk.selectors import cases_needing_assessment
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


def _cases_to_recompute(params: Mapping[str, Any]) -> list[int]:
    return list(cases_needing_assessment(force=bool(params.get("force"))).values_list("pk", flat=True))


@shared_task(name="risk.recompute", acks_late=True)
def recompute(job_id: int) -> int:
    """Start recompute job ``job_id`` (``manage.py recompute_risk``): one ``risk.recompute_chunk`` per chunk
    of the cases that need it (every case with ``force``). Returns the chunks enqueued."""
    return job_fan_out(job_id, kind=Job.Kind.RECOMPUTE_RISK, chunk_task="risk.recompute_chunk", plan=_cases_to_recompute)


def _assess_chunk(case_ids: list[int]) -> int:
    """Assess a chunk in one transaction; the new assessments it stored (reused rows are not counted)."""
    before = RiskAssessment.objects.filter(case_id__in=case_ids).count()
    risk_assess_cases(case_ids=case_ids)
    return max(RiskAssessment.objects.filter(case_id__in=case_ids).count() - before, 0)


@shared_task(bind=True, name="risk.recompute_chunk", acks_late=True, max_retries=MAX_RETRIES)
def recompute_chunk(self: Task, case_ids: list[int], job_id: int, run: int) -> int:
    """Assess one chunk of recompute job ``job_id`` (run ``run``) and count it; idempotent."""
    return job_chunk(self, job_id, run, len(case_ids), lambda: _assess_chunk(case_ids))


@shared_task(name="risk.assess_cases", acks_late=True)
def assess_cases(case_ids: list[int]) -> int:
    """(Re)assess a chunk of cases in one transaction with bulk writes (a full recompute through the
    workers, ``bench/recompute.py``); unchanged inputs write nothing. Returns the cases still there."""
    return len(risk_assess_cases(case_ids=case_ids))
