"""Re-irradiation sums and the spinal-cord SBRT re-irradiation checks (Sahgal 2012 / HyTEC)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from apps.cases.facts import PriorCourseFacts
from apps.dosimetry.engine import (
    ORGANS_BY_CODE,
    CheckStatus,
    Course,
    DoseInputError,
    eqd2,
    reirradiation_sum,
    spinal_cord_sbrt_reirradiation,
)
from apps.dosimetry.engine.reirradiation import add_months, complete_months_between

# ----------------------------------------------------------------------------- cumulative sums


def test_two_prior_courses_and_a_planned_one_show_each_contribution_and_the_verdict() -> None:
    # given a cord that received 20 Gy/5 and 8 Gy/1, and a planned 30 Gy/10 (alpha/beta 2)
    courses = [
        PriorCourseFacts(region="thoracic_spine", total_dose_gy=20.0, fractions=5, date=date(2025, 3, 1)),
        {"fractions": 1, "total_dose_gy": 8, "date": "2025-09-01"},
        {"fractions": 10, "total_dose_gy": 30},
    ]
    # when summed for the spinal cord
    result = reirradiation_sum("spinal_cord", courses)
    # then each course's EQD2 is its own LQ figure: 20*(4+2)/4 = 30, 8*(8+2)/4 = 20, 30*(3+2)/4 = 37.5,
    # 87.5 Gy in all, over the 70 Gy limit
    eqd2s = [c.eqd2_gy for c in result.courses]
    assert eqd2s == pytest.approx([30.0, 20.0, 37.5])
    assert result.cumulative_eqd2_gy == pytest.approx(87.5)
    assert [c.share_of_cumulative_pct for c in result.courses] == pytest.approx(
        [100 * 30 / 87.5, 100 * 20 / 87.5, 100 * 37.5 / 87.5]
    )
    assert result.limit_eqd2_gy == 70.0
    assert result.within_limit is False
    assert result.margin_eqd2_gy == pytest.approx(-17.5)
    assert result.alpha_beta == 2.0
    assert "Sahgal" in result.limit_source
    # and the API shape carries the input echo with eqd2_gy
    data = result.to_dict(decimals=2)
    assert data["courses"][0]["label"] == "thoracic_spine"
    assert data["courses"][0]["date"] == "2025-03-01"
    assert data["courses"][1]["eqd2_gy"] == 20.0
    assert data["courses"][2]["share_of_cumulative_pct"] == 42.86
    assert {"courses", "cumulative_eqd2_gy", "limit_eqd2_gy", "within_limit"} <= set(data)


def test_exactly_at_the_limit_is_within() -> None:
    # 40 Gy/20 (EQD2 40) + 20 Gy/5 (EQD2 30) = 70 Gy EQD2 at ab 2
    result = reirradiation_sum("spinal_cord", [Course(20, 40.0), Course(5, 20.0)])
    assert result.cumulative_eqd2_gy == 70.0
    assert result.within_limit is True


def test_cauda_equina_default_limit_is_seed_002_60_gy() -> None:
    result = reirradiation_sum("cauda_equina", [Course(10, 40.0)])
    assert result.cumulative_eqd2_gy == pytest.approx(60.0)
    assert result.limit_eqd2_gy == 60.0
    assert result.within_limit is True


def test_kidney_limit_is_computed_from_seed_002_not_copied() -> None:
    organ = ORGANS_BY_CODE["kidney"]
    assert organ.cumulative_limit_eqd2_gy == pytest.approx(eqd2(12.0, 10, 3.0))
    assert organ.cumulative_limit_eqd2_gy == pytest.approx(10.08)
    assert organ.dose_metric.value == "Dmean"


def test_every_organ_has_sources_for_its_defaults() -> None:
    assert {"spinal_cord", "cauda_equina", "thecal_sac", "kidney"} <= set(ORGANS_BY_CODE)
    for organ in ORGANS_BY_CODE.values():
        assert organ.alpha_beta > 0 and organ.cumulative_limit_eqd2_gy > 0
        assert organ.alpha_beta_source and organ.limit_source


def test_user_alpha_beta_and_limit_override_the_organ_defaults() -> None:
    result = reirradiation_sum("spinal_cord", [Course(10, 34.0)], alpha_beta=0.87, limit_eqd2_gy=50)
    assert result.cumulative_eqd2_gy == pytest.approx(50.585, abs=1e-3)
    assert result.within_limit is False
    assert result.limit_source == "given by the user"


def test_unknown_organ_lists_the_allowed_codes() -> None:
    with pytest.raises(DoseInputError) as info:
        reirradiation_sum("liver", [Course(5, 20.0)])
    assert info.value.field == "organ"
    for code in ("cauda_equina", "kidney", "spinal_cord", "thecal_sac"):
        assert code in info.value.reason


def test_invalid_courses_limit_and_alpha_beta_are_all_reported() -> None:
    with pytest.raises(DoseInputError) as info:
        reirradiation_sum(
            "spinal_cord",
            [
                {"fractions": 0, "total_dose_gy": 20},
                {"fractions": 5, "total_dose_gy": 20, "date": "2025-13-01"},
            ],
            alpha_beta=-1,
            limit_eqd2_gy=math.nan,
        )
    assert set(info.value.as_dict()) == {
        "courses[0].fractions",
        "courses[1].date",
        "alpha_beta",
        "limit_eqd2_gy",
    }


def test_no_course_is_an_error() -> None:
    with pytest.raises(DoseInputError) as info:
        reirradiation_sum("spinal_cord", [])
    assert info.value.as_dict() == {"courses": ["must contain at least one course"]}


# ----------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 6, 23), 5, date(2026, 11, 23)),
        (date(2026, 1, 31), 5, date(2026, 6, 30)),
        (date(2025, 9, 30), 5, date(2026, 2, 28)),
        (date(2023, 9, 30), 5, date(2024, 2, 29)),
        (date(2026, 8, 15), 5, date(2027, 1, 15)),
    ],
)
def test_add_months_keeps_the_day_and_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_complete_months_between() -> None:
    assert complete_months_between(date(2026, 6, 23), date(2026, 11, 23)) == 5
    assert complete_months_between(date(2026, 6, 23), date(2026, 11, 22)) == 4
    assert complete_months_between(date(2026, 1, 31), date(2026, 6, 30)) == 5
    assert complete_months_between(date(2026, 11, 23), date(2026, 6, 23)) == 0


# ----------------------------------------------------------------------------- Sahgal / HyTEC checks


def _checks(priors: list[Course], sbrt: Course) -> dict[str, tuple[CheckStatus, float | None]]:
    assessment = spinal_cord_sbrt_reirradiation(priors, sbrt)
    return {c.code: (c.status, c.measured) for c in assessment.checks}


def test_a_typical_safe_sbrt_reirradiation_passes_all_four_checks() -> None:
    # given 30 Gy/10 to the cord (EQD2 at ab 2 = 37.5) and an SBRT course with a cord Pmax of 12 Gy/2
    # (EQD2 = 12 * (6 + 2) / 4 = 24) seven months later
    priors = [Course(10, 30.0, date(2026, 4, 1))]
    sbrt = Course(2, 12.0, date(2026, 11, 1))
    assessment = spinal_cord_sbrt_reirradiation(priors, sbrt)
    checks = {c.code: c for c in assessment.checks}
    # then every check passes with its figures
    assert checks["cumulative_eqd2_le_70"].measured == pytest.approx(61.5)
    assert checks["sbrt_course_eqd2_le_25"].measured == pytest.approx(24.0)
    assert checks["sbrt_share_le_50pct"].measured == pytest.approx(100 * 24 / 61.5)
    assert checks["interval_ge_5_months"].measured == 7.0
    assert all(c.status is CheckStatus.PASS for c in assessment.checks)
    assert assessment.status is CheckStatus.PASS
    assert assessment.to_dict(2)["checks"][0]["status"] == "pass"


def test_two_prior_courses_each_contribute_and_the_verdict_is_fail() -> None:
    # given 20 Gy/5 (EQD2 30) and 8 Gy/1 (EQD2 20) before an SBRT cord Pmax of 14 Gy/2 (EQD2 31.5)
    priors = [Course(5, 20.0, date(2025, 1, 10)), Course(1, 8.0, date(2026, 2, 10))]
    sbrt = Course(2, 14.0, date(2026, 8, 1))
    assessment = spinal_cord_sbrt_reirradiation(priors, sbrt)
    contributions = [c.eqd2_gy for c in assessment.summation.courses]
    # then each course is shown, summed to 81.5 Gy
    assert contributions == pytest.approx([30.0, 20.0, 31.5])
    assert assessment.summation.cumulative_eqd2_gy == pytest.approx(81.5)
    checks = {c.code: c.status for c in assessment.checks}
    assert checks == {
        "cumulative_eqd2_le_70": CheckStatus.FAIL,
        "sbrt_course_eqd2_le_25": CheckStatus.FAIL,
        "sbrt_share_le_50pct": CheckStatus.PASS,
        "interval_ge_5_months": CheckStatus.PASS,  # 2026-02-10 + 5 months = 2026-07-10 <= 2026-08-01
    }
    assert assessment.status is CheckStatus.FAIL


def _sbrt_2fx_dose_for_eqd2(target: float) -> float:
    """The 2-fraction physical dose whose EQD2 at ab 2 is ``target``: D (D/2 + 2) / 4 = target."""
    return -2 + math.sqrt(4 + 8 * target)


def test_cumulative_exactly_70_passes_and_just_above_fails() -> None:
    # 40 Gy/20 (EQD2 40) then 20 Gy/5 (EQD2 30) = 70
    exact = _checks([Course(20, 40.0)], Course(5, 20.0))
    assert exact["cumulative_eqd2_le_70"] == (CheckStatus.PASS, 70.0)
    # decided at the reported precision (2 decimals, half up): 70.004 is shown 70.00 and passes,
    # 70.005 is shown 70.01 and fails; 70.01 fails
    for cumulative, status in ((70.004, CheckStatus.PASS), (70.005 + 1e-9, CheckStatus.FAIL), (70.01, CheckStatus.FAIL)):
        sbrt = Course(2, _sbrt_2fx_dose_for_eqd2(cumulative - 40.0))
        assert _checks([Course(20, 40.0)], sbrt)["cumulative_eqd2_le_70"][0] is status, cumulative


def test_sbrt_course_exactly_25_passes_and_just_above_fails() -> None:
    # no integer-fraction regimen has EQD2 exactly 25 at ab 2: solve for the dose (2 fx: d^2 + 2d = 50)
    dose = 2 * (-1 + math.sqrt(51))
    assert eqd2(dose, 2, 2.0) == pytest.approx(25.0, abs=1e-12)
    exact = _checks([Course(25, 50.0)], Course(2, dose))
    assert exact["sbrt_course_eqd2_le_25"][0] is CheckStatus.PASS
    assert _sbrt_2fx_dose_for_eqd2(25.0) == pytest.approx(dose, abs=1e-12)
    # decided at the reported precision: 25.00 (and 25.004, shown 25.00) pass; 25.005 (shown 25.01) and 25.01 fail
    for eqd2_gy, status in (
        (25.0, CheckStatus.PASS),
        (25.004, CheckStatus.PASS),
        (25.005 + 1e-9, CheckStatus.FAIL),
        (25.01, CheckStatus.FAIL),
    ):
        checks = _checks([Course(25, 50.0)], Course(2, _sbrt_2fx_dose_for_eqd2(eqd2_gy)))
        assert checks["sbrt_course_eqd2_le_25"][0] is status, eqd2_gy


def test_sbrt_share_exactly_50_percent_passes_and_above_fails() -> None:
    # prior 20 Gy/5 (EQD2 30) and an SBRT course with the same EQD2 -> 50 %
    exact = _checks([Course(5, 20.0)], Course(5, 20.0))
    assert exact["sbrt_share_le_50pct"] == (CheckStatus.PASS, 50.0)
    above = _checks([Course(5, 20.0)], Course(5, 20.01))
    assert above["sbrt_share_le_50pct"][0] is CheckStatus.FAIL


@pytest.mark.parametrize(
    ("previous", "sbrt", "status"),
    [
        (date(2026, 6, 23), date(2026, 11, 23), CheckStatus.PASS),  # exactly 5 months
        (date(2026, 6, 23), date(2026, 11, 22), CheckStatus.FAIL),  # one day short
        (date(2026, 1, 31), date(2026, 6, 30), CheckStatus.PASS),  # clamped month end
        (date(2026, 1, 31), date(2026, 6, 29), CheckStatus.FAIL),
    ],
)
def test_interval_boundary_of_5_calendar_months(previous: date, sbrt: date, status: CheckStatus) -> None:
    checks = _checks([Course(10, 30.0, previous)], Course(2, 12.0, sbrt))
    assert checks["interval_ge_5_months"][0] is status


def test_interval_uses_the_latest_prior_course() -> None:
    checks = _checks(
        [Course(10, 20.0, date(2024, 1, 1)), Course(5, 10.0, date(2026, 8, 1))],
        Course(2, 10.0, date(2026, 11, 23)),
    )
    assert checks["interval_ge_5_months"] == (CheckStatus.FAIL, 3.0)


def test_interval_is_unknown_when_a_date_is_missing() -> None:
    # given no SBRT date
    no_sbrt_date = spinal_cord_sbrt_reirradiation([Course(10, 30.0, date(2026, 1, 1))], Course(2, 12.0))
    interval = next(c for c in no_sbrt_date.checks if c.code == "interval_ge_5_months")
    assert interval.status is CheckStatus.UNKNOWN
    assert interval.measured is None
    assert "sbrt_course.date" in interval.text
    assert no_sbrt_date.status is CheckStatus.UNKNOWN
    # given an undated prior course (it might be the latest)
    undated_prior = spinal_cord_sbrt_reirradiation(
        [Course(10, 30.0, date(2025, 1, 1)), Course(1, 8.0)], Course(2, 12.0, date(2026, 11, 23))
    )
    interval = next(c for c in undated_prior.checks if c.code == "interval_ge_5_months")
    assert interval.status is CheckStatus.UNKNOWN
    assert "prior_courses[1].date" in interval.text


def test_sbrt_reirradiation_needs_a_prior_course_and_a_consistent_chronology() -> None:
    with pytest.raises(DoseInputError) as info:
        spinal_cord_sbrt_reirradiation([], Course(2, 12.0))
    assert info.value.field == "prior_courses"
    with pytest.raises(DoseInputError) as info:
        spinal_cord_sbrt_reirradiation([Course(10, 30.0, date(2026, 12, 1))], Course(2, 12.0, date(2026, 11, 1)))
    assert info.value.field == "prior_courses[0].date"
    with pytest.raises(DoseInputError) as info:
        spinal_cord_sbrt_reirradiation([Course(10, 30.0)], {"fractions": 2, "total_dose_gy": 0})
    assert info.value.field == "sbrt_course.total_dose_gy"


def test_overflowing_doses_are_input_errors_named_as_given() -> None:
    # finite but absurd doses whose BED overflows a float: an error naming the input, never an infinite figure
    with pytest.raises(DoseInputError) as info:
        spinal_cord_sbrt_reirradiation([Course(10, 30.0)], Course(1, 1e300))
    assert set(info.value.as_dict()) == {"sbrt_course.total_dose_gy", "alpha_beta"}
    with pytest.raises(DoseInputError) as summed:
        reirradiation_sum("spinal_cord", [Course(1, 1e300), Course(10, 30.0)])
    assert set(summed.value.as_dict()) == {"courses[0].total_dose_gy"}  # the organ's own alpha/beta: not named


def test_within_limit_is_decided_at_the_reported_precision() -> None:
    # 25.3 Gy/5 at ab 2 = 44.6545 Gy, reported 44.65: within a limit of 44.65, not within 44.64
    assert reirradiation_sum("spinal_cord", [Course(5, 25.3)], limit_eqd2_gy=44.65).within_limit is True
    assert reirradiation_sum("spinal_cord", [Course(5, 25.3)], limit_eqd2_gy=44.64).within_limit is False


def test_a_sum_at_another_ratio_than_the_default_limit_warns() -> None:
    result = reirradiation_sum("spinal_cord", [Course(10, 34.0)], alpha_beta=0.87)
    assert result.limit_eqd2_gy == 70.0
    assert len(result.warnings) == 1 and "alpha/beta 2" in result.warnings[0]
    assert reirradiation_sum("spinal_cord", [Course(10, 34.0)], alpha_beta=0.87, limit_eqd2_gy=50).warnings == ()
    assert reirradiation_sum("spinal_cord", [Course(10, 34.0)]).warnings == ()
