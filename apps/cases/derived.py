"""Derived results (risk, dose summaries, trial matches) shown with a case.

The apps that compute them register a section here in their ``AppConfig.ready``, so the case API can
show them without the cases app importing its dependants. Every section reports a ``status``:
``pending`` (never computed yet), ``current`` (computed from the case as it is) or ``stale`` (computed
from an older revision; a recomputation is queued).

A section called with ``raw=True`` may hand its stored JSON back as :class:`apps.core.rawjson.RawJSON`
(the column's text, never decoded): the case API writes it into the response as it is (issue 16). The
pages and the write responses ask for Python values (``raw=False``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from apps.cases.models import Case


class DerivedSection(Protocol):
    def __call__(self, case: Case, *, raw: bool = False) -> dict[str, Any]: ...


_SECTIONS: dict[str, DerivedSection] = {}
#: Each stored section's answer for a case with nothing of it stored yet (``register_section``).
_PENDING: dict[str, Callable[[], dict[str, Any]]] = {}


class DerivedStatus(StrEnum):
    PENDING = "pending"
    CURRENT = "current"
    STALE = "stale"


def register_section(name: str, section: DerivedSection, *, pending: Callable[[], dict[str, Any]] | None = None) -> None:
    """``pending``: what ``section`` answers for a case none of whose results of that kind is stored yet
    (a new dict per call); None for a section computed on read from the case itself."""
    _SECTIONS[name] = section
    if pending is not None:
        _PENDING[name] = pending


def derived_status(*, computed_revision: int | None, case_revision: int) -> DerivedStatus:
    if computed_revision is None:
        return DerivedStatus.PENDING
    return DerivedStatus.CURRENT if computed_revision >= case_revision else DerivedStatus.STALE


def pending_section() -> dict[str, Any]:
    return {"status": DerivedStatus.PENDING.value, "computed_at": None}


def section_envelope(*, computed_revision: int | None, case: Case, computed_at: datetime | None) -> dict[str, Any]:
    return {
        "status": derived_status(computed_revision=computed_revision, case_revision=case.revision).value,
        "computed_at": computed_at.isoformat() if computed_at else None,
        "computed_for_revision": computed_revision,
    }


def derived_sections(
    case: Case, *, raw: bool = False, skip: Collection[str] = (), nothing_stored: bool = False
) -> dict[str, Any]:
    """Every registered section of ``case``; those named in ``skip`` are left ``pending`` for the caller to
    fill from a read it makes anyway (the case page reads the trial matches once for two uses).

    ``nothing_stored``: the caller knows no derived result of the case is stored (a case it has just
    created, whose tasks run after commit in a worker): the stored sections answer ``pending`` without a
    read, four queries of a creation's nineteen (issue 16); those computed on read are computed."""
    names = ("risk", "dose_summaries", "trial_matches")
    out: dict[str, Any] = {name: pending_section() for name in names}
    for name, section in _SECTIONS.items():
        if name in skip:
            continue
        pending = _PENDING.get(name) if nothing_stored else None
        out[name] = pending() if pending is not None else section(case, raw=raw)
    return out
