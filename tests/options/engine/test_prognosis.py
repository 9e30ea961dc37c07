"""Revised Tokuhashi and Tomita (clinical-rules.md §10): every cell, every band and strategy boundary,
and the possible range / band of an incomplete score."""

from __future__ import annotations

from typing import Any

import pytest

from apps.options.engine.prognosis import (
    TokuhashiBand,
    TomitaStrategy,
    possible_totals,
    tokuhashi_band,
    tokuhashi_score,
    tomita_bone,
    tomita_primary_growth,
    tomita_score,
    tomita_strategy,
    tomita_visceral,
)

#: A complete input scoring 0 on every component except where a test sets it.
ZERO: dict[str, Any] = {
    "karnofsky_performance_status": 10,
    "extraspinal_bone_metastases_count": 3,
    "vertebral_metastases_count": 3,
    "major_organ_metastases": "unremovable",
    "primary_histology": "nsclc",
    "primary_subsite": None,
    "frankel_grade": "A",
}


def toku(**overrides: Any) -> Any:
    return tokuhashi_score(**{**ZERO, **overrides})


def points(result: Any, name: str) -> int | None:
    return next(c.points for c in result.components if c.name == name)


def test_all_zero_components_total_zero() -> None:
    result = toku()
    assert result.score == 0
    assert result.possible_range == (0, 0)
    assert result.category == "lt_6_months"
    assert result.missing == ()


@pytest.mark.parametrize(
    ("kps", "expected"),
    [(10, 0), (20, 0), (30, 0), (40, 0), (50, 1), (60, 1), (70, 1), (80, 2), (90, 2), (100, 2)],
)
def test_general_condition_cells(kps: int, expected: int) -> None:
    result = toku(karnofsky_performance_status=kps)
    assert points(result, "general_condition") == expected
    assert result.score == expected


@pytest.mark.parametrize(("count", "expected"), [(0, 2), (1, 1), (2, 1), (3, 0), (7, 0)])
def test_extraspinal_bone_metastases_cells(count: int, expected: int) -> None:
    assert toku(extraspinal_bone_metastases_count=count).score == expected


@pytest.mark.parametrize(("count", "expected"), [(1, 2), (2, 1), (3, 0), (9, 0)])
def test_vertebral_body_metastases_cells(count: int, expected: int) -> None:
    assert toku(vertebral_metastases_count=count).score == expected


def test_zero_vertebral_metastases_is_not_a_spinal_score_input() -> None:
    result = toku(vertebral_metastases_count=0)
    assert result.score is None
    assert "vertebral_metastases_count" in result.missing


@pytest.mark.parametrize(("value", "expected"), [("unremovable", 0), ("removable", 1), ("none", 2)])
def test_major_organ_metastases_cells(value: str, expected: int) -> None:
    assert toku(major_organ_metastases=value).score == expected


@pytest.mark.parametrize(
    ("histology", "subsite", "expected"),
    [
        ("nsclc", None, 0),
        ("sclc", None, 0),
        ("gastric", None, 0),
        ("urothelial", None, 0),
        ("esophageal_squamous", None, 0),
        ("pancreatic", None, 0),
        ("sarcoma", "osteosarcoma", 0),
        ("hepatocellular", None, 1),
        ("gallbladder", None, 1),
        ("unknown_primary", None, 1),
        ("sarcoma", "other", 2),
        ("colorectal", "colon", 2),
        ("melanoma", None, 2),
        ("head_neck_squamous", None, 2),
        ("myeloma", None, 2),
        ("lymphoma", None, 2),
        ("pheochromocytoma", None, 2),
        ("ovarian", None, 2),
        ("germ_cell", None, 2),
        ("other", None, 2),
        ("renal_cell", None, 3),
        ("endometrial", None, 3),
        ("cervical", None, 3),
        ("colorectal", "rectum", 4),
        ("breast", None, 5),
        ("prostate", None, 5),
        ("thyroid", None, 5),
        ("neuroendocrine", None, 5),
    ],
)
def test_primary_site_cells(histology: str, subsite: str | None, expected: int) -> None:
    result = toku(primary_histology=histology, primary_subsite=subsite)
    assert points(result, "primary_site") == expected
    assert result.score == expected


@pytest.mark.parametrize(("grade", "expected"), [("A", 0), ("B", 0), ("C", 1), ("D", 1), ("E", 2)])
def test_palsy_cells(grade: str, expected: int) -> None:
    assert toku(frankel_grade=grade).score == expected


