"""Constraint checks: physical, EQD2 and percent-of-prescription limits; the near band; applicability."""

from __future__ import annotations

import math

import pytest

from apps.dosimetry.engine import (
    CONSTRAINTS_BY_CODE,
    CheckStatus,
    Constraint,
    Direction,
    DoseInputError,
    LimitUnit,
    Metric,
    check_constraint,
    check_constraint_set,
    eqd2,
)
from apps.dosimetry.engine.catalogue import SBRT_CORD_SET, SEED002_SET
from apps.dosimetry.engine.constraints import structure_matches

CORD_34 = CONSTRAINTS_BY_CODE["seed002_spinal_cord_dmax_34gy_10fx"]
CAUDA_60 = CONSTRAINTS_BY_CODE["seed002_cauda_equina_eqd2_60gy"]
KIDNEY_12 = CONSTRAINTS_BY_CODE["seed002_kidney_dmean_12gy_10fx"]
PTV_D98 = CONSTRAINTS_BY_CODE["seed002_ptv_d98_ge_90pct"]
PTV_D2 = CONSTRAINTS_BY_CODE["seed002_ptv_d2_le_107pct"]


# ----------------------------------------------------------------------------- physical limits, near band


@pytest.mark.parametrize(
    ("measured", "status"),
    [
        (30.0, CheckStatus.PASS),
        (32.29, CheckStatus.PASS),  # just outside the 5 % band
        (32.3, CheckStatus.NEAR),  # exactly 95 % of 34 Gy: near (inclusive)
        (33.0, CheckStatus.NEAR),
        (34.0, CheckStatus.NEAR),  # exactly at the limit: near, not fail
        (34.0001, CheckStatus.FAIL),
        (39.89, CheckStatus.FAIL),
    ],
)
def test_cord_34gy_in_10_boundaries(measured: float, status: CheckStatus) -> None:
    check = check_constraint(CORD_34, measured, fractions=10)
    assert check.status is status


def test_cord_check_reports_figures_in_gy_and_eqd2() -> None:
    # given a cord Dmax of 32.77 Gy (the seed 002 mean) in 10 fractions
    check = check_constraint(CORD_34, 32.77, fractions=10)
    # then the margin is in Gy and the EQD2 figures at alpha/beta 0.87 are shown alongside
    assert check.compared_in == "gy"
    assert check.margin == pytest.approx(34 - 32.77)
    assert check.margin_pct == pytest.approx(100 * (34 - 32.77) / 34)
    assert check.limit_gy == 34.0
    assert check.limit_eqd2_gy == pytest.approx(eqd2(34.0, 10, 0.87))
    assert check.measured_eqd2_gy == pytest.approx(eqd2(32.77, 10, 0.87))
    assert check.status is CheckStatus.NEAR
    data = check.to_dict(decimals=2)
    assert data["limit_eqd2_gy"] == 50.59
    assert data["status"] == "near"
    assert "002_eaa0f11dde358788.txt" in data["source"]


def test_physical_limit_bound_to_10_fractions_is_not_applicable_to_5() -> None:
    check = check_constraint(CORD_34, 20.0, fractions=5)
    assert check.status is CheckStatus.NOT_APPLICABLE
    assert check.margin is None


# ----------------------------------------------------------------------------- EQD2 limits


def test_cauda_equina_40gy_in_10_is_exactly_at_60gy_eqd2() -> None:
    check = check_constraint(CAUDA_60, 40.0, fractions=10)
    assert check.compared_in == "eqd2_gy"
    assert check.measured_eqd2_gy == pytest.approx(60.0)
    assert check.limit_gy == pytest.approx(40.0)
    assert check.status is CheckStatus.NEAR


def test_cauda_equina_point_dose_is_converted_with_the_plan_fractions() -> None:
    # given the seed 002 sacral case: Dmax 39.89 Gy in 10 fx -> EQD2 at ab 2 = 39.89 * (3.989 + 2) / 4
    check = check_constraint(CAUDA_60, 39.89, fractions=10)
    assert check.measured_eqd2_gy == pytest.approx(39.89 * (3.989 + 2) / 4)
    assert check.status is CheckStatus.NEAR
    # and the same 39.89 Gy in 5 fractions is far over the limit
    assert check_constraint(CAUDA_60, 39.89, fractions=5).status is CheckStatus.FAIL
    # and the EQD2 limit applies at any fraction count: 20 Gy/5 (EQD2 30) passes
    assert check_constraint(CAUDA_60, 20.0, fractions=5).status is CheckStatus.PASS


def test_eqd2_near_band_is_5_percent_of_the_eqd2_limit() -> None:
    # 57 Gy EQD2 is exactly 95 % of 60: find its physical dose in 10 fx and check both sides
    from apps.dosimetry.engine import total_dose_for_eqd2

    at_95 = total_dose_for_eqd2(57.0, 10, 2.0)
    assert check_constraint(CAUDA_60, at_95, fractions=10).status is CheckStatus.NEAR
    assert check_constraint(CAUDA_60, at_95 - 1e-6, fractions=10).status is CheckStatus.PASS


# ----------------------------------------------------------------------------- percent of prescription


def test_ptv_d98_minimum_90_percent_of_prescription() -> None:
    # given PTV30 with D98 29.10 Gy (seed 002 mean): 97 % of 30 Gy, limit 27 Gy
    check = check_constraint(PTV_D98, 29.10, fractions=10, prescription_gy=30.0)
    assert check.limit_gy == pytest.approx(27.0)
    assert check.margin == pytest.approx(2.10)
    assert check.status is CheckStatus.PASS  # margin 2.1 > 5 % of 27 (1.35)
    # boundaries of a minimum: exactly at 27 is near, 105 % of 27 (28.35) is near, above is pass, below fails
    assert check_constraint(PTV_D98, 27.0, fractions=10, prescription_gy=30.0).status is CheckStatus.NEAR
    assert check_constraint(PTV_D98, 28.35, fractions=10, prescription_gy=30.0).status is CheckStatus.NEAR
    assert check_constraint(PTV_D98, 28.36, fractions=10, prescription_gy=30.0).status is CheckStatus.PASS
    assert check_constraint(PTV_D98, 26.99, fractions=10, prescription_gy=30.0).status is CheckStatus.FAIL


