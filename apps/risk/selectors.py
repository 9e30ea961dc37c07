"""Reads of stored risk assessments, and the ``risk`` section of the case detail."""

from __future__ import annotations

from typing import Any

from apps.cases.derived import DerivedStatus, pending_section, section_envelope
from apps.cases.models import Case
from apps.risk.engine import ENGINE_VERSION
from apps.risk.models import RiskAssessment


def current_assessment(case_id: int) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(case_id=case_id, is_current=True).first()


def risk_section(case: Case) -> dict[str, Any]:
    """``{status, computed_at, computed_for_revision, engine_version, summary}`` for the case API.

    ``pending`` before the first assessment; ``stale`` when the case has changed since (or the stored
    assessment comes from an older engine version); ``current`` otherwise.
    """
    row = current_assessment(case.pk)
    if row is None:
        return {**pending_section(), "computed_for_revision": None, "engine_version": None, "summary": None}
    section = section_envelope(computed_revision=row.case_revision, case=case, computed_at=row.computed_at)
    if row.engine_version != ENGINE_VERSION:
        section["status"] = DerivedStatus.STALE.value
    section["engine_version"] = row.engine_version
    section["summary"] = row.payload
    return section
