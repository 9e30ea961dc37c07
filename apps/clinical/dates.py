"""Calendar arithmetic the engines share: months, whole months, completed years. Plain Python.

One implementation for every engine (issue 10: calendar months were computed three ways): the trial
language's intervals (``months_primary_to_metastasis``, ages), the re-irradiation interval of the dose
engine (Sahgal 2012: at least 5 months since the previous course) and the ESTRO/EORTC 6-month window of
the risk engine all read these. Month ends clamp: 31 August + 6 months is the last day of February.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def complete_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is before ``start``)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def months_between(start: date, end: date) -> float:
    """Calendar months from ``start`` to ``end``: whole months plus the fraction of the month under way.

    2020-01-15 -> 2020-07-15 is exactly 6.0, so "within 6 months" (ESTRO/EORTC synchronous, seed 003 §3.1)
    is ``<= 6`` and a day later is metachronous. Negative when ``end`` precedes ``start``.
    """
    if end < start:
        return -months_between(end, start)
    whole = complete_months_between(start, end)
    anchor = add_months(start, whole)
    following = add_months(start, whole + 1)
    return whole + (end - anchor).days / (following - anchor).days


def completed_years(born: date, on: date) -> int:
    """Age in completed years on a given day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