def test_maximum_is_fifteen() -> None:
    result = tokuhashi_score(
        karnofsky_performance_status=100,
        extraspinal_bone_metastases_count=0,
        vertebral_metastases_count=1,
        major_organ_metastases="none",
        primary_histology="breast",
        frankel_grade="E",
    )
    assert result.score == 15
    assert result.category == "gte_12_months"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "lt_6_months"),
        (8, "lt_6_months"),
        (9, "gte_6_months"),
        (11, "gte_6_months"),
        (12, "gte_12_months"),
        (15, "gte_12_months"),
    ],
)
def test_band_boundaries(total: int, band: str) -> None:
    assert tokuhashi_band(total) == TokuhashiBand(band)


@pytest.mark.parametrize(
    ("total", "band"), [(8, "lt_6_months"), (9, "gte_6_months"), (11, "gte_6_months"), (12, "gte_12_months")]
)
def test_band_boundaries_through_the_score(total: int, band: str) -> None:
    # breast (5) + Frankel E (2) + none organ (2) = 9; tune with Karnofsky and the counts.
    base = {"primary_histology": "breast", "frankel_grade": "E", "major_organ_metastases": "none"}
    extra = total - 9
    overrides: dict[str, Any] = dict(base)
    if extra < 0:
        overrides["major_organ_metastases"] = "removable"  # 8
    else:
        kps = {0: 10, 1: 50, 2: 80}[min(extra, 2)]
        overrides["karnofsky_performance_status"] = kps
        if extra == 3:
            overrides["vertebral_metastases_count"] = 2
    result = toku(**overrides)
    assert result.score == total
    assert result.category == band


def test_colorectal_without_subsite_is_two_or_four() -> None:
    result = toku(primary_histology="colorectal", primary_subsite=None)
    assert result.score is None
    assert result.possible_range == (2, 4)
    assert "primary_subsite" in result.missing
    component = next(c for c in result.components if c.name == "primary_site")
    assert component.possible_points == (2, 4)
    assert result.category == "lt_6_months"  # 2 and 4 both fall in 0-8


def test_sarcoma_without_subsite_is_zero_or_two() -> None:
    result = toku(primary_histology="sarcoma")
    assert result.score is None
    assert result.possible_range == (0, 2)


def test_band_given_only_when_every_possible_total_shares_it() -> None:
    # 6 points known (breast 5 + Frankel C-D 1) ... plus colorectal ambiguity instead of breast
    known = {"karnofsky_performance_status": 80, "major_organ_metastases": "none", "frankel_grade": "E"}  # 6
    result = toku(**known, primary_histology="colorectal")  # 6 + {2, 4} = 8 or 10
    assert result.possible_range == (8, 10)
    assert result.category is None
    result = toku(**known, primary_histology="colorectal", vertebral_metastases_count=2)  # 7 + {2,4} = 9 or 11
    assert result.possible_range == (9, 11)
    assert result.category == "gte_6_months"


def test_band_uses_the_possible_totals_not_only_the_range_ends() -> None:
    # possible {0, 2} + {2, 4} = {2, 4, 6}: every total in lt_6_months
    result = toku(primary_histology="colorectal", extraspinal_bone_metastases_count=None, karnofsky_performance_status=10)
    assert result.score is None
    assert result.category == "lt_6_months"


def test_everything_unknown_spans_zero_to_fifteen() -> None:
    result = tokuhashi_score(
        karnofsky_performance_status=None,
        extraspinal_bone_metastases_count=None,
        vertebral_metastases_count=None,
        major_organ_metastases=None,
        primary_histology=None,
    )
    assert result.score is None
    assert result.possible_range == (0, 15)
    assert result.category is None
    assert set(result.missing) == {
        "karnofsky_performance_status",
        "extraspinal_bone_metastases_count",
        "vertebral_metastases_count",
        "major_organ_metastases",
        "primary_histology",
        "frankel_grade",
    }
    assert result.notes[0].startswith("unknown: needs ")


def test_karnofsky_off_the_ten_step_grid_is_unknown() -> None:
    result = toku(karnofsky_performance_status=55)
    assert result.score is None
    assert result.possible_range == (0, 2)


