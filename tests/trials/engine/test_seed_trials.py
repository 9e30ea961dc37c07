"""Every seeded trial (clinical-rules.md §9): an eligible case, an ineligible case, a case with unknowns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from apps.cases.facts import CaseFacts, LesionFacts
from apps.trials.engine import (
    TRIAL_STATUSES,
    CompiledTrial,
    Eligibility,
    compile_trial,
    load_seed_trials,
)

TRIALS: dict[str, CompiledTrial] = {d["identifier"]: compile_trial(d) for d in load_seed_trials()}


def facts(**kw: Any) -> CaseFacts:
    return CaseFacts(**kw)


def mets(bone: int | None, visceral: int | None) -> dict[str, Any]:
    return {"bone_metastases_count": bone, "visceral_metastases_count": visceral}


def lesion(site: str, **kw: Any) -> LesionFacts:
    return LesionFacts(site=site, **kw)  # type: ignore[arg-type]


DE_NOVO_SYNC = {
    "history_polymetastatic": False,
    "history_oligometastatic_treated": False,
    "primary_diagnosis_date": date(2025, 3, 1),
    "metastasis_diagnosis_date": date(2025, 4, 15),
}
LUMINAL = {
    "primary_histology": "breast",
    "er_status": "positive",
    "pr_status": "positive",
    "her2_status": "negative",
}
TNBC = {
    "primary_histology": "breast",
    "er_status": "negative",
    "pr_status": "negative",
    "her2_status": "negative",
}
RIB = lesion("rib")
SPINE_FAR = lesion("thoracic_spine", level_from="T5", distance_to_spinal_cord_mm=8.0, epidural_compression_grade="0")
#: Spinal cord compression (ESCC grade 2: cord compressed, CSF visible), far from nothing else.
CORD_COMPRESSED = lesion("thoracic_spine", level_from="T9", distance_to_spinal_cord_mm=0.0, epidural_compression_grade="2")


@dataclass
class Scenario:
    identifier: str
    eligible: CaseFacts
    ineligible: CaseFacts
    #: The criteria the ineligible case fails.
    failing: list[str]
    possibly: CaseFacts
    #: The fields a possibly-eligible result asks for.
    missing: list[str]
    more_ineligible: list[tuple[CaseFacts, list[str]]] = field(default_factory=list)


SCENARIOS = [
    Scenario(
        "NCT01446744",  # SABR-COMET
        eligible=facts(primary_controlled=True, **mets(2, 1), lesions=(RIB, SPINE_FAR)),
        ineligible=facts(primary_controlled=True, **mets(2, 1), lesions=(RIB, lesion("femur", subsite="shaft"))),
        failing=["no_femoral_metastasis"],
        possibly=facts(primary_controlled=True, **mets(2, None), lesions=(RIB, lesion("lumbar_spine", level_from="L2"))),
        missing=[
            "visceral_metastases_count",
            "lesions[1].distance_to_spinal_cord_mm",
            "lesions[1].epidural_compression_grade",
        ],
        more_ineligible=[
            (
                facts(
                    primary_controlled=True,
                    **mets(2, 0),
                    lesions=(lesion("cervical_spine", level_from="C5", distance_to_spinal_cord_mm=3.0), RIB),
                ),
                ["no_focus_within_3mm_of_cord"],
            ),
            (facts(primary_controlled=False, **mets(6, 0)), ["controlled_primary", "metastases_1_5"]),
            (
                facts(primary_controlled=True, **mets(2, 0), lesions=(RIB, CORD_COMPRESSED)),
                ["no_focus_within_3mm_of_cord", "no_spinal_cord_compression"],
            ),
        ],
    ),
    Scenario(
        "NCT03862911",  # SABR-COMET-3
        eligible=facts(primary_histology="breast", primary_controlled=True, **mets(1, 2), lesions=(SPINE_FAR,)),
        ineligible=facts(primary_controlled=True, **mets(3, 1)),
        failing=["metastases_1_3"],
        possibly=facts(primary_histology="renal_cell", **mets(1, 1), lesions=(RIB,)),
        missing=["primary_controlled"],
        more_ineligible=[
            # issue 9: a myeloma case read eligible; myeloma and lymphoma are not solid tumours
            (facts(primary_histology="myeloma", primary_controlled=True, **mets(1, 0), lesions=(RIB,)), ["solid_tumour"]),
            (facts(primary_histology="lymphoma", primary_controlled=True, **mets(1, 0), lesions=(RIB,)), ["solid_tumour"]),
            (
                facts(primary_histology="breast", primary_controlled=True, **mets(1, 0), lesions=(CORD_COMPRESSED,)),
                ["no_spinal_cord_compression"],
            ),
        ],
    ),
    Scenario(
        "NCT03721341",  # SABR-COMET-10
        eligible=facts(primary_histology="nsclc", primary_controlled=True, **mets(3, 2), lesions=(RIB, RIB, SPINE_FAR)),
        ineligible=facts(primary_controlled=True, **mets(2, 1)),
        failing=["metastases_4_10"],
        possibly=facts(primary_histology="colorectal", primary_controlled=True, **mets(4, None), lesions=(RIB,) * 4),
        missing=["visceral_metastases_count"],
        more_ineligible=[
            (facts(primary_controlled=True, **mets(11, None)), ["metastases_4_10"]),
            (facts(primary_histology="myeloma", primary_controlled=True, **mets(2, 3), lesions=(RIB, RIB)), ["solid_tumour"]),
            (
                facts(primary_histology="prostate", primary_controlled=True, **mets(2, 3), lesions=(RIB, CORD_COMPRESSED)),
                ["no_spinal_cord_compression"],
            ),
        ],
    ),
    Scenario(
        "NCT02759783",  # CORE
        eligible=facts(primary_histology="nsclc", primary_controlled=True, **mets(1, 1)),
        ineligible=facts(primary_histology="renal_cell", primary_controlled=True, **mets(1, 1)),
        failing=["primary_breast_nsclc_prostate"],
        possibly=facts(primary_histology="prostate", **mets(1, 0)),
        missing=["primary_controlled"],
    ),
    Scenario(
        "NCT01558427",  # STOMP
        eligible=facts(primary_histology="prostate", **mets(3, 0)),
        ineligible=facts(primary_histology="prostate", **mets(3, 1)),
        failing=["metastases_le_3"],
        possibly=facts(primary_histology="prostate", **mets(2, None)),
        missing=["visceral_metastases_count"],
    ),
    Scenario(
        "NCT02680587",  # ORIOLE
        eligible=facts(primary_histology="prostate", castration_status="hormone_sensitive", **mets(2, 0)),
        ineligible=facts(primary_histology="prostate", castration_status="castration_resistant", **mets(2, 0)),
        failing=["hormone_sensitive"],
        possibly=facts(primary_histology="prostate", **mets(2, 0)),
        missing=["castration_status"],
    ),
    Scenario(
        "NCT02364557",  # NRG-BR002
        eligible=facts(primary_histology="breast", **mets(2, 1), **DE_NOVO_SYNC),
        ineligible=facts(primary_histology="breast", **mets(2, 1), **{**DE_NOVO_SYNC, "history_polymetastatic": True}),
        failing=["newly_oligometastatic"],
        possibly=facts(
            primary_histology="breast",
            **mets(2, 1),
            primary_diagnosis_date=date(2020, 1, 1),
            metastasis_diagnosis_date=date(2025, 1, 1),
        ),
        missing=["history_polymetastatic", "history_oligometastatic_treated"],
    ),
    Scenario(
        "NCT03137771",  # NRG LU-002
        eligible=facts(primary_histology="nsclc", **mets(1, 1)),
        ineligible=facts(primary_histology="nsclc", **mets(4, 2)),
        failing=["oligometastatic_1_5"],
        possibly=facts(primary_histology="nsclc", **mets(None, 2)),
        missing=["bone_metastases_count"],
    ),
    Scenario(
        "NCT02417662",  # SARON
        eligible=facts(primary_histology="nsclc", **mets(3, 1)),
        ineligible=facts(primary_histology="sclc", **mets(3, 1)),
        failing=["primary_nsclc"],
        possibly=facts(**mets(1, 1)),
        missing=["primary_histology"],
    ),
    Scenario(
        "NCT02089100",  # STEREO-SEIN
        eligible=facts(**LUMINAL, **mets(2, 0), **DE_NOVO_SYNC),
        ineligible=facts(**TNBC, **mets(2, 0), **DE_NOVO_SYNC),
        failing=["not_triple_negative"],
        # De novo = first metastatic presentation, synchronous or metachronous (registry record NCT02089100).
        possibly=facts(
            **{**LUMINAL, "her2_status": None},
            **mets(2, 0),
            **{**DE_NOVO_SYNC, "history_polymetastatic": None},
        ),
        missing=["history_polymetastatic"],
        more_ineligible=[
            (
                facts(**LUMINAL, **mets(2, 0), **{**DE_NOVO_SYNC, "history_polymetastatic": True}),
                ["de_novo_oligometastatic"],
            ),
            (
                facts(**LUMINAL, **mets(2, 0), **{**DE_NOVO_SYNC, "history_oligometastatic_treated": True}),
                ["de_novo_oligometastatic"],
            ),
        ],
    ),
    Scenario(
        "NCT03750396",  # CLEAR
        eligible=facts(
            **LUMINAL,
            **mets(1, 1),
            primary_diagnosis_date=date(2019, 1, 1),
            primary_treatment_completed_date=date(2019, 8, 1),
            metastasis_diagnosis_date=date(2021, 6, 1),
        ),
        # diagnosed 2.5 years before the recurrence, but treatment ended only 8 months before it (issue 9)
        ineligible=facts(
            **LUMINAL,
            **mets(1, 1),
            primary_diagnosis_date=date(2019, 1, 1),
            primary_treatment_completed_date=date(2020, 10, 1),
            metastasis_diagnosis_date=date(2021, 6, 1),
        ),
        failing=["recurrence_after_12_months"],
        possibly=facts(
            **LUMINAL,
            **mets(1, 1),
            primary_diagnosis_date=date(2019, 1, 1),
            metastasis_diagnosis_date=date(2021, 6, 1),
        ),
        missing=["primary_treatment_completed_date"],
        more_ineligible=[(facts(**{**LUMINAL, "er_status": "negative"}, **mets(1, 0)), ["er_positive"])],
    ),
    Scenario(
        "NCT04220476",  # CIMER
        eligible=facts(**LUMINAL, **mets(3, 0), extra={"first_line_cdk46_candidate": True}),
        ineligible=facts(**{**LUMINAL, "her2_status": "positive"}, **mets(3, 0), extra={"first_line_cdk46_candidate": True}),
        failing=["luminal_subtype"],
        possibly=facts(**LUMINAL, **mets(3, 0)),
        missing=["extra.first_line_cdk46_candidate"],
    ),
    Scenario(
        "NCT03808337",  # MSKCC, SBRT BED >= 48 Gy10 to all sites
        eligible=facts(primary_histology="nsclc", **mets(4, 3), extra={"planned_min_bed10_gy": 52.8}),
        ineligible=facts(**LUMINAL, **mets(4, 3), extra={"planned_min_bed10_gy": 52.8}),
        failing=["nsclc_or_tnbc"],
        possibly=facts(**TNBC, **mets(2, 1)),
        missing=["extra.planned_min_bed10_gy"],
        more_ineligible=[
            (
                facts(primary_histology="nsclc", **mets(2, 0), extra={"planned_min_bed10_gy": 39.0}),
                ["sbrt_bed_ge_48_all_sites"],
            )
        ],
    ),
    Scenario(
        "NCT00182793",  # NCI, stage IIIB-IV breast, tandem autologous transplant (seed 004 Table 2)
        eligible=facts(**LUMINAL, **mets(2, 1), extra={"autologous_transplant_candidate": True}),
        ineligible=facts(**TNBC, **mets(4, 2), extra={"autologous_transplant_candidate": True}),
        failing=["oligometastatic_le_5"],
        possibly=facts(**LUMINAL, **mets(2, 0)),
        missing=["extra.autologous_transplant_candidate"],
        more_ineligible=[
            (facts(primary_histology="prostate", **mets(2, 0)), ["primary_breast"]),
            (
                facts(**LUMINAL, **mets(1, 0), extra={"autologous_transplant_candidate": False}),
                ["autologous_transplant_candidate"],
            ),
        ],
    ),
    Scenario(
        "NCT03808662",  # MSKCC, oligoprogression
        eligible=facts(**TNBC, on_systemic_therapy=True, progressing_lesions_count=2),
        ineligible=facts(**TNBC, on_systemic_therapy=True, progressing_lesions_count=4),
        failing=["oligoprogression_1_3"],
        possibly=facts(primary_histology="nsclc", progressing_lesions_count=1),
        missing=["on_systemic_therapy"],
    ),
    Scenario(
        "NCT03523351",  # Gillespie, prophylactic RT
        eligible=facts(**mets(6, 2), lesions=(RIB, lesion("femur", subsite="femoral_neck", symptomatic=False))),
        ineligible=facts(**mets(3, 1), lesions=(lesion("femur", subsite="femoral_neck", symptomatic=False),)),
        failing=["more_than_5_metastases"],
        # every bone metastasis is described (the undescribed ones would be asked for: see below)
        possibly=facts(**mets(1, 6), lesions=(lesion("thoracic_spine", level_from="T8", max_diameter_mm=25.0),)),
        missing=["lesions[0].symptoms"],
        more_ineligible=[
            (
                facts(
                    **mets(2, 5),
                    lesions=(
                        lesion(
                            "rib",
                            symptomatic=False,
                            max_diameter_mm=12.0,
                            posterior_element_involvement=False,
                        ),
                        lesion("femur", subsite="femoral_neck", symptomatic=True),
                    ),
                ),
                ["high_risk_asymptomatic_lesion"],
            )
        ],
    ),
    Scenario(
        "NCT03599765",  # EXTEND
        eligible=facts(primary_histology="pancreatic", **mets(2, 3)),
        ineligible=facts(primary_histology="pancreatic", **mets(3, 3)),
        failing=["metastases_le_5"],
        possibly=facts(primary_histology="pancreatic", lesions=(RIB, RIB)),
        missing=["bone_metastases_count", "visceral_metastases_count"],
    ),
    Scenario(
        "NCT03904927",  # ESO-Shanghai 13
        eligible=facts(primary_histology="esophageal_squamous", **mets(1, 3)),
        ineligible=facts(primary_histology="gastric", **mets(1, 3)),
        failing=["primary_esophageal_squamous"],
        possibly=facts(**mets(1, 3)),
        missing=["primary_histology"],
    ),
    Scenario(
        "NCT05673148",  # ERASur
        eligible=facts(primary_histology="colorectal", **mets(1, 0)),
        ineligible=facts(primary_histology="colorectal", **mets(2, 5)),
        failing=["metastases_le_5"],
        possibly=facts(primary_histology="colorectal", **mets(3, None)),
        missing=["visceral_metastases_count"],
    ),
]

IDS = [s.identifier for s in SCENARIOS]


def test_every_seeded_trial_has_a_scenario() -> None:
    assert sorted(IDS) == sorted(TRIALS)
    assert len(TRIALS) == 19


def failing_codes(match: Any) -> list[str]:
    return [c.code for c in match.criteria if c.result.value == "not_met"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_eligible_case(scenario: Scenario) -> None:
    match = TRIALS[scenario.identifier].match(scenario.eligible)
    assert match.eligibility is Eligibility.ELIGIBLE, [c.explanation for c in match.criteria]
    assert match.missing_fields == ()
    assert all(c.missing == () for c in match.criteria)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_ineligible_case(scenario: Scenario) -> None:
    for case, failing in [(scenario.ineligible, scenario.failing), *scenario.more_ineligible]:
        match = TRIALS[scenario.identifier].match(case)
        assert match.eligibility is Eligibility.INELIGIBLE
        assert failing_codes(match) == failing, [c.explanation for c in match.criteria]
        assert match.missing_fields == ()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_case_with_unknowns(scenario: Scenario) -> None:
    match = TRIALS[scenario.identifier].match(scenario.possibly)
    assert match.eligibility is Eligibility.POSSIBLY_ELIGIBLE, [c.explanation for c in match.criteria]
    assert list(match.missing_fields) == scenario.missing
    for criterion in match.criteria:
        if criterion.result.value == "unknown":
            assert criterion.explanation == f"unknown: needs {', '.join(criterion.missing)}"


def test_seed_metadata() -> None:
    definitions = load_seed_trials()
    for definition in definitions:
        assert definition["status"] in TRIAL_STATUSES
        assert definition["summary"] and definition["title"]
        assert definition["sources"]
        for criterion in definition["criteria"]:
            assert criterion["source"], (definition["identifier"], criterion["code"])
    by_id = {d["identifier"]: d for d in definitions}
    assert by_id["NCT01446744"]["status"] == "completed"  # clinical-rules.md §9
    assert by_id["NCT03904927"]["short_name"] == "ESO-Shanghai 13"
    assert by_id["NCT03599765"]["short_name"].startswith("EXTEND")
    assert by_id["NCT05673148"]["short_name"] == "ERASur"


def test_load_seed_trials_returns_independent_copies() -> None:
    first = load_seed_trials()
    first[0]["criteria"][0]["rule"]["value"] = "changed"
    assert load_seed_trials()[0]["criteria"][0]["rule"]["value"] is True


def test_metachronous_de_novo_disease_is_de_novo_for_stereo_sein() -> None:
    metachronous = {**DE_NOVO_SYNC, "metastasis_diagnosis_date": date(2026, 1, 10)}
    match = TRIALS["NCT02089100"].match(facts(**LUMINAL, **mets(2, 0), **metachronous))
    assert match.eligibility is Eligibility.ELIGIBLE, [c.explanation for c in match.criteria]


@pytest.mark.parametrize("identifier", ["NCT02759783", "NCT01558427", "NCT02680587", "NCT03599765", "NCT03904927", "NCT05673148"])
def test_at_most_n_metastases_needs_at_least_one(identifier: str) -> None:
    (criterion,) = [c for c in TRIALS[identifier].criteria if c.code.startswith("metastases_le_")]
    limit = int(criterion.code.rsplit("_", 1)[1])
    results = {n: criterion.evaluate(facts(**mets(0, n))).result.value for n in (0, 1, limit, limit + 1)}
    assert results == {0: "not_met", 1: "met", limit: "met", limit + 1: "not_met"}


def test_undescribed_bone_metastases_leave_lesion_criteria_unknown() -> None:
    # SABR-COMET: 3 bone metastases, 1 described far from the cord: the 2 others could be femoral
    case = facts(primary_controlled=True, **mets(3, 0), lesions=(SPINE_FAR,))
    match = TRIALS["NCT01446744"].match(case)
    assert match.eligibility is Eligibility.POSSIBLY_ELIGIBLE
    assert match.missing_fields == ("lesions",)
    # Gillespie: 7 bone metastases, 2 described without a high-risk feature: the 5 others might have one
    case = facts(
        **mets(7, 0),
        lesions=(
            lesion("rib", symptomatic=False, max_diameter_mm=12.0, posterior_element_involvement=False),
            lesion("femur", subsite="femoral_neck", symptomatic=True),
        ),
    )
    match = TRIALS["NCT03523351"].match(case)
    assert match.eligibility is Eligibility.POSSIBLY_ELIGIBLE
    assert match.missing_fields == ("lesions",)


def test_explanations_of_a_typical_match() -> None:
    case = facts(primary_controlled=True, **mets(6, None), lesions=(lesion("femur", subsite="shaft"),))
    match = TRIALS["NCT01446744"].match(case)
    assert [(c.code, c.result.value, c.explanation) for c in match.criteria] == [
        ("controlled_primary", "met", "primary tumour controlled: yes; trial requires yes"),
        (
            "metastases_1_5",
            "not_met",
            "at least 6 metastases (visceral_metastases_count not recorded); trial allows 1-5",
        ),
        (
            "no_femoral_metastasis",
            "not_met",
            "lesion 1 (femur, shaft): site is femur; trial excludes such lesions",
        ),
        # 5 of the 6 bone metastases are not described: any could be next to the cord
        ("no_focus_within_3mm_of_cord", "unknown", "unknown: needs lesions"),
        ("no_spinal_cord_compression", "unknown", "unknown: needs lesions"),
    ]


def test_other_histology_leaves_solid_tumour_unknown_for_sabr_comet_3_and_10() -> None:
    case = facts(primary_histology="other", primary_controlled=True, **mets(1, 0), lesions=(RIB,))
    match = TRIALS["NCT03862911"].match(case)
    assert match.eligibility is Eligibility.POSSIBLY_ELIGIBLE
    assert match.missing_fields == ("primary_histology",)
    (solid,) = [c for c in match.criteria if c.code == "solid_tumour"]
    assert solid.result.value == "unknown" and solid.kind.value == "inclusion"


@pytest.mark.parametrize(
    ("grade", "result"), [("0", "met"), ("1a", "met"), ("1b", "met"), ("1c", "met"), ("2", "not_met"), ("3", "not_met")]
)
def test_spinal_cord_compression_is_escc_grade_2_or_3(grade: str, result: str) -> None:
    spine = lesion("cervical_spine", level_from="C4", distance_to_spinal_cord_mm=5.0, epidural_compression_grade=grade)
    for identifier in ("NCT01446744", "NCT03862911", "NCT03721341"):
        (criterion,) = [c for c in TRIALS[identifier].criteria if c.code == "no_spinal_cord_compression"]
        assert criterion.kind.value == "exclusion"
        outcome = criterion.evaluate(facts(**mets(1, 0), lesions=(spine,)))
        assert outcome.result.value == result, (identifier, grade, outcome.explanation)


def test_a_spinal_lesion_without_a_compression_grade_is_asked_for_and_other_sites_are_not() -> None:
    (criterion,) = [c for c in TRIALS["NCT03862911"].criteria if c.code == "no_spinal_cord_compression"]
    unknown = criterion.evaluate(facts(**mets(2, 0), lesions=(RIB, lesion("lumbar_spine", level_from="L3"))))
    assert (unknown.result.value, unknown.missing) == ("unknown", ("lesions[1].epidural_compression_grade",))
    assert criterion.evaluate(facts(**mets(2, 0), lesions=(RIB, lesion("femur")))).result.value == "met"


def test_nct00182793_stage_iiib_iiic_without_metastases() -> None:
    trial = TRIALS["NCT00182793"]
    no_metastases = facts(**LUMINAL, **mets(0, 0), extra={"autologous_transplant_candidate": True})
    match = trial.match(no_metastases)
    assert match.eligibility is Eligibility.POSSIBLY_ELIGIBLE
    assert match.missing_fields == ("extra.breast_stage_iiib_iiic",)
    stage_iii = facts(**LUMINAL, **mets(0, 0), extra={"autologous_transplant_candidate": True, "breast_stage_iiib_iiic": True})
    assert trial.match(stage_iii).eligibility is Eligibility.ELIGIBLE
    assert trial.status == "active_not_recruiting"


@pytest.mark.parametrize(
    ("completed", "result"),
    [
        (date(2020, 6, 1), "not_met"),  # exactly 12 months before the recurrence: not more than 12
        (date(2020, 5, 31), "met"),  # a day earlier: just over 12
        (date(2021, 1, 1), "not_met"),
        (date(2021, 7, 1), "not_met"),  # metastases found before treatment ended
    ],
)
def test_clear_recurrence_is_measured_from_the_end_of_primary_treatment(completed: date, result: str) -> None:
    (criterion,) = [c for c in TRIALS["NCT03750396"].criteria if c.code == "recurrence_after_12_months"]
    case = facts(
        **LUMINAL,
        primary_diagnosis_date=date(2015, 1, 1),  # long before: must not decide it
        primary_treatment_completed_date=completed,
        metastasis_diagnosis_date=date(2021, 6, 1),
    )
    assert criterion.evaluate(case).result.value == result


def test_minimally_symptomatic_lesions_qualify_for_prophylactic_rt() -> None:
    neck = {"site": "femur", "subsite": "femoral_neck"}
    trial = TRIALS["NCT03523351"]
    for kw in ({"symptoms": "minimally_symptomatic"}, {"symptoms": "asymptomatic"}, {"symptomatic": False}):
        match = trial.match(facts(**mets(1, 6), lesions=(lesion(**neck, **kw),)))  # type: ignore[arg-type]
        assert match.eligibility is Eligibility.ELIGIBLE, (kw, [c.explanation for c in match.criteria])
    for kw in ({"symptoms": "symptomatic", "symptomatic": True}, {"symptomatic": True}):
        symptomatic = trial.match(facts(**mets(1, 6), lesions=(lesion(**neck, **kw),)))  # type: ignore[arg-type]
        assert symptomatic.eligibility is Eligibility.INELIGIBLE, kw
