"""The engines' one calendar (``apps.clinical.dates``): month ends clamp, the 6-month boundary day is
"within", whole months count only completed months, and no engine keeps a calendar of its own."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from apps.clinical import dates
from apps.dosimetry.engine import reirradiation
from apps.risk.engine import oligometastatic
from apps.trials.engine import fields as trial_fields

ROOT = Path(__file__).resolve().parents[2]


def test_add_months_clamps_the_day_to_a_shorter_month() -> None:
    assert dates.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert dates.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert dates.add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)
    assert dates.add_months(date(2026, 11, 30), 14) == date(2028, 1, 30)


def test_months_between_is_exact_on_the_same_day_and_fractional_in_between() -> None:
    assert dates.months_between(date(2020, 1, 15), date(2020, 7, 15)) == 6.0
    assert 6.0 < dates.months_between(date(2020, 1, 15), date(2020, 7, 16)) < 6.1
    assert dates.months_between(date(2020, 7, 15), date(2020, 1, 15)) == -6.0
    # 31 January + 1 month is 28 February: a whole month, however short
    assert dates.months_between(date(2026, 1, 31), date(2026, 2, 28)) == 1.0


def test_complete_months_count_only_completed_months() -> None:
    assert dates.complete_months_between(date(2026, 6, 23), date(2026, 11, 23)) == 5
    assert dates.complete_months_between(date(2026, 6, 23), date(2026, 11, 22)) == 4
    assert dates.complete_months_between(date(2026, 1, 31), date(2026, 6, 30)) == 5
    assert dates.complete_months_between(date(2026, 11, 23), date(2026, 6, 23)) == 0


def test_completed_years_turn_on_the_birthday() -> None:
    assert dates.completed_years(date(1960, 3, 1), date(2026, 2, 28)) == 65
    assert dates.completed_years(date(1960, 3, 1), date(2026, 3, 1)) == 66


def test_the_three_engines_read_the_one_calendar() -> None:
    assert trial_fields.months_between is dates.months_between
    assert trial_fields.add_months is dates.add_months
    assert reirradiation.add_months is dates.add_months
    assert reirradiation.complete_months_between is dates.complete_months_between
    # the risk engine's 6-month window and the trial language's agree on the boundary day and the next
    primary = date(2026, 8, 31)
    for metastasis, synchronous in ((date(2027, 2, 28), True), (date(2027, 3, 1), False)):
        risk = oligometastatic.de_novo_timing(primary, metastasis) is oligometastatic.OligometastaticClass.DE_NOVO_SYNCHRONOUS
        trials = dates.months_between(primary, metastasis) <= trial_fields.SYNCHRONOUS_WINDOW_MONTHS
        assert risk is trials is synchronous


def test_no_other_module_does_calendar_month_arithmetic() -> None:
    month_arithmetic = re.compile(r"calendar\.monthrange|relativedelta\(\s*months|def add_months|def months_between")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "apps").rglob("*.py")
        if "migrations" not in path.parts
        and path != ROOT / "apps/clinical/dates.py"
        and month_arithmetic.search(path.read_text())
    ]
    assert offenders == []