def test_possible_totals_is_the_sumset() -> None:
    result = toku(primary_histology="colorectal", frankel_grade=None)
    assert possible_totals(result.components) == (2, 3, 4, 5, 6)


def test_to_dict_has_the_contract_keys() -> None:
    data = toku().to_dict()
    for key in ("score", "possible_range", "band", "components", "source"):
        assert key in data
    assert data["possible_range"] == [0, 0]
    assert set(data["components"]) == {
        "general_condition",
        "extraspinal_bone_metastases",
        "vertebral_body_metastases",
        "major_internal_organ_metastases",
        "primary_site",
        "palsy",
    }
    assert "Tokuhashi" in data["source"]


# ---------------------------------------------------------------------------------------------- Tomita


@pytest.mark.parametrize(("growth", "expected"), [("slow", 1), ("moderate", 2), ("rapid", 4)])
def test_tomita_primary_growth_cells(growth: str, expected: int) -> None:
    result = tomita_score(primary_growth=growth, visceral_metastases="none", bone_metastases="solitary")
    assert result.score == expected + 1


@pytest.mark.parametrize(("visceral", "expected"), [("none", 0), ("treatable", 2), ("untreatable", 4)])
def test_tomita_visceral_cells(visceral: str, expected: int) -> None:
    result = tomita_score(primary_growth="slow", visceral_metastases=visceral, bone_metastases="solitary")
    assert result.score == 1 + expected + 1


@pytest.mark.parametrize(("bone", "expected"), [("solitary", 1), ("multiple", 2)])
def test_tomita_bone_cells(bone: str, expected: int) -> None:
    result = tomita_score(primary_growth="slow", visceral_metastases="none", bone_metastases=bone)
    assert result.score == 1 + expected


@pytest.mark.parametrize(
    ("total", "strategy"),
    [
        (2, "wide_or_marginal_excision"),
        (3, "wide_or_marginal_excision"),
        (4, "marginal_or_intralesional_excision"),
        (5, "marginal_or_intralesional_excision"),
        (6, "palliative_surgery"),
        (7, "palliative_surgery"),
        (8, "supportive_care"),
        (10, "supportive_care"),
    ],
)
def test_tomita_strategy_boundaries(total: int, strategy: str) -> None:
    assert tomita_strategy(total) == TomitaStrategy(strategy)


@pytest.mark.parametrize(
    ("growth", "visceral", "bone", "total", "strategy"),
    [
        ("slow", "none", "solitary", 2, "wide_or_marginal_excision"),
        ("slow", "none", "multiple", 3, "wide_or_marginal_excision"),
        ("moderate", "none", "multiple", 4, "marginal_or_intralesional_excision"),
        ("slow", "treatable", "multiple", 5, "marginal_or_intralesional_excision"),
        ("rapid", "none", "multiple", 6, "palliative_surgery"),
        ("rapid", "treatable", "solitary", 7, "palliative_surgery"),
        ("rapid", "treatable", "multiple", 8, "supportive_care"),
        ("rapid", "untreatable", "multiple", 10, "supportive_care"),
    ],
)
def test_tomita_totals_at_each_boundary(growth: str, visceral: str, bone: str, total: int, strategy: str) -> None:
    result = tomita_score(primary_growth=growth, visceral_metastases=visceral, bone_metastases=bone)
    assert result.score == total
    assert result.category == strategy
    assert result.to_dict()["strategy"] == strategy


def test_tomita_unknown_growth_keeps_the_range_and_a_shared_strategy() -> None:
    result = tomita_score(primary_growth=None, visceral_metastases="untreatable", bone_metastases="multiple")
    assert result.score is None
    assert result.possible_range == (7, 10)
    assert result.category is None  # 7 is palliative, 8-10 supportive
    result = tomita_score(primary_growth="rapid", visceral_metastases=None, bone_metastases="multiple")
    assert result.possible_range == (6, 10)
    assert result.category is None
    result = tomita_score(primary_growth="rapid", visceral_metastases="untreatable", bone_metastases=None)
    assert result.possible_range == (9, 10)
    assert result.category == "supportive_care"


# ------------------------------------------------------------------------------- Tomita inputs from a case


