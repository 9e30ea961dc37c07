"""Treatment options per lesion and per case (clinical-rules.md §12): each scenario, its regimens,
preferences, urgency, reasons against, and every boundary the preferences turn on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from apps.options.engine import CaseRisk, LesionRisk, PlanEntry, TrialEntry
from apps.options.engine.findings import CriterionFinding
from apps.options.engine.options import prognosis_disagreement
from apps.options.engine.prognosis import PrognosisResult
from tests.options.engine.builders import (
    CATALOGUE,
    case_of,
    codes,
    femur,
    lesion,
    option,
    real_risk,
    run,
    score,
    spine,
    with_lesion_risk,
)


def regimen_codes(opt: object) -> list[str]:
    return [r.code for r in opt.regimens]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------ uncomplicated painful metastasis


@pytest.mark.parametrize(("survival", "single_fraction"), [(3.0, True), (5.9, True), (6.0, False), (24.0, False)])
def test_uncomplicated_painful_limb_lesion(survival: float, single_fraction: bool) -> None:
    out = run(case_of(femur(), estimated_survival_months=survival))
    conv = option(out, "femur", "conventional_rt")
    assert regimen_codes(conv) == ["conv_8gy_1fx", "conv_20gy_5fx", "conv_30gy_10fx"]
    assert conv.preferred is True
    assert ("single fraction" in conv.preferred_reason) is single_fraction
    assert conv.modality == "radiotherapy"
    assert not conv.urgent
    assert any("Mirels" in r and "<= 7" in r for r in conv.reasons)


def test_unknown_survival_sets_no_prognosis_preference_but_says_so() -> None:
    out = run(case_of(femur(), estimated_survival_months=None))
    conv = option(out, "femur", "conventional_rt")
    assert "needs estimated_survival_months" in conv.preferred_reason
    assert any("unknown: needs estimated_survival_months" in n for n in out.notes)


def test_regimens_carry_bed10_and_eqd2_from_the_lq_model() -> None:
    out = run(case_of(femur()))
    figures = {r.code: r.to_dict() for r in option(out, "femur", "conventional_rt").regimens}
    assert figures["conv_8gy_1fx"]["bed10_gy"] == 14.4
    assert figures["conv_8gy_1fx"]["eqd2_gy"] == 12.0
    assert figures["conv_20gy_5fx"]["bed10_gy"] == 28.0
    assert figures["conv_30gy_10fx"]["bed10_gy"] == 39.0
    assert figures["conv_30gy_10fx"]["eqd2_gy"] == 32.5
    assert figures["conv_8gy_1fx"]["fractions"] == 1
    assert figures["conv_8gy_1fx"]["total_dose_gy"] == 8.0
    assert "levels" not in figures["conv_8gy_1fx"]


def test_painless_asymptomatic_lesion_gets_no_palliative_rt() -> None:
    out = run(case_of(femur(pain="none", symptomatic=False)))
    assert "conventional_rt" not in codes(out, "femur")
    assert any(n.code == "conventional_rt" for n in out.lesion("femur").not_offered)


def test_symptoms_not_recorded_still_offers_rt_for_a_painful_lesion() -> None:
    out = run(case_of(femur(pain=None, symptomatic=None)))
    conv = option(out, "femur", "conventional_rt")
    assert any("symptoms not recorded" in r for r in conv.reasons)


@pytest.mark.parametrize(("site", "subsite"), [("rib", None), ("clavicle", "shaft"), ("ulna", "distal")])
def test_rt_alone_sites(site: str, subsite: str | None) -> None:
    out = run(
        case_of(lesion(site=site, subsite=subsite, pain="mild", radiographic_type="blastic", cortical_involvement="lt_one_third"))
    )
    conv = option(out, site, "conventional_rt")
    assert any("usually RT alone" in r for r in conv.reasons)


# ------------------------------------------------------------------------ spine SBRT


def test_spine_good_prognosis_low_grade_prefers_sbrt_sc24_first() -> None:
    out = run(case_of(spine(), estimated_survival_months=12.0))
    sbrt = option(out, "spine", "spine_sbrt")
    assert sbrt.preferred is True
    assert "SC24" in sbrt.preferred_reason
    assert regimen_codes(sbrt)[0] == "sbrt_spine_24gy_2fx"
    assert {"sbrt_spine_28gy_2fx", "sbrt_spine_35gy_5fx", "sbrt_spine_48p5gy_10fx"} <= set(regimen_codes(sbrt))
    assert any("sbrt_spinal_cord_pmax" in c for c in sbrt.cautions)
    assert option(out, "spine", "conventional_rt").preferred is False
    assert option(out, "spine", "spine_sbrt").to_dict()["regimens"][0]["bed10_gy"] == 52.8


@pytest.mark.parametrize("survival", [5.9, 2.0])
def test_spine_limited_prognosis_prefers_a_single_fraction(survival: float) -> None:
    out = run(case_of(spine(), estimated_survival_months=survival))
    assert option(out, "spine", "conventional_rt").preferred is True
    sbrt = option(out, "spine", "spine_sbrt")
    assert sbrt.preferred is False
    assert any("limited prognosis" in a for a in sbrt.against)


def test_spine_at_six_months_is_a_good_prognosis() -> None:
    out = run(case_of(spine(), estimated_survival_months=6.0))
    assert option(out, "spine", "spine_sbrt").preferred is True


def test_radiosensitive_spine_prefers_conventional_rt() -> None:
    out = run(case_of(spine(), primary_histology="myeloma", estimated_survival_months=24.0))
    assert option(out, "spine", "conventional_rt").preferred is True
    sbrt = option(out, "spine", "spine_sbrt")
    assert sbrt.preferred is False
    assert any("radiosensitive" in a for a in sbrt.against)


def test_radioresistant_low_grade_cites_noms() -> None:
    out = run(case_of(spine(), primary_histology="renal_cell", estimated_survival_months=24.0))
    sbrt = option(out, "spine", "spine_sbrt")
    assert sbrt.preferred is True
    assert "NOMS" in sbrt.preferred_reason


def test_unknown_escc_grade_offers_sbrt_with_the_reason_against_and_a_note() -> None:
    out = run(case_of(spine(epidural_compression_grade=None)))
    sbrt = option(out, "spine", "spine_sbrt")
    assert sbrt.preferred is False
    assert any("needs epidural_compression_grade" in a for a in sbrt.against)
    assert any("epidural_compression_grade" in n for n in out.lesion("spine").notes)


def test_cord_proximity_caution() -> None:
    out = run(case_of(spine(distance_to_spinal_cord_mm=2.0)))
    assert any("< 3 mm" in c for c in option(out, "spine", "spine_sbrt").cautions)
    out = run(case_of(spine(distance_to_spinal_cord_mm=3.0)))
    assert not any("< 3 mm" in c for c in option(out, "spine", "spine_sbrt").cautions)


# ------------------------------------------------------------------------ cord compression


def mescc_risk(case: object, candidate: str, failed: tuple[str, ...] = ()) -> CaseRisk:
    risk = real_risk(case)  # type: ignore[arg-type]
    criteria = tuple(CriterionFinding(code, "not_met", f"{code} failed") for code in failed)
    return with_lesion_risk(
        risk, "spine", escc_high_grade=True, escc_grade="2", surgical_candidate=candidate, patchell_criteria=criteria
    )


@pytest.mark.parametrize("grade", ["2", "3"])
def test_high_grade_compression_is_urgent(grade: str) -> None:
    out = run(case_of(spine(epidural_compression_grade=grade)))
    items = out.lesion("spine").options
    mescc = [o for o in items if o.code in ("mescc_decompression_then_rt", "mescc_radiotherapy")]
    assert len(mescc) == 2
    assert all(o.urgent for o in mescc)
    not_offered = {n.code for n in out.lesion("spine").not_offered}
    assert {"spine_sbrt", "conventional_rt"} <= not_offered


@pytest.mark.parametrize("grade", ["1c", "0"])
def test_low_grade_is_not_cord_compression(grade: str) -> None:
    out = run(case_of(spine(epidural_compression_grade=grade)))
    assert "mescc_radiotherapy" not in codes(out, "spine")


def test_patchell_candidate_prefers_decompression_then_30_in_10() -> None:
    case = case_of(spine(epidural_compression_grade="2"), primary_histology="breast", estimated_survival_months=12.0)
    out = run(case, mescc_risk(case, "met"))
    surgery = option(out, "spine", "mescc_decompression_then_rt")
    assert surgery.preferred is True
    assert surgery.modality == "surgery"
    assert regimen_codes(surgery) == ["postop_30gy_10fx"]
    rt = option(out, "spine", "mescc_radiotherapy")
    assert rt.preferred is False
    assert any("Patchell candidate" in a for a in rt.against)


@pytest.mark.parametrize(
    ("survival", "expected"),
    [(2.0, ["conv_8gy_1fx", "conv_20gy_5fx"]), (5.9, ["conv_8gy_1fx", "conv_20gy_5fx"]), (6.0, ["conv_30gy_10fx"])],
)
def test_not_a_candidate_gets_rt_by_survival(survival: float, expected: list[str]) -> None:
    case = case_of(spine(epidural_compression_grade="3"), estimated_survival_months=survival)
    out = run(case, mescc_risk(case, "not_met", ("paraplegia_lt_48h",)))
    rt = option(out, "spine", "mescc_radiotherapy")
    assert rt.preferred is True
    assert regimen_codes(rt) == expected
    surgery = option(out, "spine", "mescc_decompression_then_rt")
    assert surgery.preferred is False
    assert any("paraplegia_lt_48h failed" in a for a in surgery.against)


def test_unknown_survival_lists_every_mescc_regimen() -> None:
    case = case_of(spine(epidural_compression_grade="2"), estimated_survival_months=None)
    out = run(case, mescc_risk(case, "unknown"))
    rt = option(out, "spine", "mescc_radiotherapy")
    assert regimen_codes(rt) == ["conv_8gy_1fx", "conv_20gy_5fx", "conv_30gy_10fx"]
    assert not any(o.preferred for o in out.lesion("spine").options if o.urgent)


def test_radioresistant_fit_prefers_separation_surgery_then_sbrt() -> None:
    case = case_of(spine(epidural_compression_grade="2"), primary_histology="renal_cell", estimated_survival_months=12.0, ecog=1)
    out = run(case, mescc_risk(case, "met"))
    sep = option(out, "spine", "separation_surgery_then_sbrt")
    assert sep.preferred is True and sep.urgent
    assert regimen_codes(sep) == ["postop_spine_sbrt_35gy_5fx"]
    assert option(out, "spine", "mescc_decompression_then_rt").preferred is False


def test_radioresistant_not_fit_prefers_conventional_rt() -> None:
    case = case_of(spine(epidural_compression_grade="2"), primary_histology="renal_cell", estimated_survival_months=12.0, ecog=3)
    out = run(case, mescc_risk(case, "unknown"))
    assert option(out, "spine", "mescc_radiotherapy").preferred is True
    assert option(out, "spine", "separation_surgery_then_sbrt").preferred is False


def test_radiosensitive_compression_prefers_rt_and_argues_against_surgery() -> None:
    case = case_of(spine(epidural_compression_grade="3"), primary_histology="lymphoma")
    out = run(case, mescc_risk(case, "met"))
    assert option(out, "spine", "mescc_radiotherapy").preferred is True
    surgery = option(out, "spine", "mescc_decompression_then_rt")
    assert surgery.preferred is False
    assert any("radiosensitive" in a for a in surgery.against)
    assert "separation_surgery_then_sbrt" not in codes(out, "spine")


# ------------------------------------------------------------------------ long bones (Mirels)


def mirels_case(total: int | None, span: tuple[int, int] | None = None, **lesion_kw: object) -> tuple[object, CaseRisk]:
    case = case_of(femur(**lesion_kw))  # type: ignore[arg-type]
    return case, with_lesion_risk(real_risk(case), "femur", mirels=score(total, span))


@pytest.mark.parametrize("total", [9, 12])
def test_impending_fracture_fixation_is_urgent_and_preferred(total: int) -> None:
    case, risk = mirels_case(total)
    out = run(case, risk)  # type: ignore[arg-type]
    fix = option(out, "femur", "prophylactic_fixation")
    assert fix.urgent and fix.preferred
    assert regimen_codes(fix) == ["postop_20gy_5fx", "postop_30gy_10fx"]
    conv = option(out, "femur", "conventional_rt")
    assert conv.preferred is False
    assert any("impending fracture" in a for a in conv.against)


def test_mirels_eight_is_a_surgical_opinion() -> None:
    case, risk = mirels_case(8)
    out = run(case, risk)  # type: ignore[arg-type]
    opinion = option(out, "femur", "orthopaedic_surgical_opinion")
    assert opinion.preferred and not opinion.urgent
    assert "prophylactic_fixation" not in codes(out, "femur")


def test_mirels_seven_is_rt_and_observation() -> None:
    case, risk = mirels_case(7)
    out = run(case, risk)  # type: ignore[arg-type]
    assert "orthopaedic_surgical_opinion" not in codes(out, "femur")
    assert "prophylactic_fixation" not in codes(out, "femur")
    assert option(out, "femur", "conventional_rt").preferred is True


def test_incomplete_mirels_that_could_reach_eight_asks_for_an_opinion_with_the_gap() -> None:
    case, risk = mirels_case(None, (6, 9))
    out = run(case, risk)  # type: ignore[arg-type]
    opinion = option(out, "femur", "orthopaedic_surgical_opinion")
    assert opinion.preferred is False
    assert any("complete the Mirels" in a for a in opinion.against)


def test_proximal_femur_mentions_endoprosthetic_reconstruction() -> None:
    case, risk = mirels_case(10, subsite="peritrochanteric")
    out = run(case, risk)  # type: ignore[arg-type]
    assert any("endoprosthetic" in r for r in option(out, "femur", "prophylactic_fixation").reasons)


def test_fixation_against_when_not_fit_for_surgery() -> None:
    case = case_of(femur(), ecog=4)
    out = run(case, with_lesion_risk(real_risk(case), "femur", mirels=score(10)))
    fix = option(out, "femur", "prophylactic_fixation")
    assert fix.preferred is False
    assert any("not fit for surgery" in a for a in fix.against)
    assert fix.urgent


# ------------------------------------------------------------------------ spinal stability (SINS)


@pytest.mark.parametrize("total", [13, 18])
def test_unstable_spine_stabilisation(total: int) -> None:
    case = case_of(spine())
    out = run(case, with_lesion_risk(real_risk(case), "spine", sins=score(total)))
    stab = option(out, "spine", "spinal_stabilisation")
    assert stab.preferred is True
    assert stab.modality == "surgery"
    assert "postop_spine_sbrt_35gy_5fx" in regimen_codes(stab)
    assert option(out, "spine", "spine_sbrt").preferred is False


@pytest.mark.parametrize(("total", "opinion"), [(6, False), (7, True), (12, True)])
def test_sins_opinion_boundaries(total: int, opinion: bool) -> None:
    case = case_of(spine())
    out = run(case, with_lesion_risk(real_risk(case), "spine", sins=score(total)))
    assert ("spine_surgery_opinion" in codes(out, "spine")) is opinion
    assert "spinal_stabilisation" not in codes(out, "spine")


def test_unstable_spine_not_fit_prefers_cement_augmentation_for_collapse_without_deformity() -> None:
    lesion_facts = spine(vertebral_collapse="lt50_collapse", spinal_pain="mechanical")
    case = case_of(lesion_facts, ecog=3)
    out = run(case, with_lesion_risk(real_risk(case), "spine", sins=score(14)))
    cement = option(out, "spine", "cement_augmentation")
    assert cement.modality == "interventional"
    assert cement.preferred is True
    assert option(out, "spine", "spinal_stabilisation").preferred is False


def test_pelvic_lesion_offers_cement_or_ablation_with_rt() -> None:
    out = run(case_of(lesion(site="pelvis", subsite=None, radiographic_type="lytic")))
    assert option(out, "pelvis", "cement_augmentation").preferred is False


# ------------------------------------------------------------------------ postoperative, prophylactic, re-irradiation


def test_postoperative_rt_after_surgery() -> None:
    out = run(case_of(femur(prior_surgery=True)))
    post = option(out, "femur", "postoperative_rt")
    assert post.preferred
    assert regimen_codes(post) == ["postop_20gy_5fx", "postop_30gy_10fx"]
    assert option(out, "femur", "conventional_rt").preferred is False
    out = run(case_of(spine(prior_surgery=True)))
    assert "postop_spine_sbrt_35gy_5fx" in regimen_codes(option(out, "spine", "postoperative_rt"))


def test_high_risk_asymptomatic_prophylactic_rt() -> None:
    lesion_facts = femur(pain="none", symptomatic=False, cortical_involvement="one_third_to_two_thirds")
    out = run(case_of(lesion_facts))
    pro = option(out, "femur", "prophylactic_rt")
    assert pro.preferred
    assert regimen_codes(pro) == [
        "prophylactic_30gy_10fx",
        "prophylactic_27gy_3fx",
        "prophylactic_20gy_5fx",
        "prophylactic_8gy_1fx",
    ]
    assert any("long_bone_cortical" in r for r in pro.reasons)


def test_high_risk_with_symptoms_unknown_is_offered_with_the_gap() -> None:
    case = case_of(femur(symptomatic=None, pain=None))
    risk = with_lesion_risk(real_risk(case), "femur", high_risk=True, high_risk_criteria=("bulky",), high_risk_symptomatic=None)
    pro = option(run(case, risk), "femur", "prophylactic_rt")
    assert pro.preferred is False
    assert any("needs symptomatic" in a for a in pro.against)


def test_reirradiation_option_and_cautions_on_the_other_rt_options() -> None:
    out = run(case_of(spine(prior_radiotherapy=True)))
    assert "reirradiation" in codes(out, "spine")
    assert any("re-irradiation" in c for c in option(out, "spine", "spine_sbrt").cautions)
    assert any("Sahgal" in c for c in option(out, "spine", "reirradiation").cautions)


# ------------------------------------------------------------------------ case level


def test_oligometastatic_controlled_primary_prefers_ablative_sbrt_with_breast_bed10() -> None:
    case = case_of(spine(), bone_metastases_count=2, visceral_metastases_count=1, estimated_survival_months=24.0)
    out = run(case)
    ablative = out.case_option("oligometastatic_sbrt")
    assert ablative is not None and ablative.preferred
    radical = {r.code: r.meets_radical_bed10 for r in ablative.regimens}
    assert radical["oligomet_54gy_3fx"] is True  # BED10 151.2
    assert radical["oligomet_60gy_8fx"] is True  # 105
    assert radical["oligomet_35gy_5fx"] is False  # 59.5
    assert radical["oligomet_30gy_3fx"] is False  # 60
    assert any("all oligometastases" in c for c in ablative.cautions)


def test_oligometastatic_non_breast_has_no_radical_bed_flag() -> None:
    case = case_of(spine(), primary_histology="prostate", bone_metastases_count=2, visceral_metastases_count=0)
    ablative = run(case).case_option("oligometastatic_sbrt")
    assert ablative is not None
    assert all(r.meets_radical_bed10 is None for r in ablative.regimens)


def test_oligometastatic_with_uncontrolled_primary_is_not_offered() -> None:
    out = run(case_of(spine(), bone_metastases_count=2, visceral_metastases_count=0, primary_controlled=False))
    assert out.case_option("oligometastatic_sbrt") is None
    assert any(n.code == "oligometastatic_sbrt" for n in out.not_offered)


def test_oligometastatic_with_unknown_control_is_offered_against() -> None:
    out = run(case_of(spine(), bone_metastases_count=2, visceral_metastases_count=0, primary_controlled=None))
    ablative = out.case_option("oligometastatic_sbrt")
    assert ablative is not None and not ablative.preferred
    assert any("primary_controlled" in a for a in ablative.against)


def test_polymetastatic_is_not_offered_ablative_sbrt() -> None:
    out = run(case_of(spine(), bone_metastases_count=8, visceral_metastases_count=2))
    assert out.case_option("oligometastatic_sbrt") is None


def test_trial_matches_become_referral_options() -> None:
    trials = (
        TrialEntry("NCT03862911", "SABR-COMET-3", "recruiting", "eligible", True),
        TrialEntry("NCT01446744", "SABR-COMET", "completed", "possibly_eligible", False),
        TrialEntry("NCT02759783", "CORE", "recruiting", "ineligible", True),
    )
    out = run(case_of(spine()), trials=trials)
    referrals = [o for o in out.case if o.code == "trial_referral"]
    assert [o.trial for o in referrals] == ["NCT03862911", "NCT01446744"]
    assert referrals[0].against == ()
    assert "not recruiting" in referrals[1].against[0]
    assert referrals[0].action() == {"kind": "trial_referral", "option": "trial_referral", "trial": "NCT03862911"}


def test_every_case_gets_a_bone_modifying_agent_option() -> None:
    out = run(case_of(femur()))
    bma = out.case_option("bone_modifying_agent")
    assert bma is not None and bma.modality == "systemic"
    assert any("renal function" in c for c in bma.cautions)
    out = run(case_of(femur(), systemic_therapy_classes=("bone_modifying_agent",)))
    assert out.case_option("bone_modifying_agent").label.startswith("Continue")  # type: ignore[union-attr]


def test_systemic_therapy_cautions_use_the_option_technique() -> None:
    out = run(case_of(spine(), systemic_therapy_classes=("tdm1", "cdk46_inhibitor"), estimated_survival_months=24.0))
    sbrt = option(out, "spine", "spine_sbrt")
    conv = option(out, "spine", "conventional_rt")
    assert any(c.startswith("caution: T-DM1 with stereotactic") for c in sbrt.cautions)
    assert not any(c.startswith("caution: T-DM1") for c in conv.cautions)
    assert any(c.startswith("avoid: CDK4/6") for c in conv.cautions)


def test_unknown_systemic_therapy_says_the_cautions_cannot_be_checked() -> None:
    out = run(case_of(femur(), systemic_therapy_classes=None))
    assert any("needs systemic_therapy_classes" in c for c in option(out, "femur", "conventional_rt").cautions)


# ------------------------------------------------------------------------ prognosis against the estimate


def band(category: str, total: int = 5) -> PrognosisResult:
    return PrognosisResult("tokuhashi", True, total, (total, total), category)


@pytest.mark.parametrize(
    ("category", "survival", "disagrees"),
    [
        ("lt_6_months", 5.9, False),
        ("lt_6_months", 6.0, True),
        ("gte_6_months", 5.9, True),
        ("gte_6_months", 6.0, False),
        ("gte_6_months", 30.0, False),
        ("gte_12_months", 11.9, True),
        ("gte_12_months", 12.0, False),
    ],
)
def test_disagreement_boundaries(category: str, survival: float, disagrees: bool) -> None:
    assert bool(prognosis_disagreement(band(category), survival)) is disagrees


def test_no_disagreement_without_a_band_or_an_estimate() -> None:
    assert prognosis_disagreement(PrognosisResult("tokuhashi", True, None, (7, 10), None), 3.0) == ""
    assert prognosis_disagreement(band("lt_6_months"), None) == ""


def test_options_say_when_tokuhashi_disagrees_and_follow_the_clinician() -> None:
    # Tokuhashi 4 (lt_6_months) against an estimate of 24 months: SBRT stays preferred and the options say so.
    facts = spine()
    case = case_of(
        facts,
        primary_histology="nsclc",
        estimated_survival_months=24.0,
        karnofsky_performance_status=40,
        extraspinal_bone_metastases_count=4,
        vertebral_metastases_count=4,
        major_organ_metastases="unremovable",
        frankel_grade="E",
    )
    out = run(case)
    assert out.prognosis.tokuhashi.category == "lt_6_months"
    assert any("disagrees with the clinician's estimate of 24 months" in n for n in out.notes)
    sbrt = option(out, "spine", "spine_sbrt")
    assert sbrt.preferred is True
    assert any("disagrees" in c for c in sbrt.cautions)


def test_tomita_supportive_care_adds_an_option_and_argues_against_surgery() -> None:
    case = case_of(
        femur(),
        spine(),
        primary_histology="nsclc",
        visceral_metastases_count=3,
        major_organ_metastases="unremovable",
        bone_metastases_count=5,
    )
    out = run(case, with_lesion_risk(real_risk(case), "femur", mirels=score(10)))
    assert out.prognosis.tomita.category == "supportive_care"
    assert out.case_option("supportive_care") is not None
    assert any("Tomita" in a for a in option(out, "femur", "prophylactic_fixation").against)


# ------------------------------------------------------------------------ catalogue and plans


def test_a_withdrawn_regimen_is_left_out_and_noted() -> None:
    catalogue = {code: entry for code, entry in CATALOGUE.items() if code != "conv_8gy_1fx"}
    conv = option(run(case_of(femur()), catalogue=catalogue), "femur", "conventional_rt")
    assert regimen_codes(conv) == ["conv_20gy_5fx", "conv_30gy_10fx"]
    assert any("conv_8gy_1fx is not in the active catalogue" in c for c in conv.cautions)


def test_an_edited_regimen_dose_flows_into_the_figures() -> None:
    catalogue = dict(CATALOGUE)
    entry = catalogue["conv_30gy_10fx"]
    catalogue["conv_30gy_10fx"] = replace(entry, levels=(replace(entry.levels[0], total_dose_gy=35.0),))
    figures = {r.code: r for r in option(run(case_of(femur()), catalogue=catalogue), "femur", "conventional_rt").regimens}
    assert figures["conv_30gy_10fx"].main.total_dose_gy == 35.0


def test_sib_regimens_list_their_levels_and_stand_for_the_boost() -> None:
    sib = CATALOGUE["sib_30_40gy_10fx"]
    catalogue = {**CATALOGUE, "conv_30gy_10fx": replace(sib, code="conv_30gy_10fx")}
    conv = option(run(case_of(femur()), catalogue=catalogue), "femur", "conventional_rt")
    data = next(r for r in conv.to_dict()["regimens"] if r["code"] == "conv_30gy_10fx")
    assert [level["total_dose_gy"] for level in data["levels"]] == [30.0, 40.0]
    assert data["total_dose_gy"] == 40.0
    assert data["bed10_gy"] == 56.0  # 40 Gy in 10: 40 * (1 + 4/10)
    assert data["levels"][0]["bed10_gy"] == 39.0


def test_planned_regimen_is_marked_on_the_option() -> None:
    plans = (PlanEntry(7, "Femur 8 Gy", "conv_8gy_1fx", "conventional", ("femur",)),)
    conv = option(run(case_of(femur()), plans=plans), "femur", "conventional_rt")
    assert conv.planned_in == (7,)
    assert any("planned: plan 7" in r for r in conv.reasons)


def test_a_plan_no_option_lists_is_noted_for_the_board() -> None:
    plans = (PlanEntry(8, "Oddity", "oligomet_60gy_8fx", "sbrt", ("femur",)), PlanEntry(9, "Custom", "", "imrt", ("femur",)))
    out = run(case_of(femur()), plans=plans)
    notes = out.lesion("femur").notes
    assert any("plan 8" in n and "confirm its indication" in n for n in notes)
    assert any("plan 9" in n and "custom dose levels" in n for n in notes)


def test_plan_for_another_lesion_does_not_mark_this_one() -> None:
    plans = (PlanEntry(7, "Spine 8 Gy", "conv_8gy_1fx", "conventional", ("spine",)),)
    conv = option(run(case_of(femur(), spine()), plans=plans), "femur", "conventional_rt")
    assert conv.planned_in == ()


# ------------------------------------------------------------------------ shape


def test_option_dicts_carry_the_contract_keys() -> None:
    out = run(case_of(femur(), spine()))
    for item in out.to_dict()["lesions"]:
        for opt in item["options"]:
            assert {"code", "label", "modality", "regimens", "reasons", "cautions", "evidence", "preferred"} <= set(opt)
            assert opt["modality"] in {"radiotherapy", "surgery", "interventional", "systemic", "trial", "supportive"}
            assert opt["evidence"], opt["code"]
            for regimen in opt["regimens"]:
                assert {"code", "fractions", "total_dose_gy"} <= set(regimen)
    assert out.to_dict()["lesions"][1]["noms"] is not None
    assert out.to_dict()["lesions"][0]["noms"] is None


def test_lesion_without_stored_findings_says_so() -> None:
    out = run(case_of(femur()), CaseRisk(lesions={}))
    assert any("no stored risk findings" in n for n in out.lesion("femur").notes)
    assert LesionRisk(ref="x").mirels.applicable is False


# ------------------------------------------------------------------------ symptoms and prior-course overlap


def test_minimally_symptomatic_lesion_is_offered_palliative_rt_if_pain_warrants() -> None:
    out = run(case_of(femur(pain=None, symptomatic=False, symptoms="minimally_symptomatic")))
    assert any("minimally symptomatic" in r for r in option(out, "femur", "conventional_rt").reasons)
    out = run(case_of(femur(pain=None, symptomatic=False, symptoms="asymptomatic")))
    assert "conventional_rt" not in codes(out, "femur")


@pytest.mark.parametrize(
    ("course", "expected"),
    [
        ({"site": "thoracic_spine", "level_from": "T7", "level_to": "T9"}, True),
        ({"site": "thoracic_spine", "level_from": "T9", "level_to": "T10"}, False),
        ({"site": "thoracic_spine", "level_from": None}, None),
        ({"site": None}, None),
        ({"site": "femur", "laterality": "left"}, False),
    ],
)
def test_spinal_course_overlap_by_levels(course: dict[str, object], expected: bool | None) -> None:
    from apps.cases.facts import PriorCourseFacts
    from apps.options.engine.options import course_overlaps

    facts = PriorCourseFacts(region="label", total_dose_gy=30.0, fractions=10, **course)  # type: ignore[arg-type]
    assert course_overlaps(spine(level_from="T8"), facts) is expected


@pytest.mark.parametrize(
    ("lesion_side", "course_side", "expected"),
    [("left", "left", True), ("left", "right", False), ("right", "bilateral", True), (None, "left", None), ("left", None, None)],
)
def test_limb_course_overlap_by_site_and_laterality(
    lesion_side: str | None, course_side: str | None, expected: bool | None
) -> None:
    from apps.cases.facts import PriorCourseFacts
    from apps.options.engine.options import course_overlaps

    facts = PriorCourseFacts(region="femur", total_dose_gy=8.0, fractions=1, site="femur", laterality=course_side)  # type: ignore[arg-type]
    assert course_overlaps(femur(laterality=lesion_side), facts) is expected
    other = PriorCourseFacts(region="humerus", total_dose_gy=8.0, fractions=1, site="humerus", laterality=course_side)  # type: ignore[arg-type]
    assert course_overlaps(femur(laterality=lesion_side), other) is False


def test_an_overlapping_prior_course_makes_a_reirradiation_and_unknown_overlap_is_named() -> None:
    from apps.cases.facts import PriorCourseFacts

    reach = PriorCourseFacts(
        region="T7-T9", total_dose_gy=30.0, fractions=10, site="thoracic_spine", level_from="T7", level_to="T9"
    )  # type: ignore[arg-type]
    vague = PriorCourseFacts(region="somewhere", total_dose_gy=8.0, fractions=1)
    case = replace(case_of(spine(level_from="T8")), prior_courses=(reach, vague))
    out = run(case)
    reirr = option(out, "spine", "reirradiation")
    assert any("T7-T9 30 Gy/10" in r for r in reirr.reasons)
    assert any("overlap unknown" in n and "somewhere" in n for n in out.lesion("spine").notes)
    assert any("re-irradiation" in c for c in option(out, "spine", "spine_sbrt").cautions)


@pytest.mark.parametrize(
    ("facts", "label"),
    [
        ({"site": "thoracic_spine", "level_from": "T7", "level_to": "T9"}, "thoracic spine T7-T9"),
        ({"site": "thoracic_spine", "level_from": "T7", "level_to": "T7"}, "thoracic spine T7"),
        ({"site": "femur", "subsite": "peritrochanteric", "laterality": "left"}, "femur, peritrochanteric (left)"),
        ({"site": "rib"}, "rib"),
    ],
)
def test_lesion_label(facts: dict[str, str], label: str) -> None:
    from apps.options.engine.options import lesion_label

    assert lesion_label(lesion(**facts)) == label


def test_symptomatic_high_risk_lesion_gets_palliative_not_prophylactic_rt() -> None:
    case = case_of(femur(symptomatic=True))
    risk = with_lesion_risk(real_risk(case), "femur", high_risk=True, high_risk_criteria=("bulky",), high_risk_symptomatic=None)
    out = run(case, risk)
    assert "prophylactic_rt" not in codes(out, "femur")
    assert any(n.code == "prophylactic_rt" and "symptomatic" in n.reason for n in out.lesion("femur").not_offered)


def test_high_risk_with_pain_but_symptoms_not_recorded_is_offered_against() -> None:
    case = case_of(femur(symptomatic=None, pain="moderate"))
    risk = with_lesion_risk(real_risk(case), "femur", high_risk=True, high_risk_criteria=("bulky",), high_risk_symptomatic=None)
    pro = option(run(case, risk), "femur", "prophylactic_rt")
    assert pro.preferred is False
    assert any("pain recorded" in a for a in pro.against)


@pytest.mark.parametrize("survival", [2.0, 12.0])
def test_impending_fracture_in_a_patient_not_fit_for_surgery_prefers_rt(survival: float) -> None:
    case = case_of(femur(), ecog=4 if survival > 3 else 1, estimated_survival_months=survival)
    out = run(case, with_lesion_risk(real_risk(case), "femur", mirels=score(10)))
    conv = option(out, "femur", "conventional_rt")
    assert conv.preferred is True
    assert any("impending fracture" in a for a in conv.against)
    assert any("not fit for surgery" in r for r in conv.reasons)
    assert option(out, "femur", "prophylactic_fixation").preferred is False


def test_unstable_spine_not_fit_prefers_rt_with_cement_when_it_applies() -> None:
    case = case_of(spine(), ecog=3, estimated_survival_months=12.0)
    out = run(case, with_lesion_risk(real_risk(case), "spine", sins=score(14)))
    assert option(out, "spine", "conventional_rt").preferred is True
    assert option(out, "spine", "spinal_stabilisation").preferred is False


def test_surgical_opinions_are_not_preferred_when_not_fit() -> None:
    case = case_of(femur(), spine(), estimated_survival_months=2.0)
    risk = with_lesion_risk(real_risk(case), "femur", mirels=score(8))
    risk = with_lesion_risk(risk, "spine", sins=score(9))
    out = run(case, risk)
    for ref, code in (("femur", "orthopaedic_surgical_opinion"), ("spine", "spine_surgery_opinion")):
        opinion = option(out, ref, code)
        assert opinion.preferred is False
        assert any("not fit for surgery" in a for a in opinion.against)
    assert option(out, "femur", "conventional_rt").preferred is True


@pytest.mark.parametrize("histology", ["myeloma", "lymphoma"])
def test_haematological_malignancy_is_not_preferred_for_ablative_sbrt(histology: str) -> None:
    case = case_of(
        spine(), primary_histology=histology, bone_metastases_count=2, visceral_metastases_count=0, estimated_survival_months=24.0
    )
    ablative = run(case).case_option("oligometastatic_sbrt")
    assert ablative is not None
    assert ablative.preferred is False
    assert any("haematological" in a for a in ablative.against)


def test_minimally_symptomatic_high_risk_lesion_prefers_prophylactic_over_palliative_rt() -> None:
    facts = lesion(site="pelvis", subsite="acetabulum", symptomatic=False, symptoms="minimally_symptomatic", max_diameter_mm=26.0)
    case = case_of(facts)
    risk = with_lesion_risk(
        real_risk(case), "pelvis", high_risk=True, high_risk_criteria=("bulky", "joint"), high_risk_symptomatic=False
    )
    out = run(case, risk)
    assert option(out, "pelvis", "prophylactic_rt").preferred is True
    conv = option(out, "pelvis", "conventional_rt")
    assert conv.preferred is False
    assert any("see prophylactic RT" in r for r in conv.reasons)


@pytest.mark.parametrize(
    ("kw", "offered"),
    [
        ({"epidural_compression_grade": "1b"}, True),
        ({"epidural_compression_grade": "0", "distance_to_spinal_cord_mm": 2.0}, True),
        ({"epidural_compression_grade": "0", "distance_to_spinal_cord_mm": 3.0}, False),
        ({"epidural_compression_grade": "0"}, False),
    ],
)
def test_sib_is_offered_where_sbrt_does_not_suit(kw: dict[str, object], offered: bool) -> None:
    out = run(case_of(spine(**kw), primary_histology="breast"))
    assert ("spine_sib" in codes(out, "spine")) is offered
    if offered:
        sib = option(out, "spine", "spine_sib")
        assert sib.preferred is False
        assert regimen_codes(sib) == ["sib_30_40gy_10fx", "sib_wv30_40gy_10fx"]
        data = sib.to_dict()["regimens"][0]
        assert [level["total_dose_gy"] for level in data["levels"]] == [30.0, 40.0]


def test_sib_for_a_radioresistant_histology_and_a_planned_sib_is_marked() -> None:
    plans = (PlanEntry(4, "L2 SIB", "sib_30_40gy_10fx", "imrt", ("spine",)),)
    out = run(case_of(spine(epidural_compression_grade="0"), primary_histology="renal_cell"), plans=plans)
    sib = option(out, "spine", "spine_sib")
    assert sib.planned_in == (4,)
    assert not any("plan 4" in n for n in out.lesion("spine").notes)
