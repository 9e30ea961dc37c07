"""High-risk asymptomatic bone metastasis (Gillespie criteria, clinical-rules.md §5)."""

from __future__ import annotations

import json

import pytest

from apps.cases.facts import LesionFacts
from apps.cases.vocabulary import VERTEBRAL_LEVELS, Site
from apps.risk.engine import high_risk_asymptomatic
from apps.risk.engine.sins import LEVEL_LOCATION

CRITERIA_ORDER = ["bulky", "joint", "long_bone_cortical", "junctional_spine", "posterior_elements"]
PROPHYLACTIC_JUNCTIONAL = {"C7", "T1", "T12", "L1", "L5", "S1"}
SITE_OF_LEVEL = {
    "C": "cervical_spine",
    "T": "thoracic_spine",
    "L": "lumbar_spine",
    "S": "sacrum",
    "c": "sacrum",
}


def quiet_lesion(**fields: object) -> LesionFacts:
    """An asymptomatic small rib lesion meeting no criterion; fields override."""
    base: dict[str, object] = {"site": Site.RIB, "max_diameter_mm": 10.0, "symptomatic": False}
    base.update(fields)
    return LesionFacts(**base)  # type: ignore[arg-type]


def spinal(level_from: str, level_to: str | None = None, **fields: object) -> LesionFacts:
    fields.setdefault("posterior_element_involvement", False)
    return quiet_lesion(site=SITE_OF_LEVEL[level_from[0]], level_from=level_from, level_to=level_to, **fields)


def statuses(lesion: LesionFacts) -> dict[str, str]:
    return {c.code: str(c.status) for c in high_risk_asymptomatic(lesion).criteria}


def test_a_lesion_meeting_no_criterion_is_not_high_risk() -> None:
    result = high_risk_asymptomatic(quiet_lesion())
    assert result.high_risk is False
    assert result.criteria_met == ()
    assert [c.code for c in result.criteria] == CRITERIA_ORDER
    assert result.to_dict()["criteria_met"] == []


@pytest.mark.parametrize(("diameter", "met"), [(19.9, False), (20.0, True), (20, True), (20.1, True), (0.0, False)])
def test_bulky_threshold_is_20_mm_inclusive(diameter: float, met: bool) -> None:
    # Given an asymptomatic lesion of a given diameter
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=diameter))
    # Then 20 mm or more is bulky
    assert ("bulky" in result.criteria_met) is met
    assert result.high_risk is met


@pytest.mark.parametrize(
    ("site", "subsite"),
    [
        ("pelvis", "acetabulum"),
        ("femur", "femoral_head"),
        ("femur", "femoral_neck"),
        ("scapula", "acromion"),
        ("scapula", "glenoid"),
        ("humerus", "humeral_head"),
        ("pelvis", "sacroiliac_joint"),
        ("sacrum", "sacroiliac_joint"),
    ],
)
def test_every_joint_region_meets_the_joint_criterion(site: str, subsite: str) -> None:
    result = high_risk_asymptomatic(quiet_lesion(site=site, subsite=subsite, cortical_involvement="lt_one_third"))
    assert result.criteria_met == ("joint",)
    assert result.high_risk is True


@pytest.mark.parametrize(("site", "subsite"), [("femur", "peritrochanteric"), ("femur", "shaft"), ("humerus", "proximal")])
def test_non_joint_subsites_do_not_meet_the_joint_criterion(site: str, subsite: str) -> None:
    assert statuses(quiet_lesion(site=site, subsite=subsite, cortical_involvement="lt_one_third"))["joint"] == "not_met"


@pytest.mark.parametrize("site", ["femur", "humerus"])
def test_joint_is_unknown_on_femur_and_humerus_without_subsite(site: str) -> None:
    # Given a femur or humerus lesion without subsite (it could be the femoral neck or humeral head)
    result = high_risk_asymptomatic(quiet_lesion(site=site, cortical_involvement="lt_one_third"))
    # Then the joint criterion is unknown, and so is the flag
    assert statuses(quiet_lesion(site=site, cortical_involvement="lt_one_third"))["joint"] == "unknown"
    # not flagged on what is recorded (the contract's bool), and undetermined (category None)
    assert result.high_risk is False and result.category is None
    assert result.criteria_unknown == ("joint",)
    assert result.missing == ("subsite",)
    assert result.recommendation == "unknown: needs subsite"


@pytest.mark.parametrize("site", ["pelvis", "scapula", "sacrum"])
def test_joint_not_met_where_the_vocabulary_has_only_joint_subsites(site: str) -> None:
    # Given an iliac-wing / scapular-body / sacral-body lesion: no subsite code exists for them
    check = statuses(quiet_lesion(site=site, level_from="S2" if site == "sacrum" else None, posterior_element_involvement=False))
    assert check["joint"] == "not_met"


