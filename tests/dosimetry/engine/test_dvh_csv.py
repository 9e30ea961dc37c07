"""CSV DVH parsing: metrics definitions, differential input, and errors naming line and column."""

from __future__ import annotations

import pytest

from apps.dosimetry.engine import DVHParseError, parse_dvh_csv
from apps.dosimetry.engine.dvh import metrics_from_cumulative

# A 10 cc structure: all of it gets >= 10 Gy, the dose falls linearly to 0 cc at 20 Gy.
LINEAR_CSV = """# exported by a planning system
structure,dose_gy,volume_cc,cumulative
cord,0,10,true
cord,10,10,true
cord,20,0,true
"""


def test_linear_cumulative_dvh_metrics() -> None:
    # given V(D) = 10 cc up to 10 Gy, then linear to 0 cc at 20 Gy
    metrics = parse_dvh_csv(LINEAR_CSV)["cord"]
    # then every metric follows the piecewise-linear reading
    assert metrics.volume_cc == 10.0
    assert metrics.dmax_gy == 20.0
    assert metrics.dmin_gy == 10.0
    assert metrics.dmean_gy == pytest.approx(15.0)  # (10*10 + 10*10/2) / 10
    assert metrics.d2_pct_gy == pytest.approx(19.8)  # 0.2 cc
    assert metrics.d98_pct_gy == pytest.approx(10.2)  # 9.8 cc
    assert metrics.d50_pct_gy == pytest.approx(15.0)
    assert metrics.d0_5cc_gy == pytest.approx(19.5)
    assert metrics.d0_03cc_gy == pytest.approx(19.97)
    assert metrics.metrics["D0.5cc"] == pytest.approx(19.5)
    assert metrics.to_dict(decimals=2)["metrics"]["Dmean"] == 15.0


def test_percent_volumes_give_no_absolute_metrics() -> None:
    text = "Structure,Dose_Gy,Volume_Percent\nptv,0,100\nptv,28,100\nptv,30,50\nptv,32,0\n"
    metrics = parse_dvh_csv(text)["ptv"]
    assert metrics.volume_cc is None
    assert metrics.d0_5cc_gy is None
    assert "D0.5cc" not in metrics.metrics
    assert metrics.d98_pct_gy == pytest.approx(28.08)
    assert metrics.d2_pct_gy == pytest.approx(31.92)
    assert metrics.dmax_gy == 32.0


def test_differential_dvh_is_integrated_into_the_same_metrics() -> None:
    # given bins [0,10) 0 cc, [10,20) 10 cc, [20,30) 0 cc (last bin as wide as the one before)
    text = "structure,dose_gy,volume_cc,cumulative\nk,0,0,no\nk,10,10,no\nk,20,0,no\n"
    metrics = parse_dvh_csv(text)["k"]
    # then cumulative points are (0,10) (10,10) (20,0) (30,0): the linear case above
    assert metrics.volume_cc == 10.0
    assert metrics.dmax_gy == 20.0
    assert metrics.dmean_gy == pytest.approx(15.0)


def test_several_structures_and_default_cumulative() -> None:
    text = "structure,dose_gy,volume_cc\na,0,1\na,5,0\nb,0,2\nb,2,1\nb,4,0\n"
    result = parse_dvh_csv(text)
    assert list(result) == ["a", "b"]
    assert result["a"].dmax_gy == 5.0
    assert result["b"].dmean_gy == pytest.approx((2 * (2 + 1) / 2 + 2 * (1 + 0) / 2) / 2)


def test_small_structure_has_no_d0_5cc_and_unclosed_dvh_is_noted() -> None:
    text = "structure,dose_gy,volume_cc\ntiny,0,0.3\ntiny,10,0.3\ntiny,12,0.1\n"
    metrics = parse_dvh_csv(text)["tiny"]
    assert metrics.d0_5cc_gy is None
    assert metrics.d0_03cc_gy == pytest.approx(12.0)
    assert metrics.dmax_gy == 12.0
    assert any("does not reach zero" in note for note in metrics.notes)


def test_zero_volume_structure() -> None:
    metrics = metrics_from_cumulative("empty", [0.0, 1.0], [0.0, 0.0], absolute_volume=True)
    assert metrics.dmax_gy is None and metrics.metrics == {}


@pytest.mark.parametrize(
    ("text", "line", "column", "reason_part"),
    [
        ("", 1, None, "empty"),
        ("# only a comment\n", 1, None, "empty"),
        ("dose_gy,volume_cc\n1,2\n", 1, "structure", "missing"),
        ("structure,volume_cc\na,2\n", 1, "dose_gy", "missing"),
        ("structure,dose_gy\na,2\n", 1, "volume_cc", "exactly one"),
        ("structure,dose_gy,volume_cc,volume_percent\na,1,2,3\n", 1, "volume_percent", "exactly one"),
        ("structure,dose_gy,volume_cc\n", 1, None, "no data rows"),
        ("structure,dose_gy,volume_cc\na,0,1\na,x,1\n", 3, "dose_gy", "not a number"),
        ("structure,dose_gy,volume_cc\na,0,1\na,nan,1\n", 3, "dose_gy", "finite"),
        ("structure,dose_gy,volume_cc\na,0,-1\n", 2, "volume_cc", "negative"),
        ("structure,dose_gy,volume_cc\na,0,1,7\n", 2, None, "expected 3 fields"),
        ("structure,dose_gy,volume_cc\n,0,1\n", 2, "structure", "empty"),
        ("structure,dose_gy,volume_cc\na,0,1\n\na,0,1\n", 4, "dose_gy", "must increase"),
        ("structure,dose_gy,volume_cc\na,0,1\na,1,2\n", 3, "volume_cc", "cannot increase"),
        ("structure,dose_gy,volume_percent\na,0,120\n", 2, "volume_percent", "exceed 100"),
        ("structure,dose_gy,volume_cc,cumulative\na,0,1,maybe\n", 2, "cumulative", "true or false"),
        ("structure,dose_gy,volume_cc,cumulative\na,0,1,yes\na,1,0,no\n", 3, "cumulative", "mixes"),
        ("structure,dose_gy,volume_cc,cumulative\na,0,1,no\n", 2, "dose_gy", "at least 2 rows"),
    ],
)
def test_errors_name_line_and_column(text: str, line: int, column: str | None, reason_part: str) -> None:
    with pytest.raises(DVHParseError) as info:
        parse_dvh_csv(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert reason_part in info.value.reason
    assert f"line {line}" in str(info.value)
