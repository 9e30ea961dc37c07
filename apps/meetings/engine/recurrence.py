"""Expanding a meeting series into occurrences in local wall-clock time.

A series is stored as a local start (date and time of day), an IANA time zone and an RFC 5545 RRULE
(python-dateutil ``rrule``). The rule is expanded over *naive* local datetimes and only then given the
zone, so a Tuesday 07:30 meeting stays 07:30 on the wall clock across both daylight-saving changes;
expanding in UTC (what calendar libraries that store UTC occurrences do) would move it by an hour for
half of the year.

Two wall-clock corner cases of a zone's transitions, decided here once:
- a local time that does not exist (clocks jump forward through it) is taken as the instant the clocks
  show after the jump plus the gap (02:30 on the spring-forward night becomes 03:30 local);
- a local time that occurs twice (clocks fall back) is the first of the two (``fold=0``, summer time).

Source: RFC 5545 §3.3.10 (RRULE) and §3.8.5.1 (EXDATE); python-dateutil ``rrule`` documentation; PEP 615.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

#: Hard cap on how many occurrences one expansion may create (a rule without COUNT/UNTIL is unbounded).
MAX_OCCURRENCES = 500


class RecurrenceError(ValueError):
    """The series cannot be expanded: ``field`` names the input at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class SeriesRule:
    """A series' recurrence: ``rule`` is the RRULE text without DTSTART (e.g. ``FREQ=WEEKLY;BYDAY=TU``)."""

    rule: str
    first_date: dt.date
    start_time: dt.time
    timezone: str
    skipped_dates: frozenset[dt.date] = field(default_factory=frozenset)


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or ``RecurrenceError`` on ``timezone`` naming what is wrong."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RecurrenceError("timezone", f"{name!r} is not an IANA time zone name (e.g. 'Europe/London').") from exc


def localize(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware datetime for a naive local wall-clock time (see the module docstring for gaps and folds)."""
    if wall.tzinfo is not None:
        raise ValueError("localize takes a naive wall-clock datetime")
    aware = wall.replace(tzinfo=tz, fold=0)
    # A time in a spring-forward gap does not survive a round trip through UTC: normalise it.
    return aware.astimezone(dt.UTC).astimezone(tz)


def parse_rule(text: str, dtstart: dt.datetime) -> rrule:
    """The dateutil ``rrule`` of RRULE ``text`` anchored at the naive local ``dtstart``."""
    cleaned = text.strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[len("RRULE:") :]
    if not cleaned or "DTSTART" in cleaned.upper():
        raise RecurrenceError(
            "rule", "give an RRULE such as 'FREQ=WEEKLY;BYDAY=TU' (the start comes from first_date/start_time)."
        )
    try:
        parsed = rrulestr(cleaned, dtstart=dtstart)
    except (ValueError, TypeError) as exc:
        raise RecurrenceError("rule", f"not a valid RRULE: {exc}") from exc
    if not isinstance(parsed, rrule):
        raise RecurrenceError("rule", "give a single RRULE, not a set of rules.")
    until = getattr(parsed, "_until", None)
    if until is not None and until.tzinfo is not None:
        raise RecurrenceError("rule", "UNTIL must be a local date-time (no trailing Z): the series is expanded in local time.")
    return parsed


def occurrences(series: SeriesRule, *, window_start: dt.datetime, window_end: dt.datetime) -> list[dt.datetime]:
    """Aware start times of the series' occurrences with ``window_start <= start < window_end``.

    ``window_*`` are aware instants. Skipped dates (holidays: EXDATE by local date) are left out; the
    result is in the series' zone, in order, at most ``MAX_OCCURRENCES`` long.
    """
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("the window must be aware datetimes")
    tz = zone(series.timezone)
    dtstart = dt.datetime.combine(series.first_date, series.start_time.replace(tzinfo=None))
    rule = parse_rule(series.rule, dtstart)
    # Widen the naive local window by a day each side: the offset of the zone is at most +-26 h away.
    local_from = window_start.astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    local_to = window_end.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    found: list[dt.datetime] = []
    for wall in rule.between(local_from, local_to, inc=True):
        if wall.date() in series.skipped_dates:
            continue
        start = localize(wall, tz)
        if window_start <= start < window_end:
            found.append(start)
            if len(found) >= MAX_OCCURRENCES:
                break
    return found


def skipped(dates: Iterable[dt.date]) -> frozenset[dt.date]:
    return frozenset(dates)