@pytest.mark.parametrize("site", ["humerus", "radius", "ulna", "clavicle", "femur", "tibia", "fibula", "metacarpal", "phalanx"])
def test_long_bone_cortical_met_for_one_third_to_two_thirds_on_every_listed_bone(site: str) -> None:
    result = high_risk_asymptomatic(quiet_lesion(site=site, subsite="shaft", cortical_involvement="one_third_to_two_thirds"))
    assert result.criteria_met == ("long_bone_cortical",)


@pytest.mark.parametrize(("cortical", "status"), [("lt_one_third", "not_met"), ("gt_two_thirds", "not_met"), (None, "unknown")])
def test_long_bone_cortical_other_values(cortical: str | None, status: str) -> None:
    # Given a tibial shaft lesion: only 1/3-2/3 meets the criterion as written
    assert statuses(quiet_lesion(site="tibia", subsite="shaft", cortical_involvement=cortical))["long_bone_cortical"] == status


def test_metatarsal_is_not_in_the_trial_long_bone_list() -> None:
    result = high_risk_asymptomatic(quiet_lesion(site="metatarsal", cortical_involvement="one_third_to_two_thirds"))
    assert result.high_risk is False
    assert "metatarsal" in next(c for c in result.criteria if c.code == "long_bone_cortical").explanation


@pytest.mark.parametrize("level", VERTEBRAL_LEVELS)
def test_junctional_spine_is_only_the_gillespie_levels(level: str) -> None:
    # Given a single-level spinal lesion at each level
    met = statuses(spinal(level))["junctional_spine"] == "met"
    # Then exactly C7, T1, T12, L1, L5, S1 meet the prophylactic junctional criterion
    assert met is (level in PROPHYLACTIC_JUNCTIONAL)


@pytest.mark.parametrize("level", ["C1", "C2", "T2", "T11"])
def test_sins_junctional_levels_that_are_not_prophylactic_junctional(level: str) -> None:
    # Given a level that SINS scores as junctional (3 points)
    assert LEVEL_LOCATION[level][0] == 3
    # Then it is NOT junctional for the prophylactic criteria (narrower set)
    assert statuses(spinal(level))["junctional_spine"] == "not_met"


@pytest.mark.parametrize(
    ("level_from", "level_to", "met"),
    [("T10", "T12", True), ("T2", "T6", False), ("L2", "L5", True), ("C5", "C6", False)],
)
def test_a_span_meets_junctional_when_any_level_is_junctional(level_from: str, level_to: str, met: bool) -> None:
    assert (statuses(spinal(level_from, level_to))["junctional_spine"] == "met") is met


def test_spinal_lesion_without_level_is_unknown_for_junctional_spine() -> None:
    result = high_risk_asymptomatic(quiet_lesion(site="thoracic_spine", posterior_element_involvement=False))
    assert result.criteria_unknown == ("junctional_spine",)
    assert result.missing == ("level_from",)
    # not flagged on what is recorded (the contract's bool), and undetermined (category None)
    assert result.high_risk is False and result.category is None


def test_posterior_elements_is_its_own_code() -> None:
    result = high_risk_asymptomatic(spinal("T6", posterior_element_involvement=True))
    assert result.criteria_met == ("posterior_elements",)


def test_posterior_elements_unknown_on_a_spinal_lesion() -> None:
    result = high_risk_asymptomatic(spinal("T6", posterior_element_involvement=None))
    assert result.criteria_unknown == ("posterior_elements",)
    # not flagged on what is recorded (the contract's bool), and undetermined (category None)
    assert result.high_risk is False and result.category is None
    assert result.recommendation == "unknown: needs posterior_element_involvement"


def test_every_criterion_met_is_listed_in_the_fixed_order() -> None:
    # Given a bulky lesion at T12 with posterior element involvement
    result = high_risk_asymptomatic(spinal("T12", max_diameter_mm=35.0, posterior_element_involvement=True))
    # Then all met criteria are listed, in order
    assert result.criteria_met == ("bulky", "junctional_spine", "posterior_elements")
    assert result.to_dict()["criteria_met"] == ["bulky", "junctional_spine", "posterior_elements"]


def test_all_five_criteria_can_be_met_together() -> None:
    lesion = LesionFacts(
        site=Site.FEMUR,
        subsite=None,
        max_diameter_mm=30.0,
        cortical_involvement="one_third_to_two_thirds",  # type: ignore[arg-type]
        symptomatic=False,
    )
    assert high_risk_asymptomatic(lesion).criteria_met == ("bulky", "long_bone_cortical")
    # Subsite femoral_neck adds the joint criterion
    neck = LesionFacts(
        site=Site.FEMUR,
        subsite="femoral_neck",  # type: ignore[arg-type]
        max_diameter_mm=30.0,
        cortical_involvement="one_third_to_two_thirds",  # type: ignore[arg-type]
        symptomatic=False,
    )
    assert high_risk_asymptomatic(neck).criteria_met == ("bulky", "joint", "long_bone_cortical")


