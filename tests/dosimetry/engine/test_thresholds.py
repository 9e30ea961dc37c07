"""Intent thresholds: comparisons with figure, threshold, operator and source, never verdicts alone."""

from __future__ import annotations

import pytest

from apps.dosimetry.engine import THRESHOLDS, compare_regimen, evaluate_regimen
from apps.dosimetry.engine.thresholds import THRESHOLDS_BY_CODE, compare


def test_seed_001_example_24gy_in_2_is_computed_not_copied() -> None:
    # given seed 001 Table 1's "BED10 >= 100 Gy (e.g. 24 Gy/2#)"
    threshold = THRESHOLDS_BY_CODE["bed10_ge_100_oligomet_sbrt_seed001"]
    # when 24 Gy/2 is compared
    result = compare(threshold, 24.0, 2)
    # then the figure is the computed 52.8 Gy and the threshold is not met; both are shown
    assert result.figure_gy == pytest.approx(52.8)
    assert result.threshold_gy == 100.0
    assert result.operator == ">="
    assert result.met is False
    assert "52.8" in result.text and "100" in result.text
    assert "001_bdf9dfdfeafdf0a0.txt" in result.source


def test_bed10_39_threshold_is_strict() -> None:
    threshold = THRESHOLDS_BY_CODE["bed10_gt_39_lung_bone_local_control"]
    assert compare(threshold, 30.0, 10).met is False  # exactly 39.0
    assert compare(threshold, 30.01, 10).met is True
    assert compare(threshold, 20.0, 5).met is False  # 28.0


def test_bed_75_and_48_thresholds_are_inclusive() -> None:
    radical = THRESHOLDS_BY_CODE["bed_ge_75_radical_oligomet_breast"]
    trial = THRESHOLDS_BY_CODE["bed10_ge_48_nct03808337_minimum"]
    # 30 Gy/3: BED10 = 30 * 2 = 60 -> meets 48, not 75
    assert compare(trial, 30.0, 3).met is True
    assert compare(radical, 30.0, 3).met is False
    # 50 Gy/5: BED10 = 50 * 2 = 100 -> meets 75
    assert compare(radical, 50.0, 5).met is True
    # BED10 exactly 48: 40 Gy/20 -> 40 * 1.2 = 48
    assert compare(trial, 40.0, 20).figure_gy == pytest.approx(48.0)
    assert compare(trial, 40.0, 20).met is True


def test_thresholds_use_their_own_alpha_beta_whatever_the_regimen_alpha_beta() -> None:
    regimen = evaluate_regimen(2, 24.0, alpha_beta=2.0)
    comparisons = compare_regimen(regimen)
    assert [c.figure_gy for c in comparisons] == pytest.approx([52.8] * len(comparisons))


def test_a_sib_gets_one_comparison_per_level_per_threshold() -> None:
    regimen = evaluate_regimen(10, 30.0, 40.0)
    comparisons = compare_regimen(regimen)
    assert len(comparisons) == 2 * len(THRESHOLDS)
    lung = [c for c in comparisons if c.threshold_code == "bed10_gt_39_lung_bone_local_control"]
    assert [(c.level_index, c.met) for c in lung] == [(0, False), (1, True)]
    data = lung[1].to_dict(decimals=2)
    assert data["figure_gy"] == 56.0 and data["met"] is True and data["operator"] == ">"


def test_every_threshold_cites_a_seed() -> None:
    for threshold in THRESHOLDS:
        assert "seed" in threshold.source or ".txt" in threshold.source
        assert threshold.alpha_beta == 10.0
