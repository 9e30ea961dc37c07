"""Capacity, placement (deadline, room, urgent) and estimated starts."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.meetings.engine.agenda import (
    Capacity,
    ItemTiming,
    MeetingSlot,
    estimated_starts,
    insertion_index,
    placement_error,
    propose_meeting,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("duration", "per_case", "max_cases", "cases", "slot_minutes"),
    [
        (60, 10, None, 6, 10),
        (60, 7, None, 8, 7),  # 60 // 7 = 8, a partial slot does not count
        (60, None, 4, 4, 15),
        (60, 10, 4, 4, 10),  # both given: the smaller number of cases, the per-case slot
        (60, 10, 9, 6, 10),
        (90, 45, None, 2, 45),
    ],
)
def test_capacity(duration: int, per_case: int | None, max_cases: int | None, cases: int, slot_minutes: int) -> None:
    capacity = Capacity(duration_minutes=duration, minutes_per_case=per_case, max_cases=max_cases)
    assert capacity.cases == cases
    assert capacity.slot == dt.timedelta(minutes=slot_minutes)


def test_capacity_needs_a_limit() -> None:
    with pytest.raises(ValueError):
        Capacity(duration_minutes=60)
    with pytest.raises(ValueError):
        Capacity(duration_minutes=0, max_cases=3)


def slot(pk: int, days: int, placed: int = 0, max_cases: int = 3, deadline_hours: int = 48) -> MeetingSlot:
    start = NOW + dt.timedelta(days=days)
    return MeetingSlot(pk, start, start - dt.timedelta(hours=deadline_hours), Capacity(60, None, max_cases), placed)


def test_routine_case_goes_to_the_first_meeting_whose_deadline_it_met() -> None:
    meetings = [slot(1, 1), slot(2, 8), slot(3, 15)]
    # submitted 30 h before meeting 1: misses its 48 h deadline, meets meeting 2's
    submitted = meetings[0].starts_at - dt.timedelta(hours=30)
    proposal = propose_meeting(submitted_at=submitted, urgent=False, meetings=meetings, now=NOW)
    assert (proposal.meeting_id, proposal.at_top) == (2, False)


def test_deadline_boundary_is_inclusive() -> None:
    meetings = [slot(1, 3)]
    on_time = meetings[0].submission_deadline
    assert propose_meeting(submitted_at=on_time, urgent=False, meetings=meetings, now=NOW).meeting_id == 1
    late = on_time + dt.timedelta(seconds=1)
    assert propose_meeting(submitted_at=late, urgent=False, meetings=meetings, now=NOW).meeting_id is None


def test_a_full_meeting_is_skipped() -> None:
    meetings = [slot(1, 3, placed=3), slot(2, 10, placed=2)]
    proposal = propose_meeting(submitted_at=NOW, urgent=False, meetings=meetings, now=NOW)
    assert proposal.meeting_id == 2
    assert propose_meeting(submitted_at=NOW, urgent=False, meetings=[slot(1, 3, placed=3)], now=NOW).meeting_id is None


def test_urgent_case_goes_to_the_next_meeting_whatever_deadline_and_room() -> None:
    meetings = [slot(2, 8), slot(1, 1, placed=3)]
    submitted = NOW  # long after meeting 1's deadline (NOW + 1 day - 48 h)
    proposal = propose_meeting(submitted_at=submitted, urgent=True, meetings=meetings, now=NOW)
    assert (proposal.meeting_id, proposal.at_top) == (1, True)


def test_past_meetings_are_never_proposed() -> None:
    meetings = [slot(1, -1), slot(2, 0)]
    assert propose_meeting(submitted_at=NOW - dt.timedelta(days=9), urgent=True, meetings=meetings, now=NOW).meeting_id is None


def test_placement_error_explains_each_rule() -> None:
    m = slot(1, 3, placed=3)
    assert "full" in (placement_error(submitted_at=NOW, urgent=False, slot=m, now=NOW) or "")
    late = slot(2, 1)
    assert "deadline" in (placement_error(submitted_at=NOW, urgent=False, slot=late, now=NOW) or "")
    assert placement_error(submitted_at=NOW, urgent=True, slot=late, now=NOW) is None
    assert placement_error(submitted_at=NOW, urgent=True, slot=m, now=NOW) is None
    started = slot(3, 0)
    assert "started" in (placement_error(submitted_at=NOW, urgent=True, slot=started, now=NOW) or "")
    assert placement_error(submitted_at=NOW - dt.timedelta(days=5), urgent=False, slot=slot(4, 3, placed=2), now=NOW) is None


@pytest.mark.parametrize(
    ("flags", "urgent", "index"),
    [
        ([], False, 0),
        ([], True, 0),
        ([False, False], True, 0),
        ([True, False], True, 1),
        ([True, True, False], True, 2),
        ([True, False], False, 2),
        ([False, True], True, 0),  # a coordinator moved an urgent case down: new urgent goes first
    ],
)
def test_insertion_index(flags: list[bool], urgent: bool, index: int) -> None:
    assert insertion_index(flags, urgent=urgent) == index


def test_estimated_starts_follow_slots_and_recorded_times() -> None:
    start = dt.datetime(2026, 12, 8, 7, 30, tzinfo=UTC)
    ten = dt.timedelta(minutes=10)
    assert estimated_starts(start, ten, [ItemTiming()] * 3) == [start, start + ten, start + 2 * ten]
    # the first case ran 17 minutes; the second is under discussion since 07:48
    first_end = start + dt.timedelta(minutes=17)
    second_from = start + dt.timedelta(minutes=18)
    items = [ItemTiming(start, first_end), ItemTiming(second_from, None), ItemTiming()]
    assert estimated_starts(start, ten, items) == [start, second_from, second_from + ten]
    assert estimated_starts(start, ten, []) == []
