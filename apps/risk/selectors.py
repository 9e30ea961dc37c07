"""Reads of stored risk assessments, and the ``risk`` section of the case detail."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast

from apps.cases.derived import DerivedStatus, pending_section, section_envelope
from apps.cases.models import Case
from apps.core.compiled import CompiledRead
from apps.core.rawjson import RawJSON
from apps.risk.engine import ENGINE_VERSION
from apps.risk.models import RiskAssessment


def current_assessment(case_id: int) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(case_id=case_id, is_current=True).first()


def _section_row(case_id: int, *, raw: bool) -> QuerySet[Any]:
    # One current row per case (a unique constraint): no order needed. ``raw``: the payload as text.
    rows = RiskAssessment.objects.filter(case_id=case_id, is_current=True).order_by()
    if raw:
        return rows.values("case_revision", "computed_at", "engine_version", payload_json=Cast("payload", TextField()))[:1]
    return rows.values("case_revision", "computed_at", "engine_version", "payload")[:1]


#: The section's read, compiled once per thread (issue 16): the payload as text (the detail API) or decoded
#: (the pages and the write answers).
_RAW_SECTION_ROW = CompiledRead(lambda case_id: _section_row(case_id, raw=True))
_SECTION_ROW = CompiledRead(lambda case_id: _section_row(case_id, raw=False))


def risk_pending() -> dict[str, Any]:
    """The risk section of a case never assessed."""
    return {**pending_section(), "computed_for_revision": None, "engine_version": None, "summary": None}


def risk_section(case: Case, *, raw: bool = False) -> dict[str, Any]:
    """``{status, computed_at, computed_for_revision, engine_version, summary}`` for the case API.

    ``pending`` before the first assessment; ``stale`` when the case has changed since (or the stored
    assessment comes from an older engine version); ``current`` otherwise. With ``raw`` the summary is
    the stored payload's text (``RawJSON``), read as text and never decoded.
    """
    found = (_RAW_SECTION_ROW if raw else _SECTION_ROW).first(case.pk)
    row: Any = None if found is None else SimpleNamespace(**found)
    if row is None:
        return risk_pending()
    section = section_envelope(computed_revision=row.case_revision, case=case, computed_at=row.computed_at)
    if row.engine_version != ENGINE_VERSION:
        section["status"] = DerivedStatus.STALE.value
    section["engine_version"] = row.engine_version
    section["summary"] = RawJSON(row.payload_json) if raw else row.payload
    return section


def cases_needing_assessment(*, force: bool = False) -> QuerySet[Case]:
    """Cases (in primary-key order) with no current assessment, one from another engine version, or one
    computed for an older case revision; every case with ``force``."""
    cases = Case.objects.order_by("pk")
    if force:
        return cases
    up_to_date = RiskAssessment.objects.filter(
        case_id=OuterRef("pk"),
        is_current=True,
        engine_version=ENGINE_VERSION,
        case_revision__gte=OuterRef("revision"),
    )
    return cases.exclude(Exists(up_to_date))


def cases_with_risk_left_behind(changed_before: datetime, limit: int) -> list[int]:
    """The sweep's finder (``apps.core.stale``): cases changed before ``changed_before`` that still have
    no current assessment of their revision."""
    up_to_date = RiskAssessment.objects.filter(case_id=OuterRef("pk"), is_current=True, case_revision__gte=OuterRef("revision"))
    stale = Case.objects.filter(updated_at__lt=changed_before).exclude(Exists(up_to_date)).order_by("pk")
    return list(stale.values_list("pk", flat=True)[:limit])
