"""The case life cycle: which status may follow which. Plain Python, no Django imports.

draft -> submitted -> scheduled -> discussed -> decided -> closed. A coordinator may return a submitted
case to its author (``draft``) or take a scheduled case off an agenda (``submitted``); a case that was
discussed but needs more work (e.g. new imaging) may be rescheduled.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCHEDULED = "scheduled"
    DISCUSSED = "discussed"
    DECIDED = "decided"
    CLOSED = "closed"


ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.DRAFT: frozenset({CaseStatus.SUBMITTED}),
    CaseStatus.SUBMITTED: frozenset({CaseStatus.SCHEDULED, CaseStatus.DRAFT}),
    CaseStatus.SCHEDULED: frozenset({CaseStatus.DISCUSSED, CaseStatus.SUBMITTED}),
    CaseStatus.DISCUSSED: frozenset({CaseStatus.DECIDED, CaseStatus.SCHEDULED}),
    CaseStatus.DECIDED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

#: Statuses in which the clinical content of a case may still change.
EDITABLE_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED}
)

#: Statuses that count as "open" for trial re-matching and reports.
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(set(CaseStatus) - {CaseStatus.CLOSED})


class TransitionNotAllowed(ValueError):
    def __init__(self, current: CaseStatus, target: CaseStatus) -> None:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "none (the case is closed)"
        super().__init__(f"A {current} case cannot move to {target}; allowed next statuses: {allowed}.")
        self.current = current
        self.target = target


def check_transition(current: CaseStatus | str, target: CaseStatus | str) -> CaseStatus:
    """Return the target status if the move is allowed, else raise ``TransitionNotAllowed``."""
    current_status, target_status = CaseStatus(current), CaseStatus(target)
    if target_status not in ALLOWED_TRANSITIONS[current_status]:
        raise TransitionNotAllowed(current_status, target_status)
    return target_status
