"""The case life cycle: which status may follow which. Plain Python, no Django imports.

draft -> submitted -> scheduled -> discussed -> decided -> closed. A coordinator may return a submitted
case to its author (``draft``) or take a scheduled case off an agenda (``submitted``); a case that was
discussed but needs more work (e.g. new imaging) may be rescheduled.

Re-review is its own path, not one of the coordinator's triage moves: a decided case returns to
``submitted`` (and so to the next agenda) when its implementation follow-up asks for it or is still open
(``RE_REVIEW_TRANSITIONS``, ``check_re_review``; the service records why and places it).
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

#: Re-review: a decided case goes back on the next agenda (``scheduled``, placed in the same step) or, when
#: no meeting has room, waits for a place (``submitted``). See docs/decisions.md, "Return to the agenda".
RE_REVIEW_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.DECIDED: frozenset({CaseStatus.SUBMITTED, CaseStatus.SCHEDULED})
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


class ReReviewNotAllowed(ValueError):
    def __init__(self, current: CaseStatus) -> None:
        super().__init__(f"Only a decided case returns to the agenda for re-review; this case is {current}.")
        self.current = current


def check_re_review(current: CaseStatus | str, *, placed: bool) -> CaseStatus:
    """The status a re-review moves the case to (``scheduled`` when it is placed at once, else
    ``submitted``), or raise ``ReReviewNotAllowed``."""
    current_status = CaseStatus(current)
    target = CaseStatus.SCHEDULED if placed else CaseStatus.SUBMITTED
    if target not in RE_REVIEW_TRANSITIONS.get(current_status, frozenset()):
        raise ReReviewNotAllowed(current_status)
    return target