def test_ptv_d2_maximum_107_percent_needs_the_prescription() -> None:
    # limit 107 % of 30 = 32.1 Gy, near band 1.605 Gy
    assert check_constraint(PTV_D2, 30.0, fractions=10, prescription_gy=30.0).status is CheckStatus.PASS
    assert check_constraint(PTV_D2, 31.0, fractions=10, prescription_gy=30.0).status is CheckStatus.NEAR
    assert check_constraint(PTV_D2, 32.2, fractions=10, prescription_gy=30.0).status is CheckStatus.FAIL
    unknown = check_constraint(PTV_D2, 31.0, fractions=10)
    assert unknown.status is CheckStatus.UNKNOWN
    assert "needs prescription_gy" in unknown.text


# ----------------------------------------------------------------------------- SBRT cord set


@pytest.mark.parametrize(("fractions", "limit"), [(1, 12.4), (2, 17.0), (3, 20.3), (4, 23.0), (5, 25.3)])
def test_sbrt_cord_set_has_one_limit_per_fraction_count(fractions: int, limit: float) -> None:
    applicable = [c for c in SBRT_CORD_SET.constraints if c.applies_to(fractions)]
    assert [c.limit for c in applicable] == [limit]
    assert check_constraint(applicable[0], limit, fractions=fractions).status is CheckStatus.NEAR
    assert check_constraint(applicable[0], limit + 0.01, fractions=fractions).status is CheckStatus.FAIL
    assert applicable[0].alpha_beta == 2.0


# ----------------------------------------------------------------------------- sets, structures, validation


def test_constraint_set_checks_matching_structures_and_reports_missing_metrics() -> None:
    structures = {
        "spinal_cord": {"Dmax": 31.0},
        "kidney": {"Dmax": 10.0},  # no Dmean
        "PTV30": {"D98%": 29.1, "D2%": 30.4, "Dmax": 32.0},
        "PTV40": {"D98%": 35.75, "D2%": 41.0},
        "bladder": {"Dmax": 30.0},
    }
    checks = check_constraint_set(SEED002_SET.constraints, structures, fractions=10, prescriptions={"PTV30": 30.0, "PTV40": 40.0})
    by_key = {(c.constraint_code, c.structure): c for c in checks}
    assert by_key[("seed002_spinal_cord_dmax_34gy_10fx", "spinal_cord")].status is CheckStatus.PASS
    assert by_key[("seed002_kidney_dmean_12gy_10fx", "kidney")].status is CheckStatus.UNKNOWN
    assert by_key[("seed002_ptv_d98_ge_90pct", "PTV40")].limit_gy == pytest.approx(36.0)
    assert by_key[("seed002_ptv_d98_ge_90pct", "PTV40")].status is CheckStatus.FAIL
    assert by_key[("seed002_ptv_d2_le_107pct", "PTV30")].status is CheckStatus.PASS
    assert by_key[("seed002_ptv_dmax_le_107pct", "PTV40")].status is CheckStatus.UNKNOWN
    assert not any(c.structure == "bladder" for c in checks)
    assert not any(c.constraint_code == "seed002_cauda_equina_eqd2_60gy" for c in checks)


@pytest.mark.parametrize(
    ("organ", "structure", "matches"),
    [
        ("ptv", "PTV30", True),
        ("ptv", "ptv_40", True),
        ("ptv", "PTV", True),
        ("ptv", "ptvx", False),
        ("spinal_cord", "Spinal_Cord", True),
        ("spinal_cord", "spinal_cord_prv", False),
    ],
)
def test_structure_matching(organ: str, structure: str, matches: bool) -> None:
    assert structure_matches(organ, structure) is matches


@pytest.mark.parametrize("measured", [-1.0, math.nan, math.inf])
def test_invalid_measured_dose_is_a_typed_error(measured: float) -> None:
    with pytest.raises(DoseInputError) as info:
        check_constraint(CORD_34, measured, fractions=10)
    assert info.value.field == "measured_gy"


def test_zero_measured_dose_is_allowed() -> None:
    assert check_constraint(CORD_34, 0.0, fractions=10).status is CheckStatus.PASS


def test_invalid_fractions_and_prescription() -> None:
    with pytest.raises(DoseInputError) as info:
        check_constraint(PTV_D98, 28.0, fractions=0, prescription_gy=0.0)
    assert set(info.value.as_dict()) == {"fractions", "prescription_gy"}


def test_a_custom_min_constraint_in_eqd2() -> None:
    # given an EQD2 minimum (a target coverage expressed biologically)
    constraint = Constraint(
        code="test_min",
        organ="gtv",
        metric=Metric.D95_PCT,
        limit=50.0,
        unit=LimitUnit.EQD2_GY,
        direction=Direction.MIN,
        alpha_beta=10.0,
        source="test",
    )
    # 35 Gy/5 -> EQD2_10 = 35 * 17 / 12 = 49.58 < 50 -> fail; 40 Gy/5 -> 60 -> pass
    assert check_constraint(constraint, 35.0, fractions=5).status is CheckStatus.FAIL
    assert check_constraint(constraint, 40.0, fractions=5).status is CheckStatus.PASS
