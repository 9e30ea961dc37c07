"""assess_lesion / assess_case, the ranked flags and the inputs digest."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from apps.cases.facts import CaseFacts, LesionFacts, PriorCourseFacts
from apps.cases.vocabulary import LimbPain, Site, Subsite
from apps.risk.engine import ENGINE_VERSION, assess_case, assess_lesion, case_inputs_digest, inputs_digest

IMPENDING_FEMUR = LesionFacts(
    site=Site.FEMUR,
    subsite="peritrochanteric",  # type: ignore[arg-type]
    pain="functional",  # type: ignore[arg-type]
    radiographic_type="lytic",  # type: ignore[arg-type]
    cortical_involvement="gt_two_thirds",  # type: ignore[arg-type]
    max_diameter_mm=35.0,
    symptomatic=True,
    ref="femur-1",
)
COMPRESSING_T12 = LesionFacts(
    site=Site.THORACIC_SPINE,
    level_from="T12",
    spinal_pain="mechanical",  # type: ignore[arg-type]
    radiographic_type="lytic",  # type: ignore[arg-type]
    alignment="subluxation_translation",  # type: ignore[arg-type]
    vertebral_collapse="gt50_collapse",  # type: ignore[arg-type]
    posterolateral_involvement="bilateral",  # type: ignore[arg-type]
    epidural_compression_grade="3",  # type: ignore[arg-type]
    prior_radiotherapy=False,
    symptomatic=True,
    ref="spine-1",
)
QUIET_BULKY_RIB = LesionFacts(site=Site.RIB, max_diameter_mm=25.0, symptomatic=False, ref="rib-1")
BORDERLINE_TIBIA = LesionFacts(
    site=Site.TIBIA,
    pain="moderate",  # type: ignore[arg-type]
    radiographic_type="lytic",  # type: ignore[arg-type]
    cortical_involvement="lt_one_third",  # type: ignore[arg-type]
    max_diameter_mm=10.0,
    symptomatic=True,
    ref="tibia-1",
)


def board_case(*lesions: LesionFacts, **fields: object) -> CaseFacts:
    base: dict[str, object] = {
        "primary_histology": "renal_cell",
        "estimated_survival_months": 10.0,
        "bone_metastases_count": len(lesions),
        "visceral_metastases_count": 0,
        "history_polymetastatic": False,
        "history_oligometastatic_treated": False,
        "primary_diagnosis_date": date(2024, 1, 10),
        "metastasis_diagnosis_date": date(2025, 6, 1),
        "systemic_therapy_classes": ("cdk46_inhibitor",),
        "lesions": lesions,
        "ref": "case-1",
    }
    base.update(fields)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_assess_lesion_bundles_the_rules_of_a_limb_lesion() -> None:
    assessment = assess_lesion(IMPENDING_FEMUR)
    assert assessment.lesion_ref == "femur-1"
    assert assessment.mirels.score == 12
    assert not assessment.sins.applicable and not assessment.escc.applicable
    assert [r.rule for r in assessment.results] == ["mirels"]  # symptomatic: high-risk flag not applicable


def test_assess_lesion_bundles_the_rules_of_a_spinal_lesion() -> None:
    assessment = assess_lesion(COMPRESSING_T12, board_case(COMPRESSING_T12))
    assert assessment.sins.score == 18
    assert assessment.escc.high_grade is True
    assert not assessment.mirels.applicable
    assert [r.rule for r in assessment.results] == ["sins", "escc"]


def test_flags_are_ranked_highest_first_across_lesions() -> None:
    # Given a case with an impending femoral fracture, a compressing unstable T12, a borderline tibia and
    # a bulky asymptomatic rib lesion, on a CDK4/6 inhibitor, renal cell primary, 4 foci
    case = board_case(QUIET_BULKY_RIB, BORDERLINE_TIBIA, IMPENDING_FEMUR, COMPRESSING_T12)
    summary = assess_case(case)
    # Then the flags come in the documented order, each naming lesion, rule and source
    assert [(f.code, f.lesion_ref) for f in summary.flags] == [
        ("escc_high_grade", "spine-1"),
        ("sins_unstable", "spine-1"),
        ("mirels_impending_fracture", "femur-1"),
        ("mirels_borderline", "tibia-1"),
        ("high_risk_asymptomatic", "rib-1"),
        ("systemic_therapy_avoid", None),
        ("radioresistant_histology", None),
        ("oligometastatic", None),
    ]
    assert all(f.source for f in summary.flags)
    priorities = [f.priority for f in summary.flags]
    assert priorities == sorted(priorities, reverse=True)


def test_sins_indeterminate_ranks_with_mirels_borderline() -> None:
    spine = LesionFacts(
        site=Site.THORACIC_SPINE,
        level_from="T6",
        spinal_pain="mechanical",  # type: ignore[arg-type]
        radiographic_type="lytic",  # type: ignore[arg-type]
        alignment="normal",  # type: ignore[arg-type]
        vertebral_collapse="none",  # type: ignore[arg-type]
        posterolateral_involvement="unilateral",  # type: ignore[arg-type]
        epidural_compression_grade="0",  # type: ignore[arg-type]
        ref="spine-2",
    )
    flags = assess_lesion(spine).flags()
    assert [(f.code, f.priority) for f in flags] == [("sins_indeterminate", 70)]


def test_missing_data_cannot_hide_a_certain_risk() -> None:
    # Given an unstable-looking spine whose collapse is unknown (known points 3 + 3 + 2 + 4 + 3 = 15)
    spine = dataclasses.replace(COMPRESSING_T12, vertebral_collapse=None, epidural_compression_grade=None)
    assessment = assess_lesion(spine)
    # Then the score stays unknown, but the flags say unstable whatever the value and ask for the grade
    assert assessment.sins.score is None
    codes = [f.code for f in assessment.flags()]
    assert codes == ["sins_unstable", "escc_grade_unknown"]


def test_an_unknown_that_could_reach_a_threshold_is_flagged_as_incomplete() -> None:
    tibia = dataclasses.replace(BORDERLINE_TIBIA, pain=None)
    assert [f.code for f in assess_lesion(tibia).flags()] == ["mirels_incomplete"]


def test_high_risk_criteria_with_unknown_symptoms_are_flagged() -> None:
    rib = dataclasses.replace(QUIET_BULKY_RIB, symptomatic=None)
    assert [f.code for f in assess_lesion(rib).flags()] == ["high_risk_criteria_symptoms_unknown"]


def test_case_summary_dict_is_json_serialisable() -> None:
    summary = assess_case(board_case(QUIET_BULKY_RIB, IMPENDING_FEMUR, COMPRESSING_T12), technique="sbrt")
    data = summary.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["engine_version"] == ENGINE_VERSION
    assert [lesion["lesion_ref"] for lesion in data["lesions"]] == ["rib-1", "femur-1", "spine-1"]
    assert data["oligometastatic"]["estro_eortc_class"] == "de_novo_metachronous"
    assert data["radiosensitivity"]["radiosensitivity"] == "radioresistant"
    assert data["systemic_therapy_cautions"]["technique"] == "sbrt"


def test_empty_case_with_unknowns_does_not_crash() -> None:
    summary = assess_case(CaseFacts())
    assert summary.lesions == ()
    assert summary.flags == ()
    assert summary.oligometastatic.category is None


def test_every_lesion_field_missing_does_not_crash() -> None:
    for site in Site:
        assessment = assess_lesion(LesionFacts(site=site), CaseFacts())
        json.dumps(assessment.to_dict())


def test_digest_is_stable_and_sensitive_to_inputs() -> None:
    base = inputs_digest(QUIET_BULKY_RIB)
    assert len(base) == 64
    # Same values, other Python types / other ref: same digest
    assert inputs_digest(dataclasses.replace(QUIET_BULKY_RIB, site="rib", max_diameter_mm=25, ref="x")) == base  # type: ignore[arg-type]
    # Any input change: another digest
    assert inputs_digest(dataclasses.replace(QUIET_BULKY_RIB, max_diameter_mm=25.1)) != base
    assert inputs_digest(dataclasses.replace(QUIET_BULKY_RIB, symptomatic=None)) != base


def test_lesion_digest_covers_the_case_context() -> None:
    case = board_case(COMPRESSING_T12)
    digest = inputs_digest(COMPRESSING_T12, case)
    assert digest != inputs_digest(COMPRESSING_T12)
    assert digest != inputs_digest(COMPRESSING_T12, dataclasses.replace(case, estimated_survival_months=2.0))
    assert digest != inputs_digest(COMPRESSING_T12, dataclasses.replace(case, extra={"total_paraplegia_hours": 72}))
    # The Patchell inputs of 2026-12: Frankel grade, paraplegia hours, prior courses and their targets
    assert digest != inputs_digest(COMPRESSING_T12, dataclasses.replace(case, frankel_grade="A"))
    assert digest != inputs_digest(COMPRESSING_T12, dataclasses.replace(case, complete_paraplegia_hours=10.0))
    prior = PriorCourseFacts(region="T12", total_dose_gy=8.0, fractions=1, site=Site.THORACIC_SPINE, level_from="T12")
    with_course = dataclasses.replace(case, prior_courses=(prior,))
    assert digest != inputs_digest(COMPRESSING_T12, with_course)
    moved = dataclasses.replace(case, prior_courses=(dataclasses.replace(prior, level_from="T11"),))
    assert inputs_digest(COMPRESSING_T12, moved) != inputs_digest(COMPRESSING_T12, with_course)
    assert digest != inputs_digest(dataclasses.replace(COMPRESSING_T12, symptoms="minimally_symptomatic"), case)  # type: ignore[arg-type]


def test_case_digest_ignores_the_order_of_therapy_classes() -> None:
    first = board_case(QUIET_BULKY_RIB, systemic_therapy_classes=("anti_her2", "endocrine"))
    second = board_case(QUIET_BULKY_RIB, systemic_therapy_classes=("endocrine", "anti_her2"))
    assert case_inputs_digest(first) == case_inputs_digest(second)
    assert case_inputs_digest(first) != case_inputs_digest(board_case(QUIET_BULKY_RIB))


@pytest.mark.parametrize("lesion", [IMPENDING_FEMUR, COMPRESSING_T12, QUIET_BULKY_RIB])
def test_results_are_immutable(lesion: LesionFacts) -> None:
    assessment = assess_lesion(lesion)
    with pytest.raises(dataclasses.FrozenInstanceError):
        assessment.mirels.score = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        assessment.lesion_ref = "other"  # type: ignore[misc]


def test_enum_members_and_plain_codes_give_identical_results() -> None:
    # Given the same lesion written with enum members and with plain code strings (the memo tables key
    # both alike, so their texts must not differ either)
    as_codes = LesionFacts(site="femur", subsite="acetabulum", pain="mild", level_from=None, ref="a")  # type: ignore[arg-type]
    as_enums = LesionFacts(
        site=Site.FEMUR,
        subsite=Subsite.ACETABULUM,
        pain=LimbPain.MILD,
        ref="a",
    )
    # Then both orders of first use give the same dicts
    first = assess_lesion(as_enums).to_dict()
    assert assess_lesion(as_codes).to_dict() == first
    assert json.dumps(first) == json.dumps(assess_lesion(as_codes).to_dict())


def test_a_contradicted_bone_count_is_flagged_and_not_called_oligometastatic() -> None:
    # Given 4 recorded lesions and bone_metastases_count 2
    lesions = tuple(dataclasses.replace(QUIET_BULKY_RIB, ref=f"rib-{i}") for i in range(4))
    summary = assess_case(CaseFacts(lesions=lesions, bone_metastases_count=2, visceral_metastases_count=0, ref="c"))
    codes = [flag.code for flag in summary.flags]
    # Then the board is asked to correct it, and no oligometastatic flag rests on the disbelieved count
    assert "bone_count_contradicted" in codes
    assert "oligometastatic" not in codes
    flag = next(flag for flag in summary.flags if flag.code == "bone_count_contradicted")
    assert flag.priority == 35 and "lower than the 4 recorded lesions" in flag.message


def test_a_believable_bone_count_raises_no_contradiction() -> None:
    summary = assess_case(CaseFacts(lesions=(QUIET_BULKY_RIB,), bone_metastases_count=2, visceral_metastases_count=0, ref="c"))
    assert "bone_count_contradicted" not in [flag.code for flag in summary.flags]