@pytest.mark.parametrize(
    ("histology", "subsite", "growth"),
    [
        ("breast", None, "slow"),
        ("thyroid", None, "slow"),
        ("prostate", None, "slow"),
        ("renal_cell", None, "moderate"),
        ("endometrial", None, "moderate"),
        ("cervical", None, "moderate"),
        ("nsclc", None, "rapid"),
        ("sclc", None, "rapid"),
        ("hepatocellular", None, "rapid"),
        ("gastric", None, "rapid"),
        ("colorectal", "colon", "rapid"),
        ("unknown_primary", None, "rapid"),
        ("colorectal", "rectum", None),
        ("colorectal", None, None),
        ("melanoma", None, None),
        ("myeloma", None, None),
        ("other", None, None),
        (None, None, None),
    ],
)
def test_primary_growth_from_histology(histology: str | None, subsite: str | None, growth: str | None) -> None:
    assert tomita_primary_growth(histology, subsite).value == growth


@pytest.mark.parametrize(
    ("count", "organ", "expected"),
    [
        (0, None, "none"),
        (0, "none", "none"),
        (0, "removable", None),
        (2, "removable", "treatable"),
        (2, "unremovable", "untreatable"),
        (None, "removable", "treatable"),
        (None, "unremovable", "untreatable"),
        (2, None, None),
        (2, "none", None),
        (None, None, None),
        (None, "none", None),
    ],
)
def test_visceral_from_case_counts(count: int | None, organ: str | None, expected: str | None) -> None:
    assert tomita_visceral(count, organ).value == expected


@pytest.mark.parametrize(
    ("bone", "lesions", "extraspinal", "vertebral", "expected"),
    [
        (1, 1, None, None, "solitary"),
        (1, 0, 0, 1, "solitary"),
        (2, 1, None, None, "multiple"),
        (1, 2, None, None, "multiple"),
        (1, 1, 1, 1, "multiple"),
        (None, 3, None, None, "multiple"),
        (None, 1, None, None, None),
        (0, 1, None, None, None),
    ],
)
def test_bone_metastases_from_case_counts(
    bone: int | None, lesions: int, extraspinal: int | None, vertebral: int | None, expected: str | None
) -> None:
    assert tomita_bone(bone, lesions, extraspinal, vertebral).value == expected


# ---------------------------------------------------------------------------------------------- from a case


def test_case_without_a_spinal_lesion_says_the_scores_are_spinal() -> None:
    from apps.options.engine import case_prognosis
    from tests.options.engine.builders import case_of, femur

    result = case_prognosis(case_of(femur(), karnofsky_performance_status=80)).to_dict()
    assert result["spinal"] is False
    assert "spinal" in result["note"].lower()
    for name in ("tokuhashi", "tomita"):
        assert result[name]["applicable"] is False
        assert result[name]["score"] is None
        assert any("spinal" in note for note in result[name]["notes"])
    assert result["tokuhashi"]["band"] is None
    assert result["tomita"]["strategy"] is None


def test_case_prognosis_reads_the_case_fields() -> None:
    from apps.options.engine import case_prognosis
    from tests.options.engine.builders import case_of, femur, spine

    case = case_of(
        spine(),
        femur(),
        primary_histology="colorectal",
        primary_subsite="rectum",
        karnofsky_performance_status=70,
        extraspinal_bone_metastases_count=1,
        vertebral_metastases_count=1,
        major_organ_metastases="none",
        frankel_grade="D",
        visceral_metastases_count=0,
        bone_metastases_count=2,
    )
    result = case_prognosis(case)
    assert result.spinal is True
    assert result.tokuhashi.score == 1 + 1 + 2 + 2 + 4 + 1
    assert result.tokuhashi.category == "gte_6_months"
    # rectum: Tomita names the colon only, so growth is unknown: 1/2/4 + none 0 + multiple 2
    assert result.tomita.score is None
    assert result.tomita.possible_range == (3, 6)
    assert result.tomita.category is None


def test_case_tomita_complete_and_the_fields_it_needs() -> None:
    from apps.options.engine import case_prognosis
    from tests.options.engine.builders import case_of, spine

    case = case_of(spine(), primary_histology="breast", visceral_metastases_count=0, bone_metastases_count=1)
    tomita = case_prognosis(case).tomita
    assert tomita.score == 2
    assert tomita.category == "wide_or_marginal_excision"
    case = case_of(spine(), primary_histology="breast", visceral_metastases_count=None, bone_metastases_count=None)
    tomita = case_prognosis(case).tomita
    assert tomita.score is None
    assert set(tomita.missing) == {"visceral_metastases_count", "bone_metastases_count"}
