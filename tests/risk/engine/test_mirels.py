"""Mirels score: every cell of the published table, the 7/8/9 boundaries, totals 4 and 12, unknowns.

The expected values are written out here from clinical-rules.md §2 (Mirels 1989), independently of the
engine's own tables, so that a typo in either shows up as a failure.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.cases.facts import LesionFacts
from apps.cases.vocabulary import CorticalInvolvement, LimbPain, RadiographicType, Site, Subsite
from apps.risk.engine import ENGINE_VERSION, PhalanxLimb, mirels_category, mirels_score

# clinical-rules.md §2, written out by hand.
SITE_POINTS = {
    "humerus": 1,
    "radius": 1,
    "ulna": 1,
    "clavicle": 1,
    "metacarpal": 1,
    "tibia": 2,
    "fibula": 2,
    "metatarsal": 2,
}
FEMUR_SUBSITE_POINTS = {
    "peritrochanteric": 3,
    "femoral_neck": 3,
    "proximal": 2,
    "shaft": 2,
    "distal": 2,
    "femoral_head": 2,
}
PAIN_POINTS = {"none": 1, "mild": 1, "moderate": 2, "functional": 3}
LESION_POINTS = {"blastic": 1, "mixed": 2, "lytic": 3}
SIZE_POINTS = {"lt_one_third": 1, "one_third_to_two_thirds": 2, "gt_two_thirds": 3}
NOT_APPLICABLE_SITES = [
    "skull",
    "cervical_spine",
    "thoracic_spine",
    "lumbar_spine",
    "sacrum",
    "rib",
    "sternum",
    "scapula",
    "pelvis",
    "other",
]


def lesion(**fields: object) -> LesionFacts:
    base: dict[str, object] = {
        "site": Site.HUMERUS,
        "pain": LimbPain.MILD,
        "radiographic_type": RadiographicType.BLASTIC,
        "cortical_involvement": CorticalInvolvement.LT_ONE_THIRD,
    }
    base.update(fields)
    return LesionFacts(**base)  # type: ignore[arg-type]


def expected_category(total: int) -> str:
    return "impending_fracture" if total >= 9 else "borderline" if total == 8 else "low_risk"


@pytest.mark.parametrize(("site", "points"), SITE_POINTS.items())
def test_site_points_of_every_listed_bone(site: str, points: int) -> None:
    # Given a lesion of a listed bone, the other components at 1 point each
    # When it is scored
    result = mirels_score(lesion(site=site))
    # Then the site scores as the table says and the total is the sum
    assert result.applicable
    assert result.to_dict()["components"]["site"]["points"] == points
    assert result.score == points + 3


@pytest.mark.parametrize(("subsite", "points"), FEMUR_SUBSITE_POINTS.items())
def test_femur_site_points_by_subsite(subsite: str, points: int) -> None:
    # Given a femoral lesion in each femoral subsite
    result = mirels_score(lesion(site="femur", subsite=subsite))
    # Then peritrochanteric and femoral neck score 3, the rest of the femur 2
    assert result.to_dict()["components"]["site"]["points"] == points
    assert result.score == points + 3


def test_femur_without_subsite_is_unknown_not_guessed() -> None:
    # Given a femoral lesion whose subsite was not recorded
    result = mirels_score(lesion(site="femur", subsite=None))
    # Then the score is unknown: the site could be 2 or 3 (5 or 6 in all, low risk either way)
    assert result.applicable
    assert result.score is None and result.category == "low_risk"
    assert result.missing == ("subsite",)
    assert result.recommendation.startswith("Mirels 5-6 (unknown: needs subsite): ")
    assert result.possible_range == (5, 6)


def test_femur_without_subsite_gets_no_category_when_the_site_decides_it() -> None:
    # Given functional pain, blastic, 1/3-2/3: site 2 or 3 + 3 + 1 + 2 = 8 (borderline) or 9 (impending)
    result = mirels_score(lesion(site="femur", subsite=None, pain="functional", cortical_involvement="one_third_to_two_thirds"))
    assert result.possible_range == (8, 9)
    assert result.score is None and result.category is None
    assert result.recommendation == "unknown: needs subsite"


def test_femur_without_subsite_is_impending_when_both_totals_are() -> None:
    # Given functional pain, lytic, > 2/3: site 2 or 3 + 3 + 3 + 3 = 11 or 12, impending either way
    result = mirels_score(
        lesion(site="femur", subsite=None, pain="functional", radiographic_type="lytic", cortical_involvement="gt_two_thirds")
    )
    assert result.possible_range == (11, 12)
    assert result.score is None and result.category == "impending_fracture"


def test_femur_with_a_subsite_of_another_bone_is_unknown() -> None:
    result = mirels_score(lesion(site="femur", subsite="acetabulum"))
    assert result.score is None
    assert result.missing == ("subsite",)


def test_subsite_of_another_bone_is_ignored_on_a_non_femoral_site() -> None:
    # Given a humerus recorded with a femoral subsite (a data-entry slip)
    result = mirels_score(lesion(site="humerus", subsite="peritrochanteric"))
    # Then the humerus still scores as upper limb, and the slip is noted
    assert result.score == 4
    assert any("not a region of humerus" in note for note in result.notes)


def test_phalanx_defaults_to_the_conservative_foot_reading_and_states_it() -> None:
    # Given a phalanx lesion, hand or foot unknown
    result = mirels_score(lesion(site="phalanx", pain="functional", radiographic_type="lytic"))
    # Then it scores as a foot phalanx (2), and the notes give the hand-phalanx total
    assert result.to_dict()["components"]["site"]["points"] == 2
    assert result.score == 9
    assert result.category == "impending_fracture"
    assert any("foot phalanx" in note for note in result.notes)
    assert any("as a hand phalanx: total 8, borderline" in note for note in result.notes)


@pytest.mark.parametrize(("limb", "points"), [("hand", 1), ("foot", 2), (PhalanxLimb.HAND, 1)])
def test_phalanx_with_the_limb_given(limb: str, points: int) -> None:
    result = mirels_score(lesion(site="phalanx"), phalanx_limb=limb)
    assert result.to_dict()["components"]["site"]["points"] == points
    assert not any("hand phalanx: total" in note for note in result.notes)


def test_invalid_phalanx_limb_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        mirels_score(lesion(site="phalanx"), phalanx_limb="elbow")


@pytest.mark.parametrize(("pain", "points"), PAIN_POINTS.items())
def test_pain_points(pain: str, points: int) -> None:
    result = mirels_score(lesion(pain=pain))
    assert result.to_dict()["components"]["pain"]["points"] == points
    assert result.score == 3 + points


def test_pain_none_scores_as_mild_and_the_result_says_so() -> None:
    result = mirels_score(lesion(pain="none"))
    assert result.score == 4
    assert any("scores as mild (1)" in note for note in result.notes)
    assert "scores as mild" in result.to_dict()["components"]["pain"]["note"]


@pytest.mark.parametrize(("radiographic_type", "points"), LESION_POINTS.items())
def test_lesion_points(radiographic_type: str, points: int) -> None:
    result = mirels_score(lesion(radiographic_type=radiographic_type))
    assert result.to_dict()["components"]["lesion"]["points"] == points
    assert result.score == 3 + points


@pytest.mark.parametrize(("cortical", "points"), SIZE_POINTS.items())
def test_size_points(cortical: str, points: int) -> None:
    result = mirels_score(lesion(cortical_involvement=cortical))
    assert result.to_dict()["components"]["size"]["points"] == points
    assert result.score == 3 + points


@pytest.mark.parametrize(
    ("fields", "total", "category"),
    [
        ({}, 4, "low_risk"),
        ({"site": "tibia", "pain": "moderate", "radiographic_type": "mixed"}, 7, "low_risk"),
        ({"site": "tibia", "pain": "moderate", "radiographic_type": "lytic"}, 8, "borderline"),
        (
            {
                "site": "tibia",
                "pain": "moderate",
                "radiographic_type": "lytic",
                "cortical_involvement": "one_third_to_two_thirds",
            },
            9,
            "impending_fracture",
        ),
        (
            {
                "site": "femur",
                "subsite": "peritrochanteric",
                "pain": "functional",
                "radiographic_type": "lytic",
                "cortical_involvement": "gt_two_thirds",
            },
            12,
            "impending_fracture",
        ),
    ],
)
def test_boundaries_and_extreme_totals(fields: dict[str, str], total: int, category: str) -> None:
    # Given lesions totalling 4, 7, 8, 9 and 12
    result = mirels_score(lesion(**fields))
    # Then <= 7 is low risk, 8 borderline, >= 9 impending fracture
    assert (result.score, result.category) == (total, category)


@pytest.mark.parametrize(("total", "category"), [(t, expected_category(t)) for t in range(4, 13)])
def test_category_of_every_total(total: int, category: str) -> None:
    assert mirels_category(total) == category


def test_recommendation_texts_follow_the_category() -> None:
    assert (
        "prophylactic fixation"
        in mirels_score(lesion(site="femur", subsite="femoral_neck", pain="functional", radiographic_type="lytic")).recommendation
    )
    assert "surgical opinion" in mirels_score(lesion(site="tibia", pain="moderate", radiographic_type="lytic")).recommendation
    assert "radiotherapy and observation" in mirels_score(lesion()).recommendation


@pytest.mark.parametrize("site", NOT_APPLICABLE_SITES)
def test_other_sites_are_not_applicable_and_never_get_a_number(site: str) -> None:
    # Given a lesion outside the long and tubular bones, with every Mirels input filled in
    result = mirels_score(lesion(site=site, subsite=None))
    # Then the calculator answers "not applicable", never a number
    assert not result.applicable
    assert result.score is None and result.category is None
    assert result.recommendation.startswith("not applicable")
    data = result.to_dict()
    assert data["applicable"] is False and data["score"] is None and data["category"] is None


@pytest.mark.parametrize(
    ("field", "component"),
    [("pain", "pain"), ("radiographic_type", "lesion"), ("cortical_involvement", "size")],
)
def test_each_missing_input_answers_unknown_with_its_field(field: str, component: str) -> None:
    # Given a lesion with one Mirels input missing
    result = mirels_score(lesion(**{field: None}))
    # Then the score stays unknown and names the field; the category is certain (4-6: low risk either way)
    assert result.score is None and result.category == "low_risk"
    assert result.missing == (field,)
    assert result.recommendation.startswith(f"Mirels 4-6 (unknown: needs {field}): ")
    assert result.to_dict()["components"][component] == {
        "input": None,
        "points": None,
        "note": f"unknown: needs {field}",
    }
    # And the possible range is known points + 1..3
    assert result.possible_range == (4, 6)


def test_possible_range_note_when_several_inputs_are_missing() -> None:
    result = mirels_score(lesion(site="femur", subsite="femoral_neck", pain=None, cortical_involvement=None))
    assert result.missing == ("pain", "cortical_involvement")
    assert result.recommendation == "unknown: needs pain, cortical_involvement"
    assert result.possible_range == (6, 10)
    assert "possible range 6-10: low_risk to impending_fracture" in result.notes


def test_invalid_code_is_treated_as_unknown() -> None:
    result = mirels_score(lesion(pain="excruciating"))
    assert result.score is None
    assert result.missing == ("pain",)


def test_public_api_dict_shape() -> None:
    # Given a complete lesion
    data = mirels_score(lesion(site="femur", subsite="shaft", pain="moderate")).to_dict()
    # Then the dict has the contract's keys, is JSON-serialisable and cites its source
    assert set(data) >= {
        "applicable",
        "score",
        "category",
        "components",
        "missing",
        "recommendation",
        "source",
        "rule",
        "engine_version",
    }
    assert set(data["components"]) == {"site", "pain", "lesion", "size"}
    assert data["components"]["site"] == {"input": "femur", "points": 2, "note": "femur, shaft: lower limb"}
    assert data["components"]["pain"]["input"] == "moderate"
    assert type(data["components"]["pain"]["input"]) is str
    assert data["rule"] == "mirels"
    assert data["engine_version"] == ENGINE_VERSION
    assert "Mirels" in data["source"] and "003_694939402052979f.txt" in data["source"]
    assert json.loads(json.dumps(data)) == data


def _oracle_site(site: str, subsite: str | None) -> int | None:
    if site == "femur":
        return FEMUR_SUBSITE_POINTS.get(subsite) if subsite else None
    if site == "phalanx":
        return 2
    return SITE_POINTS.get(site)


MIRELS_SITES = [*SITE_POINTS, "femur", "phalanx"]


def test_exhaustive_enumeration_matches_the_oracle() -> None:
    # Given every combination of site, subsite, pain, lesion type and size (known or missing)
    subsites = [None, *Subsite]
    for site, subsite, pain, rtype, size in itertools.product(
        list(Site), subsites, [None, *LimbPain], [None, *RadiographicType], [None, *CorticalInvolvement]
    ):
        result = mirels_score(
            LesionFacts(site=site, subsite=subsite, pain=pain, radiographic_type=rtype, cortical_involvement=size)
        )
        # Then non-Mirels sites never get a number
        if site.value not in MIRELS_SITES:
            assert not result.applicable and result.score is None
            continue
        site_points = _oracle_site(site.value, subsite.value if subsite else None)
        parts = [
            site_points,
            PAIN_POINTS[pain] if pain else None,
            LESION_POINTS[rtype] if rtype else None,
            SIZE_POINTS[size] if size else None,
        ]
        # And known inputs give the oracle's total and category; any unknown gives no total, and a
        # category only when the lowest and highest completions share it
        if None in parts:
            spans = [(p, p) if p is not None else ((2, 3) if i == 0 else (1, 3)) for i, p in enumerate(parts)]
            low, high = sum(lo for lo, _ in spans), sum(hi for _, hi in spans)
            certain = expected_category(low) if expected_category(low) == expected_category(high) else None
            assert result.score is None and result.missing
            assert result.possible_range == (low, high) and result.category == certain
        else:
            total = sum(p for p in parts if p is not None)
            assert (result.score, result.category) == (total, expected_category(total))
            assert not result.missing


@given(
    site=st.sampled_from(MIRELS_SITES),
    subsite=st.sampled_from([None, *FEMUR_SUBSITE_POINTS]),
    pain=st.sampled_from(list(LimbPain)),
    rtype=st.sampled_from(list(RadiographicType)),
    size=st.sampled_from(list(CorticalInvolvement)),
    limb=st.sampled_from([None, "hand", "foot"]),
)
def test_total_is_the_sum_of_components_and_stays_within_4_to_12(
    site: str,
    subsite: str | None,
    pain: LimbPain,
    rtype: RadiographicType,
    size: CorticalInvolvement,
    limb: str | None,
) -> None:
    if site == "femur" and subsite is None:
        subsite = "shaft"
    result = mirels_score(
        LesionFacts(
            site=Site(site),
            subsite=Subsite(subsite) if subsite and site == "femur" else None,
            pain=pain,
            radiographic_type=rtype,
            cortical_involvement=size,
        ),
        phalanx_limb=limb,
    )
    points = [c.points for c in result.components]
    assert None not in points
    assert result.score == sum(p for p in points if p is not None)
    assert result.score is not None and 4 <= result.score <= 12
    assert result.category == expected_category(result.score)


@given(
    pain=st.sampled_from([None, *LimbPain]),
    rtype=st.sampled_from([None, *RadiographicType]),
    size=st.sampled_from([None, *CorticalInvolvement]),
)
def test_possible_range_brackets_every_completion(
    pain: LimbPain | None, rtype: RadiographicType | None, size: CorticalInvolvement | None
) -> None:
    # Given a tibia lesion with some inputs missing
    partial = mirels_score(LesionFacts(site=Site.TIBIA, pain=pain, radiographic_type=rtype, cortical_involvement=size))
    if partial.score is not None:
        return
    assert partial.possible_range is not None
    low, high = partial.possible_range
    # When every completion is scored, each total lies in the range and the extremes are reached
    totals = {
        mirels_score(LesionFacts(site=Site.TIBIA, pain=p, radiographic_type=r, cortical_involvement=s)).score
        for p in ([pain] if pain else list(LimbPain))
        for r in ([rtype] if rtype else list(RadiographicType))
        for s in ([size] if size else list(CorticalInvolvement))
    }
    assert min(t for t in totals if t is not None) == low
    assert max(t for t in totals if t is not None) == high
