"""Read side of the dosimetry app: plans of a case and the ``dose_summaries`` section of the case API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.cases.derived import DerivedStatus, pending_section
from apps.cases.models import Case
from apps.dosimetry.engine import ENGINE_VERSION
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan


def case_plans(case: Case) -> QuerySet[RadiotherapyPlan]:
    """The case's plans with their current summary (``current_summaries``) and target lesions prefetched."""
    return (
        RadiotherapyPlan.objects.filter(case=case)
        .prefetch_related(
            "target_lesions",
            Prefetch(
                "dose_summaries",
                queryset=DoseSummary.objects.filter(is_current=True),
                to_attr="current_summaries",
            ),
        )
        .order_by("created_at", "id")
    )


def plan_status(plan: RadiotherapyPlan, summary: DoseSummary | None, case: Case) -> DerivedStatus:
    """``pending`` without a summary; ``stale`` when the plan, the case or the engine changed since."""
    if summary is None:
        return DerivedStatus.PENDING
    if (
        summary.plan_revision < plan.revision
        or summary.case_revision < case.revision
        or summary.engine_version != ENGINE_VERSION
    ):
        return DerivedStatus.STALE
    return DerivedStatus.CURRENT


def plan_entry(plan: RadiotherapyPlan, case: Case) -> dict[str, Any]:
    """One plan of the section: its inputs, status and current summary payload."""
    summaries: list[DoseSummary] = getattr(plan, "current_summaries", None) or list(
        plan.dose_summaries.filter(is_current=True)
    )
    summary = summaries[0] if summaries else None
    return {
        "plan_id": plan.pk,
        "name": plan.name,
        "regimen_code": plan.regimen_code or None,
        "levels": plan.levels or None,
        "technique": plan.technique,
        "alpha_beta": plan.alpha_beta,
        "target_lesions": [str(lesion.uuid) for lesion in plan.target_lesions.all()],
        "revision": plan.revision,
        "status": plan_status(plan, summary, case).value,
        "computed_at": summary.computed_at.isoformat() if summary else None,
        "computed_for_revision": summary.plan_revision if summary else None,
        "engine_version": summary.engine_version if summary else None,
        "summary": summary.payload if summary else None,
    }


def dose_summaries_section(case: Case) -> dict[str, Any]:
    """``{status, computed_at, plans: [...]}``: ``pending`` without plans or while any plan is uncomputed,
    ``stale`` when any summary is out of date, else ``current``; ``computed_at`` is the latest summary's."""
    plans = [plan_entry(plan, case) for plan in case_plans(case)]
    if not plans:
        return {**pending_section(), "plans": []}
    statuses = {entry["status"] for entry in plans}
    if DerivedStatus.PENDING.value in statuses:
        status = DerivedStatus.PENDING
    elif DerivedStatus.STALE.value in statuses:
        status = DerivedStatus.STALE
    else:
        status = DerivedStatus.CURRENT
    times: list[datetime] = [
        datetime.fromisoformat(entry["computed_at"]) for entry in plans if entry["computed_at"] is not None
    ]
    return {
        "status": status.value,
        "computed_at": max(times).isoformat() if times else None,
        "plans": plans,
    }
