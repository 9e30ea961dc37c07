"""Agenda rules: a meeting's capacity, where a submitted case is placed, and each item's estimated start.

Rules (issue 12, "Agenda"):
- Capacity is given as minutes per case, as a maximum number of cases, or both. In cases it is
  ``max_cases`` if set, else ``duration // minutes_per_case``; with both, the smaller. Each case's slot
  for the estimated start is ``minutes_per_case``, or else the duration shared equally by ``max_cases``.
- A routine case is proposed for the first upcoming meeting (in start order, ``starts_at > now``) whose
  submission deadline it met (``submitted_at <= submission_deadline``) and which still has room.
- An urgent case (flagged urgent, ESCC grade 2-3 or an impending fracture: clinical-rules.md §4-5,
  source: 000_76782ef81e029740.txt) goes to the next upcoming meeting whatever its deadline and
  capacity, at the top of the agenda, after urgent cases already there (first come, first discussed).
- Estimated start: the meeting's start plus the slots of the items before; an item already under
  discussion starts at its recorded ``discussed_from`` and later items follow from its recorded end
  (or from its start plus one slot while it is still being discussed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Capacity:
    duration_minutes: int
    minutes_per_case: int | None = None
    max_cases: int | None = None

    def __post_init__(self) -> None:
        if self.duration_minutes <= 0:
            raise ValueError("duration_minutes must be positive")
        if self.minutes_per_case is None and self.max_cases is None:
            raise ValueError("capacity needs minutes_per_case or max_cases")

    @property
    def cases(self) -> int:
        limits = []
        if self.max_cases is not None:
            limits.append(self.max_cases)
        if self.minutes_per_case is not None:
            limits.append(self.duration_minutes // self.minutes_per_case)
        return min(limits)

    @property
    def slot(self) -> dt.timedelta:
        if self.minutes_per_case is not None:
            return dt.timedelta(minutes=self.minutes_per_case)
        assert self.max_cases is not None
        return dt.timedelta(minutes=self.duration_minutes / max(self.max_cases, 1))


@dataclass(frozen=True)
class MeetingSlot:
    """An upcoming meeting as placement sees it: ``placed`` is how many items its agenda holds."""

    meeting_id: int
    starts_at: dt.datetime
    submission_deadline: dt.datetime
    capacity: Capacity
    placed: int

    @property
    def has_room(self) -> bool:
        return self.placed < self.capacity.cases


@dataclass(frozen=True)
class Proposal:
    meeting_id: int | None
    at_top: bool
    reason: str


def propose_meeting(*, submitted_at: dt.datetime, urgent: bool, meetings: Sequence[MeetingSlot], now: dt.datetime) -> Proposal:
    """The meeting a submitted case should be placed on (see the module docstring), or ``meeting_id=None``."""
    upcoming = sorted((m for m in meetings if m.starts_at > now), key=lambda m: (m.starts_at, m.meeting_id))
    if urgent:
        if not upcoming:
            return Proposal(None, True, "urgent, but no upcoming meeting is scheduled")
        return Proposal(upcoming[0].meeting_id, True, "urgent: next meeting regardless of deadline, at the top")
    for slot in upcoming:
        if submitted_at > slot.submission_deadline:
            continue
        if not slot.has_room:
            continue
        return Proposal(slot.meeting_id, False, "first meeting whose deadline the case met and that has room")
    return Proposal(None, False, "no upcoming meeting whose deadline the case met has room")


def placement_error(*, submitted_at: dt.datetime, urgent: bool, slot: MeetingSlot, now: dt.datetime) -> str | None:
    """Why a case may not go on this particular meeting, or None when it may."""
    if slot.starts_at <= now:
        return "the meeting has already started or taken place."
    if urgent:
        return None
    if submitted_at > slot.submission_deadline:
        return f"the case was submitted after this meeting's submission deadline ({slot.submission_deadline.isoformat()})."
    if not slot.has_room:
        return f"the agenda is full ({slot.capacity.cases} cases)."
    return None


def insertion_index(urgent_flags: Sequence[bool], *, urgent: bool) -> int:
    """Where a new item goes in an agenda whose items have these urgent flags (in order)."""
    if not urgent:
        return len(urgent_flags)
    index = 0
    while index < len(urgent_flags) and urgent_flags[index]:
        index += 1
    return index


@dataclass(frozen=True)
class ItemTiming:
    discussed_from: dt.datetime | None = None
    discussed_to: dt.datetime | None = None


def estimated_starts(meeting_start: dt.datetime, slot: dt.timedelta, items: Sequence[ItemTiming]) -> list[dt.datetime]:
    """The estimated start of each item, in agenda order (see the module docstring)."""
    starts: list[dt.datetime] = []
    clock = meeting_start
    for item in items:
        start = item.discussed_from or clock
        starts.append(start)
        clock = item.discussed_to or (start + slot)
    return starts
