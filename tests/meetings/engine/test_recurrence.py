"""Series expansion in local wall-clock time across both daylight-saving changes, with exceptions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.meetings.engine.recurrence import RecurrenceError, SeriesRule, localize, occurrences

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def window(a: dt.date, b: dt.date) -> dict[str, dt.datetime]:
    return {"window_start": dt.datetime.combine(a, dt.time(), UTC), "window_end": dt.datetime.combine(b, dt.time(), UTC)}


def test_weekly_tuesday_0730_stays_0730_across_spring_and_autumn_changes() -> None:
    # Given a weekly Tuesday 07:30 London series from March to November 2026 (BST 29 Mar - 25 Oct)
    rule = SeriesRule(
        rule="FREQ=WEEKLY;BYDAY=TU", first_date=dt.date(2026, 3, 17), start_time=dt.time(7, 30), timezone="Europe/London"
    )
    # When it is expanded
    starts = occurrences(rule, **window(dt.date(2026, 3, 1), dt.date(2026, 11, 11)))
    # Then every occurrence is a Tuesday at 07:30 on the wall clock
    assert len(starts) == 35  # 17 March to 10 November inclusive
    assert all(s.astimezone(LONDON).time() == dt.time(7, 30) and s.astimezone(LONDON).weekday() == 1 for s in starts)
    # and the UTC instant shifts by an hour at each change
    by_date = {s.astimezone(LONDON).date(): s.astimezone(UTC).time() for s in starts}
    assert by_date[dt.date(2026, 3, 24)] == dt.time(7, 30)  # GMT, before 29 March
    assert by_date[dt.date(2026, 3, 31)] == dt.time(6, 30)  # BST
    assert by_date[dt.date(2026, 10, 20)] == dt.time(6, 30)  # still BST
    assert by_date[dt.date(2026, 10, 27)] == dt.time(7, 30)  # GMT again after 25 October


def test_other_zone_changes_on_its_own_dates() -> None:
    rule = SeriesRule(
        rule="FREQ=WEEKLY;BYDAY=MO", first_date=dt.date(2026, 3, 2), start_time=dt.time(16, 0), timezone="America/New_York"
    )
    starts = occurrences(rule, **window(dt.date(2026, 3, 1), dt.date(2026, 11, 10)))
    offsets = {s.astimezone(NEW_YORK).date(): s.astimezone(NEW_YORK).utcoffset() for s in starts}
    assert offsets[dt.date(2026, 3, 2)] == dt.timedelta(hours=-5)
    assert offsets[dt.date(2026, 3, 9)] == dt.timedelta(hours=-4)  # DST from 8 March
    assert offsets[dt.date(2026, 10, 26)] == dt.timedelta(hours=-4)
    assert offsets[dt.date(2026, 11, 2)] == dt.timedelta(hours=-5)  # standard from 1 November
    assert {s.astimezone(NEW_YORK).time() for s in starts} == {dt.time(16, 0)}


def test_skipped_dates_leave_out_only_that_occurrence() -> None:
    rule = SeriesRule(
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_date=dt.date(2026, 12, 1),
        start_time=dt.time(7, 30),
        timezone="Europe/London",
        skipped_dates=frozenset({dt.date(2026, 12, 29)}),
    )
    dates = [s.astimezone(LONDON).date() for s in occurrences(rule, **window(dt.date(2026, 12, 1), dt.date(2027, 1, 13)))]
    assert dates == [
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 22),
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 12),
    ]


def test_window_bounds_are_start_inclusive_end_exclusive() -> None:
    rule = SeriesRule(rule="FREQ=DAILY", first_date=dt.date(2026, 6, 1), start_time=dt.time(8, 0), timezone="UTC")
    starts = occurrences(
        rule, window_start=dt.datetime(2026, 6, 2, 8, 0, tzinfo=UTC), window_end=dt.datetime(2026, 6, 4, 8, 0, tzinfo=UTC)
    )
    assert [s.date() for s in starts] == [dt.date(2026, 6, 2), dt.date(2026, 6, 3)]


def test_count_and_local_until_limit_the_series() -> None:
    counted = SeriesRule(
        rule="FREQ=WEEKLY;COUNT=3", first_date=dt.date(2026, 1, 6), start_time=dt.time(7, 30), timezone="Europe/London"
    )
    assert len(occurrences(counted, **window(dt.date(2026, 1, 1), dt.date(2027, 1, 1)))) == 3
    until = SeriesRule(
        rule="FREQ=WEEKLY;UNTIL=20260120T073000",
        first_date=dt.date(2026, 1, 6),
        start_time=dt.time(7, 30),
        timezone="Europe/London",
    )
    assert len(occurrences(until, **window(dt.date(2026, 1, 1), dt.date(2027, 1, 1)))) == 3


def test_a_wall_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # 01:30 on 29 March 2026 does not exist in London (01:00 GMT -> 02:00 BST)
    start = localize(dt.datetime(2026, 3, 29, 1, 30), LONDON)
    assert start.astimezone(LONDON).time() == dt.time(2, 30)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_an_ambiguous_autumn_wall_time_is_the_first_one() -> None:
    start = localize(dt.datetime(2026, 10, 25, 1, 30), LONDON)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert start.astimezone(UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "zone", "field"),
    [
        ("FREQ=SOMETIMES", "Europe/London", "rule"),
        ("", "Europe/London", "rule"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=WEEKLY", "Europe/London", "rule"),
        ("FREQ=WEEKLY;UNTIL=20260120T073000Z", "Europe/London", "rule"),
        ("FREQ=WEEKLY", "Mars/Olympus_Mons", "timezone"),
    ],
)
def test_bad_rules_name_the_field(rule: str, zone: str, field: str) -> None:
    series = SeriesRule(rule=rule, first_date=dt.date(2026, 1, 6), start_time=dt.time(7, 30), timezone=zone)
    with pytest.raises(RecurrenceError) as info:
        occurrences(series, **window(dt.date(2026, 1, 1), dt.date(2026, 3, 1)))
    assert info.value.field == field


def test_engine_imports_no_django() -> None:
    import subprocess
    import sys

    code = "import sys, apps.meetings.engine.recurrence, apps.meetings.engine.agenda, apps.meetings.engine.quorum; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603 - fixed argv
    assert out.stdout.strip() == "False"
