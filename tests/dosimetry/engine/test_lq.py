"""LQ model: worked checks of clinical-rules.md §7, published figures, validation, SIB, properties."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.dosimetry.engine import (
    DoseInputError,
    DoseLevel,
    bed,
    bed_eqd2,
    eqd2,
    eqd2_from_bed,
    evaluate,
    evaluate_regimen,
    total_dose_for_eqd2,
)
from apps.dosimetry.engine.lq import round_half_up

# ----------------------------------------------------------------------------- worked checks (§7)


@pytest.mark.parametrize(
    ("total", "fractions", "expected_bed10"),
    [
        (8.0, 1, 14.4),
        (20.0, 5, 28.0),
        (30.0, 10, 39.0),
        (24.0, 2, 52.8),
        (35.0, 5, 59.5),
    ],
)
def test_bed10_worked_checks(total: float, fractions: int, expected_bed10: float) -> None:
    # given a regimen of clinical-rules.md §7
    # when its BED10 is evaluated
    result = evaluate([{"fractions": fractions, "total_dose_gy": total}], 10)
    # then it matches the published figure to 0.1 Gy (and in fact exactly, to float precision)
    assert abs(result.levels[0].bed_gy - expected_bed10) < 0.1
    assert result.levels[0].bed_gy == pytest.approx(expected_bed10, abs=1e-9)


def test_spinal_cord_34gy_in_10_at_ab_0_87_is_eqd2_50_6() -> None:
    # given seed 002's cord limit 34 Gy/10 at alpha/beta 0.87
    result = evaluate([{"fractions": 10, "total_dose_gy": 34}], 0.87)
    # then EQD2 is 50.6 (the seed rounds it to 50)
    assert abs(result.levels[0].eqd2_gy - 50.6) < 0.1
    assert result.levels[0].eqd2_gy == pytest.approx(34 * (3.4 + 0.87) / 2.87, rel=1e-15)


def test_cauda_equina_40gy_in_10_at_ab_2_is_eqd2_60() -> None:
    result = evaluate([{"fractions": 10, "total_dose_gy": 40}], 2)
    assert result.levels[0].eqd2_gy == pytest.approx(60.0, abs=1e-12)


# ----------------------------------------------------------------------------- independent checks


@pytest.mark.parametrize(("fractions", "pmax"), [(1, 12.4), (2, 17.0), (3, 20.3), (4, 23.0), (5, 25.3)])
def test_sahgal_sbrt_cord_limits_are_all_about_44_6_gy_eqd2(fractions: int, pmax: float) -> None:
    # given the Sahgal 2013 / HyTEC SBRT cord point-max limits
    # when converted to EQD2 at alpha/beta 2
    value = eqd2(pmax, fractions, 2.0)
    # then each lands near 44.6 Gy EQD2 (the published limits are rounded to 0.1 Gy, so allow 0.5 Gy)
    assert value == pytest.approx(44.6, abs=0.5)


def test_sahgal_single_fraction_12_4_gy_is_44_6_gy_eqd2_to_0_1() -> None:
    # 12.4 * (12.4 + 2) / 4 = 44.64
    assert eqd2(12.4, 1, 2.0) == pytest.approx(44.64, abs=1e-9)


@pytest.mark.parametrize(
    ("total", "fractions", "ab", "expected_bed", "expected_eqd2"),
    [
        # Classic textbook figures (Joiner & van der Kogel; Fowler 1989)
        (60.0, 30, 10.0, 72.0, 60.0),
        (60.0, 30, 3.0, 100.0, 60.0),
        (50.0, 25, 2.0, 100.0, 50.0),
        # 5 x 4 Gy at ab 3 = 20 * (1 + 4/3) = 46.67 BED, EQD2 28
        (20.0, 5, 3.0, 46.6667, 28.0),
        # SABR-COMET 54 Gy/3: BED10 = 54 * 2.8 = 151.2
        (54.0, 3, 10.0, 151.2, 126.0),
        # 16 Gy/1 at ab 10 = 41.6 BED10
        (16.0, 1, 10.0, 41.6, 34.6667),
    ],
)
def test_published_bed_and_eqd2_figures(
    total: float, fractions: int, ab: float, expected_bed: float, expected_eqd2: float
) -> None:
    result = evaluate([DoseLevel(fractions, total)], ab).levels[0]
    assert result.bed_gy == pytest.approx(expected_bed, abs=1e-3)
    assert result.eqd2_gy == pytest.approx(expected_eqd2, abs=1e-3)


def test_fast_path_agrees_with_validated_path() -> None:
    b, e = bed_eqd2(35.0, 5, 10.0)
    result = evaluate_regimen(5, 35.0).levels[0]
    assert (b, e) == (result.bed_gy, result.eqd2_gy)
    assert bed(35.0, 5, 10.0) == pytest.approx(b, rel=1e-15)
    assert eqd2_from_bed(b, 10.0) == pytest.approx(e, rel=1e-15)


def test_total_dose_for_eqd2_inverts_eqd2() -> None:
    # given 60 Gy EQD2 at ab 2 in 10 fractions
    # then the physical dose is 40 Gy (the cauda equina worked check, backwards)
    assert total_dose_for_eqd2(60.0, 10, 2.0) == pytest.approx(40.0, abs=1e-9)


# ----------------------------------------------------------------------------- SIB


def test_sib_30_40_in_10_gives_each_level_its_own_figures() -> None:
    # given the seed 002 SIB
    result = evaluate([{"fractions": 10, "total_dose_gy": 30, "label": "PTV30"}, {"fractions": 10, "total_dose_gy": 40}])
    # then each level has its dose per fraction, BED10 and EQD2
    low, high = result.levels
    assert (low.dose_per_fraction_gy, low.bed_gy, low.eqd2_gy) == pytest.approx((3.0, 39.0, 32.5))
    assert (high.dose_per_fraction_gy, high.bed_gy) == pytest.approx((4.0, 56.0))
    assert high.eqd2_gy == pytest.approx(46.666666666666664)
    assert result.is_sib
    assert result.max_level is high


def test_to_dict_has_the_api_shape_and_rounds_only_when_asked() -> None:
    result = evaluate_regimen(10, 30.0, 40.0)
    full = result.to_dict()
    assert full["levels"][1]["eqd2_gy"] == pytest.approx(46.666666666666664)
    rounded = result.to_dict(decimals=2)
    assert rounded == {
        "levels": [
            {
                "fractions": 10,
                "total_dose_gy": 30.0,
                "dose_per_fraction_gy": 3.0,
                "bed_gy": 39.0,
                "eqd2_gy": 32.5,
            },
            {
                "fractions": 10,
                "total_dose_gy": 40.0,
                "dose_per_fraction_gy": 4.0,
                "bed_gy": 56.0,
                "eqd2_gy": 46.67,
            },
        ],
        "alpha_beta": 10.0,
    }


def test_rounding_is_half_up_on_the_decimal_representation() -> None:
    assert round_half_up(2.675, 2) == 2.68
    assert round_half_up(50.585, 2) == 50.59
    assert round_half_up(-1.005, 2) == -1.01


# ----------------------------------------------------------------------------- validation


def _errors(levels: object, ab: object = 10) -> dict[str, list[str]]:
    with pytest.raises(DoseInputError) as info:
        evaluate(levels, ab)
    return info.value.as_dict()


@pytest.mark.parametrize(
    ("fractions", "reason_part"),
    [
        (0, "between 1 and 50"),
        (-3, "between 1 and 50"),
        (51, "between 1 and 50"),
        (2.5, "integer"),
        ("5", "integer"),
        (True, "integer"),
        (math.nan, "finite"),
        (math.inf, "finite"),
    ],
)
def test_invalid_fractions_name_the_field(fractions: object, reason_part: str) -> None:
    errors = _errors([{"fractions": fractions, "total_dose_gy": 20}])
    assert list(errors) == ["levels[0].fractions"]
    assert reason_part in errors["levels[0].fractions"][0]


def test_integral_float_fractions_are_accepted() -> None:
    assert evaluate([{"fractions": 5.0, "total_dose_gy": 20}]).levels[0].fractions == 5


def test_boundaries_1_and_50_fractions_are_accepted() -> None:
    assert evaluate([DoseLevel(1, 8.0)]).fractions == 1
    assert evaluate([DoseLevel(50, 100.0)]).fractions == 50


@pytest.mark.parametrize("dose", [0, 0.0, -1, math.nan, math.inf, -math.inf, "30", None])
def test_invalid_total_dose_is_rejected_including_zero(dose: object) -> None:
    errors = _errors([{"fractions": 10, "total_dose_gy": dose}])
    assert list(errors) == ["levels[0].total_dose_gy"]


def test_an_int_too_large_for_a_float_is_not_finite() -> None:
    errors = _errors([{"fractions": 10, "total_dose_gy": 10**400}], 10**400)
    assert errors == {
        "levels[0].total_dose_gy": ["must be a finite number"],
        "alpha_beta": ["must be a finite number"],
    }


def test_decimal_doses_are_accepted() -> None:
    assert evaluate([{"fractions": 10, "total_dose_gy": Decimal("30.0")}]).levels[0].bed_gy == pytest.approx(39.0)


@pytest.mark.parametrize("ab", [0, -2, math.nan, math.inf, "10", None, False])
def test_invalid_alpha_beta_is_rejected(ab: object) -> None:
    errors = _errors([{"fractions": 10, "total_dose_gy": 30}], ab)
    assert list(errors) == ["alpha_beta"]


def test_empty_levels_is_rejected() -> None:
    assert _errors([]) == {"levels": ["must contain at least one dose level"]}


def test_levels_must_be_a_list() -> None:
    assert "levels" in _errors({"fractions": 10, "total_dose_gy": 30})


def test_sib_with_different_fraction_counts_is_rejected_on_the_offending_level() -> None:
    errors = _errors([{"fractions": 10, "total_dose_gy": 30}, {"fractions": 5, "total_dose_gy": 25}])
    assert list(errors) == ["levels[1].fractions"]
    assert "levels[0].fractions (10)" in errors["levels[1].fractions"][0]


def test_several_errors_are_reported_at_once() -> None:
    # given three problems in one request
    with pytest.raises(DoseInputError) as info:
        evaluate([{"fractions": 0, "total_dose_gy": -1}, {"total_dose_gy": 5}], 0)
    # then all are reported, the first one also as field/reason
    error = info.value
    assert error.field == "levels[0].fractions"
    assert set(error.as_dict()) == {
        "levels[0].fractions",
        "levels[0].total_dose_gy",
        "levels[1].fractions",
        "alpha_beta",
    }
    assert error.as_dict()["levels[1].fractions"] == ["is required"]


def test_single_error_constructor() -> None:
    error = DoseInputError(field="levels[0].fractions", reason="must be between 1 and 50")
    assert (error.field, error.reason) == ("levels[0].fractions", "must be between 1 and 50")
    assert error.as_dict() == {"levels[0].fractions": ["must be between 1 and 50"]}


# ----------------------------------------------------------------------------- properties

fractions_st = st.integers(min_value=1, max_value=50)
dose_st = st.floats(min_value=0.1, max_value=120.0, allow_nan=False, allow_infinity=False)
ab_st = st.floats(min_value=0.5, max_value=20.0, allow_nan=False, allow_infinity=False)


@given(fractions_st, ab_st)
def test_eqd2_equals_total_dose_when_dose_per_fraction_is_2(n: int, ab: float) -> None:
    level = evaluate([DoseLevel(n, 2.0 * n)], ab).levels[0]
    assert level.eqd2_gy == 2.0 * n


@given(fractions_st, dose_st, ab_st)
def test_eqd2_at_any_ab_equals_bed_over_1_plus_2_over_ab(n: int, dose: float, ab: float) -> None:
    level = evaluate([DoseLevel(n, dose)], ab).levels[0]
    assert level.eqd2_gy == pytest.approx(level.bed_gy / (1 + 2 / ab), rel=1e-12)
    assert level.bed_gy == pytest.approx(n * (dose / n) * (1 + (dose / n) / ab), rel=1e-12)


@given(fractions_st, dose_st, dose_st, ab_st)
def test_bed_and_eqd2_are_monotonic_in_total_dose(n: int, d1: float, d2: float, ab: float) -> None:
    lo, hi = sorted((d1, d2))
    b_lo, e_lo = bed_eqd2(lo, n, ab)
    b_hi, e_hi = bed_eqd2(hi, n, ab)
    assert b_lo <= b_hi
    assert e_lo <= e_hi


@given(fractions_st, dose_st, ab_st)
def test_more_fractions_for_the_same_dose_never_increase_bed(n: int, dose: float, ab: float) -> None:
    if n < 50:
        assert bed(dose, n + 1, ab) <= bed(dose, n, ab)


@given(fractions_st, st.lists(dose_st, min_size=1, max_size=4), ab_st)
def test_sib_levels_are_each_evaluated_as_their_own_regimen(n: int, doses: list[float], ab: float) -> None:
    sib = evaluate([DoseLevel(n, d) for d in doses], ab)
    assert len(sib.levels) == len(doses)
    for level, dose in zip(sib.levels, doses, strict=True):
        alone = evaluate([DoseLevel(n, dose)], ab).levels[0]
        assert level == alone
        assert level.dose_per_fraction_gy * level.fractions == pytest.approx(level.total_dose_gy, rel=1e-12)
        assert level.bed_gy >= level.total_dose_gy


@given(st.lists(st.tuples(dose_st, st.text(max_size=3)), min_size=1, max_size=3), fractions_st, ab_st)
def test_inline_and_full_validation_paths_give_identical_results(levels: list[tuple[float, str]], n: int, ab: float) -> None:
    # plain dicts with int fractions take the inline path; float fractions and Decimal alpha/beta the full one
    plain = evaluate([{"fractions": n, "total_dose_gy": d, "label": label} for d, label in levels], ab)
    full = evaluate(
        [{"fractions": float(n), "total_dose_gy": d, "label": label} for d, label in levels],
        Decimal(repr(ab)),
    )
    assert plain == full
    assert evaluate([DoseLevel(n, d, label) for d, label in levels], ab) == plain


@given(fractions_st, dose_st, ab_st)
def test_total_dose_for_eqd2_is_the_inverse(n: int, dose: float, ab: float) -> None:
    assert total_dose_for_eqd2(eqd2(dose, n, ab), n, ab) == pytest.approx(dose, rel=1e-9)