def test_a_met_criterion_decides_even_when_others_are_unknown() -> None:
    # Given a bulky spinal lesion whose posterior elements were not assessed
    result = high_risk_asymptomatic(spinal("T6", max_diameter_mm=25.0, posterior_element_involvement=None))
    # Then it is high-risk, and the unknown criterion is still reported
    assert result.high_risk is True
    assert result.criteria_unknown == ("posterior_elements",)
    assert result.to_dict()["criteria_unknown"] == ["posterior_elements"]
    assert "prophylactic radiotherapy" in result.recommendation


def test_missing_diameter_is_unknown() -> None:
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=None))
    # not flagged on what is recorded (the contract's bool), and undetermined (category None)
    assert result.high_risk is False and result.category is None
    assert result.missing == ("max_diameter_mm",)
    assert result.recommendation == "unknown: needs max_diameter_mm"


def test_symptomatic_lesion_lists_criteria_but_is_not_flagged() -> None:
    # Given a symptomatic bulky lesion
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=40.0, symptomatic=True))
    # Then the criteria are listed, but the asymptomatic high-risk flag does not apply
    assert result.criteria_met == ("bulky",)
    assert result.high_risk is False
    assert not result.applicable
    assert "symptomatic" in result.recommendation and "bulky" in result.recommendation


def test_unknown_symptoms_with_a_criterion_met_is_flagged_and_asks_to_confirm() -> None:
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=40.0, symptomatic=None))
    assert result.high_risk is True and result.category == "high_risk"
    assert result.criteria_met == ("bulky",)
    assert result.missing == ("symptomatic",)
    assert result.recommendation.startswith("high-risk bone metastasis by the Gillespie criteria (bulky)")
    assert "symptoms not recorded: confirm it is asymptomatic or minimally symptomatic" in result.recommendation


def test_unknown_symptoms_without_any_criterion_is_still_not_high_risk() -> None:
    assert high_risk_asymptomatic(quiet_lesion(symptomatic=None)).high_risk is False


def test_public_api_dict_shape() -> None:
    data = high_risk_asymptomatic(spinal("L5", max_diameter_mm=22.0)).to_dict()
    assert data["high_risk"] is True
    assert data["criteria_met"] == ["bulky", "junctional_spine"]
    assert data["rule"] == "high_risk_asymptomatic"
    assert "Gillespie" in data["source"]
    assert [c["code"] for c in data["criteria"]] == CRITERIA_ORDER
    assert json.loads(json.dumps(data)) == data


# -- symptom burden (issue 9: the trial enrolled asymptomatic or minimally symptomatic lesions) -------------


@pytest.mark.parametrize(
    ("symptoms", "symptomatic", "high_risk", "applicable", "burden"),
    [
        ("asymptomatic", None, True, True, "asymptomatic"),
        ("minimally_symptomatic", None, True, True, "minimally_symptomatic"),
        ("symptomatic", None, False, False, "symptomatic"),
        ("asymptomatic", False, True, True, "asymptomatic"),
        ("minimally_symptomatic", False, True, True, "minimally_symptomatic"),
        ("symptomatic", True, False, False, "symptomatic"),
        (None, False, True, True, "asymptomatic_or_minimally_symptomatic"),
        (None, True, False, False, "symptomatic"),
    ],
)
def test_the_flag_applies_to_asymptomatic_and_minimally_symptomatic_lesions(
    symptoms: str | None, symptomatic: bool | None, high_risk: bool, applicable: bool, burden: str
) -> None:
    # Given a bulky lesion with a recorded symptom burden
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=30.0, symptoms=symptoms, symptomatic=symptomatic))
    # Then the Gillespie flag is raised unless the lesion is symptomatic
    assert result.high_risk is high_risk
    assert result.applicable is applicable
    assert result.symptoms == burden
    assert result.symptomatic is (burden == "symptomatic")
    assert result.to_dict()["symptoms"] == burden
    assert "symptomatic" not in result.missing


def test_a_minimally_symptomatic_lesion_is_called_so() -> None:
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=30.0, symptoms="minimally_symptomatic", symptomatic=None))
    assert result.recommendation.startswith("high-risk minimally symptomatic bone metastasis (bulky)")


@pytest.mark.parametrize(
    ("symptoms", "symptomatic"), [("symptomatic", False), ("asymptomatic", True), ("minimally_symptomatic", True)]
)
def test_contradicting_symptom_fields_are_not_believed(symptoms: str, symptomatic: bool) -> None:
    result = high_risk_asymptomatic(quiet_lesion(max_diameter_mm=30.0, symptoms=symptoms, symptomatic=symptomatic))
    # Then the burden is unknown: flagged on the criteria, symptoms asked for, the contradiction named
    assert result.symptoms is None and result.symptomatic is None
    assert result.high_risk is True and "symptomatic" in result.missing
    assert any("disagree" in note for note in result.notes)


def test_unknown_burden_without_any_criterion_is_still_not_high_risk() -> None:
    result = high_risk_asymptomatic(quiet_lesion(symptoms=None, symptomatic=None))
    assert result.high_risk is False and result.category == "not_high_risk"
