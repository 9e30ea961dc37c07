"""SINS: every level's location score, every component cell, the 6/7 and 12/13 boundaries, spans, unknowns.

Expected values are written out from clinical-rules.md §3 (Fourney et al., JCO 2011), independently of the
engine's tables.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.cases.facts import LesionFacts
from apps.cases.vocabulary import (
    VERTEBRAL_LEVELS,
    Alignment,
    PosterolateralInvolvement,
    RadiographicType,
    Site,
    SpinalPain,
    VertebralCollapse,
)
from apps.risk.engine import sins_category, sins_score

# clinical-rules.md §3 location row, level by level.
LOCATION_POINTS = {
    "C1": 3, "C2": 3,
    "C3": 2, "C4": 2, "C5": 2, "C6": 2,
    "C7": 3, "T1": 3, "T2": 3,
    "T3": 1, "T4": 1, "T5": 1, "T6": 1, "T7": 1, "T8": 1, "T9": 1, "T10": 1,
    "T11": 3, "T12": 3, "L1": 3,
    "L2": 2, "L3": 2, "L4": 2,
    "L5": 3, "S1": 3,
    "S2": 0, "S3": 0, "S4": 0, "S5": 0,
}  # fmt: skip
PAIN_POINTS = {"mechanical": 3, "occasional_non_mechanical": 1, "none": 0}
BONE_LESION_POINTS = {"lytic": 2, "mixed": 1, "blastic": 0}
ALIGNMENT_POINTS = {"subluxation_translation": 4, "de_novo_deformity": 2, "normal": 0}
COLLAPSE_POINTS = {"gt50_collapse": 3, "lt50_collapse": 2, "no_collapse_gt50_involved": 1, "none": 0}
POSTEROLATERAL_POINTS = {"bilateral": 3, "unilateral": 1, "none": 0}
SITE_OF_LEVEL = {
    "C": "cervical_spine",
    "T": "thoracic_spine",
    "L": "lumbar_spine",
    "S": "sacrum",
    "c": "sacrum",
}


def spine(**fields: object) -> LesionFacts:
    """A semi-rigid T6 lesion scoring 1 point in total (location), every other component 0."""
    base: dict[str, object] = {
        "site": Site.THORACIC_SPINE,
        "level_from": "T6",
        "spinal_pain": SpinalPain.NONE,
        "radiographic_type": RadiographicType.BLASTIC,
        "alignment": Alignment.NORMAL,
        "vertebral_collapse": VertebralCollapse.NONE,
        "posterolateral_involvement": PosterolateralInvolvement.NONE,
    }
    base.update(fields)
    if "level_from" in fields and "site" not in fields and base["level_from"]:
        base["site"] = SITE_OF_LEVEL[str(base["level_from"])[0]]
    return LesionFacts(**base)  # type: ignore[arg-type]


def expected_category(total: int) -> str:
    return "unstable" if total >= 13 else "indeterminate" if total >= 7 else "stable"


def test_every_level_of_the_table_is_covered() -> None:
    assert set(LOCATION_POINTS) | {"coccyx"} == set(VERTEBRAL_LEVELS)


@pytest.mark.parametrize(("level", "points"), LOCATION_POINTS.items())
def test_location_score_of_every_level(level: str, points: int) -> None:
    # Given a single-level lesion, every other component at 0
    result = sins_score(spine(level_from=level))
    # Then the location scores as the table says
    assert result.to_dict()["components"]["location"]["points"] == points
    assert result.score == points


def test_coccyx_alone_is_not_applicable() -> None:
    # Given a lesion confined to the coccyx (outside the published table: occiput to S5)
    result = sins_score(spine(level_from="coccyx"))
    # Then SINS gives no number
    assert not result.applicable
    assert result.score is None and result.category is None
    assert "coccyx" in result.recommendation


def test_a_span_reaching_the_coccyx_scores_its_sacral_levels_only() -> None:
    result = sins_score(spine(level_from="S4", level_to="coccyx"))
    location = result.to_dict()["components"]["location"]
    assert location["points"] == 0
    assert location["input"] == "S4-coccyx"
    assert "coccyx" in location["note"]


@pytest.mark.parametrize(
    ("level_from", "level_to", "points"),
    [
        ("T3", "T10", 1),  # all semi-rigid
        ("T9", "T11", 3),  # reaches the thoracolumbar junction
        ("L2", "L5", 3),  # mobile, then junctional L5
        ("C3", "C6", 2),
        ("C6", "C7", 3),
        ("S2", "S5", 0),
        ("L4", "S2", 3),
        ("T5", "T5", 1),  # level_to equal to level_from: one level
    ],
)
def test_a_span_takes_the_highest_location_score(level_from: str, level_to: str, points: int) -> None:
    result = sins_score(spine(level_from=level_from, level_to=level_to))
    assert result.to_dict()["components"]["location"]["points"] == points


@pytest.mark.parametrize(("pain", "points"), PAIN_POINTS.items())
def test_pain_points(pain: str, points: int) -> None:
    result = sins_score(spine(spinal_pain=pain))
    assert result.to_dict()["components"]["pain"]["points"] == points
    assert result.score == 1 + points


@pytest.mark.parametrize(("rtype", "points"), BONE_LESION_POINTS.items())
def test_bone_lesion_points(rtype: str, points: int) -> None:
    result = sins_score(spine(radiographic_type=rtype))
    assert result.to_dict()["components"]["bone_lesion"]["points"] == points
    assert result.score == 1 + points


@pytest.mark.parametrize(("alignment", "points"), ALIGNMENT_POINTS.items())
def test_alignment_points(alignment: str, points: int) -> None:
    result = sins_score(spine(alignment=alignment))
    assert result.to_dict()["components"]["alignment"]["points"] == points
    assert result.score == 1 + points


@pytest.mark.parametrize(("collapse", "points"), COLLAPSE_POINTS.items())
def test_vertebral_collapse_points(collapse: str, points: int) -> None:
    result = sins_score(spine(vertebral_collapse=collapse))
    assert result.to_dict()["components"]["vertebral_collapse"]["points"] == points
    assert result.score == 1 + points


@pytest.mark.parametrize(("involvement", "points"), POSTEROLATERAL_POINTS.items())
def test_posterolateral_points(involvement: str, points: int) -> None:
    result = sins_score(spine(posterolateral_involvement=involvement))
    assert result.to_dict()["components"]["posterolateral_involvement"]["points"] == points
    assert result.score == 1 + points


PAINFUL_LYTIC = {"spinal_pain": "mechanical", "radiographic_type": "lytic"}  # T6: 1 + 3 + 2 = 6
SUBLUXED = {**PAINFUL_LYTIC, "alignment": "subluxation_translation"}  # 10


@pytest.mark.parametrize(
    ("fields", "total", "category", "consultation"),
    [
        ({"level_from": "S3"}, 0, "stable", False),
        (PAINFUL_LYTIC, 6, "stable", False),  # the highest stable total
        ({**PAINFUL_LYTIC, "posterolateral_involvement": "unilateral"}, 7, "indeterminate", True),
        ({**SUBLUXED, "vertebral_collapse": "lt50_collapse"}, 12, "indeterminate", True),
        ({**SUBLUXED, "vertebral_collapse": "gt50_collapse"}, 13, "unstable", True),
        # every maximum: 3 + 3 + 2 + 4 + 3 + 3 = 18
        (
            {
                **SUBLUXED,
                "level_from": "L1",
                "vertebral_collapse": "gt50_collapse",
                "posterolateral_involvement": "bilateral",
            },
            18,
            "unstable",
            True,
        ),
    ],
)
def test_boundaries_and_extreme_totals(fields: dict[str, str], total: int, category: str, consultation: bool) -> None:
    # Given lesions totalling 0, 6, 7, 12, 13 and 18
    result = sins_score(spine(**fields))
    # Then 0-6 is stable, 7-12 indeterminate, 13-18 unstable; 7 or more calls for a surgical consultation
    assert (result.score, result.category, result.surgical_consultation) == (total, category, consultation)
    assert result.to_dict()["surgical_consultation"] is consultation


@pytest.mark.parametrize(("total", "category"), [(t, expected_category(t)) for t in range(19)])
def test_category_of_every_total(total: int, category: str) -> None:
    assert sins_category(total) == category


@pytest.mark.parametrize("site", ["femur", "pelvis", "rib", "skull", "humerus", "other"])
def test_non_spinal_sites_are_not_applicable(site: str) -> None:
    result = sins_score(LesionFacts(site=Site(site), spinal_pain=SpinalPain.MECHANICAL))
    assert not result.applicable
    assert result.score is None and result.category is None and result.surgical_consultation is None


@pytest.mark.parametrize(
    ("field", "component"),
    [
        ("level_from", "location"),
        ("spinal_pain", "pain"),
        ("radiographic_type", "bone_lesion"),
        ("alignment", "alignment"),
        ("vertebral_collapse", "vertebral_collapse"),
        ("posterolateral_involvement", "posterolateral_involvement"),
    ],
)
def test_each_missing_input_answers_unknown_with_its_field(field: str, component: str) -> None:
    # Given a spinal lesion with one input missing
    result = sins_score(spine(**{field: None}))
    # Then the score stays unknown and the field is named; a category only when every completion shares it
    assert result.score is None and result.missing == (field,)
    low, high = result.possible_range
    certain = expected_category(low) if expected_category(low) == expected_category(high) else None
    assert result.category == certain
    assert f"unknown: needs {field}" in result.recommendation
    assert result.to_dict()["components"][component]["points"] is None


def test_invalid_span_is_unknown_not_a_crash() -> None:
    result = sins_score(spine(level_from="T8", level_to="T3"))
    assert result.score is None
    assert result.missing[:2] == ("level_from", "level_to")


def test_unknown_level_code_is_unknown_not_a_crash() -> None:
    result = sins_score(spine(level_from="T13"))
    assert result.score is None
    assert "level_from" in result.missing


def test_consultation_is_decided_when_the_known_points_already_reach_7() -> None:
    # Given known components summing to 1 + 3 + 2 + 4 = 10 and the collapse missing
    result = sins_score(
        spine(
            spinal_pain="mechanical",
            radiographic_type="lytic",
            alignment="subluxation_translation",
            vertebral_collapse=None,
        )
    )
    # Then the total is unknown (10-13) but the consultation is indicated whatever the missing value
    assert result.score is None and result.category is None
    assert result.possible_range == (10, 13)
    assert result.surgical_consultation is True


def test_consultation_is_false_when_no_completion_can_reach_7() -> None:
    # Given a sacral S3 lesion, blastic, pain-free, only the alignment missing (0 + 0..4)
    result = sins_score(spine(level_from="S3", alignment=None))
    assert result.possible_range == (0, 4)
    assert result.surgical_consultation is False


def test_consultation_is_unknown_when_the_missing_value_decides_it() -> None:
    result = sins_score(spine(spinal_pain="mechanical", radiographic_type="lytic", alignment=None))
    assert result.possible_range == (6, 10)
    assert result.surgical_consultation is None
    assert "possible range 6-10: stable to indeterminate" in result.notes


def test_public_api_dict_shape() -> None:
    data = sins_score(spine(level_from="T11", level_to="L2", spinal_pain="mechanical")).to_dict()
    assert data["rule"] == "sins"
    assert set(data["components"]) == {
        "location",
        "pain",
        "bone_lesion",
        "alignment",
        "vertebral_collapse",
        "posterolateral_involvement",
    }
    assert data["components"]["location"]["input"] == "T11-L2"
    assert data["score"] == 6 and data["category"] == "stable" and data["surgical_consultation"] is False
    assert "Fourney" in data["source"] and "000_76782ef81e029740.txt" in data["source"]
    assert json.loads(json.dumps(data)) == data


def _oracle_location(level_from: str, level_to: str | None) -> int | None:
    levels = VERTEBRAL_LEVELS[VERTEBRAL_LEVELS.index(level_from) : VERTEBRAL_LEVELS.index(level_to or level_from) + 1]
    scored = [LOCATION_POINTS[level] for level in levels if level != "coccyx"]
    return max(scored) if scored else None


def test_exhaustive_enumeration_matches_the_oracle() -> None:
    # Given every single-level and two-level lesion with every component value, known or missing
    spans = [(level, None) for level in VERTEBRAL_LEVELS] + list(itertools.pairwise(VERTEBRAL_LEVELS))
    for (level_from, level_to), pain, rtype, alignment, collapse, postero in itertools.product(
        spans,
        [None, *SpinalPain],
        [None, *RadiographicType],
        [None, *Alignment],
        [None, *VertebralCollapse],
        [None, *PosterolateralInvolvement],
    ):
        result = sins_score(
            LesionFacts(
                site=Site(SITE_OF_LEVEL[level_from[0]]),
                level_from=level_from,
                level_to=level_to,
                spinal_pain=pain,
                radiographic_type=rtype,
                alignment=alignment,
                vertebral_collapse=collapse,
                posterolateral_involvement=postero,
            )
        )
        location = _oracle_location(level_from, level_to)
        if location is None:
            assert not result.applicable
            continue
        parts = [
            location,
            PAIN_POINTS[pain] if pain else None,
            BONE_LESION_POINTS[rtype] if rtype else None,
            ALIGNMENT_POINTS[alignment] if alignment else None,
            COLLAPSE_POINTS[collapse] if collapse else None,
            POSTEROLATERAL_POINTS[postero] if postero else None,
        ]
        # Then complete inputs give the oracle's total, category and consultation; any unknown gives no
        # total, and a category only when the lowest and highest completions share it
        if None in parts:
            tables = [None, PAIN_POINTS, BONE_LESION_POINTS, ALIGNMENT_POINTS, COLLAPSE_POINTS, POSTEROLATERAL_POINTS]
            spans = [
                (p, p) if p is not None else (min(t.values()), max(t.values()))  # type: ignore[union-attr]
                for p, t in zip(parts, tables, strict=True)
            ]
            low, high = sum(lo for lo, _ in spans), sum(hi for _, hi in spans)
            certain = expected_category(low) if expected_category(low) == expected_category(high) else None
            assert result.score is None and result.missing
            assert result.possible_range == (low, high) and result.category == certain
        else:
            total = sum(p for p in parts if p is not None)
            assert (result.score, result.category) == (total, expected_category(total))
            assert result.surgical_consultation is (total >= 7)


@given(
    level_from=st.sampled_from(list(LOCATION_POINTS)),
    extra_levels=st.integers(min_value=0, max_value=6),
    pain=st.sampled_from(list(SpinalPain)),
    rtype=st.sampled_from(list(RadiographicType)),
    alignment=st.sampled_from(list(Alignment)),
    collapse=st.sampled_from(list(VertebralCollapse)),
    postero=st.sampled_from(list(PosterolateralInvolvement)),
)
def test_total_is_the_sum_of_components_and_stays_within_0_to_18(
    level_from: str,
    extra_levels: int,
    pain: SpinalPain,
    rtype: RadiographicType,
    alignment: Alignment,
    collapse: VertebralCollapse,
    postero: PosterolateralInvolvement,
) -> None:
    index = min(VERTEBRAL_LEVELS.index(level_from) + extra_levels, VERTEBRAL_LEVELS.index("S5"))
    result = sins_score(
        LesionFacts(
            site=Site(SITE_OF_LEVEL[level_from[0]]),
            level_from=level_from,
            level_to=VERTEBRAL_LEVELS[index],
            spinal_pain=pain,
            radiographic_type=rtype,
            alignment=alignment,
            vertebral_collapse=collapse,
            posterolateral_involvement=postero,
        )
    )
    points = [c.points for c in result.components]
    assert None not in points and len(points) == 6
    assert result.score == sum(p for p in points if p is not None)
    assert result.score is not None and 0 <= result.score <= 18
    assert result.category == expected_category(result.score)
    assert result.surgical_consultation is (result.score >= 7)
