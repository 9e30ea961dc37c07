"""ESCC grade, the Patchell checklist and the non-surgical regimens (clinical-rules.md §4, seed 000)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from apps.cases.facts import CaseFacts, LesionFacts, PriorCourseFacts
from apps.cases.vocabulary import EpiduralCompressionGrade, PrimaryHistology, Site
from apps.risk.engine import RADIOSENSITIVITY_TABLE, Radiosensitivity, escc_assessment, non_surgical_regimens

CRITERIA = [
    "survival_gt_3_months",
    "single_area",
    "not_cauda_equina_only",
    "paraplegia_lt_48h",
    "no_prior_radiotherapy",
    "solid_not_radiosensitive",
]


def compressing(level_from: str = "T6", level_to: str | None = None, **fields: object) -> LesionFacts:
    base: dict[str, object] = {
        "site": Site.LUMBAR_SPINE if level_from.startswith("L") else Site.THORACIC_SPINE,
        "level_from": level_from,
        "level_to": level_to,
        "epidural_compression_grade": EpiduralCompressionGrade.G2,
        "prior_radiotherapy": False,
    }
    base.update(fields)
    return LesionFacts(**base)  # type: ignore[arg-type]


def case_for(*lesions: LesionFacts, survival: float | None = 12.0, **fields: object) -> CaseFacts:
    """A breast-cancer case with motor function preserved (Frankel E); fields override."""
    base: dict[str, object] = {"primary_histology": PrimaryHistology.BREAST, "frankel_grade": "E"}
    base.update(fields)
    return CaseFacts(estimated_survival_months=survival, lesions=lesions, **base)  # type: ignore[arg-type]


def check(result_lesion: LesionFacts, case: CaseFacts | None, code: str) -> tuple[str, str]:
    result = escc_assessment(result_lesion, case)
    found = next(c for c in result.patchell_criteria if c.code == code)
    return str(found.status), found.explanation


@pytest.mark.parametrize(
    ("grade", "high", "category"),
    [
        ("0", False, "bone_only"),
        ("1a", False, "low_grade_epidural"),
        ("1b", False, "low_grade_epidural"),
        ("1c", False, "low_grade_epidural"),
        ("2", True, "high_grade_compression"),
        ("3", True, "high_grade_compression"),
    ],
)
def test_every_grade(grade: str, high: bool, category: str) -> None:
    # Given a spinal lesion of each Bilsky grade
    result = escc_assessment(compressing(epidural_compression_grade=grade))
    # Then 2-3 are high grade, flagged for urgent surgical and radiation-oncology review
    assert result.high_grade is high
    assert result.category == category
    assert result.to_dict()["urgent_review"] is high
    assert ("urgent surgical and radiation-oncology review" in result.recommendation) is high


def test_low_grade_has_no_checklist() -> None:
    result = escc_assessment(compressing(epidural_compression_grade="1c"))
    assert result.patchell_criteria == ()
    assert result.non_surgical_regimens == ()


def test_missing_grade_is_unknown() -> None:
    result = escc_assessment(compressing(epidural_compression_grade=None))
    assert result.high_grade is None and result.category is None
    assert result.missing == ("epidural_compression_grade",)
    assert result.recommendation == "unknown: needs epidural_compression_grade"


def test_non_spinal_site_is_not_applicable() -> None:
    result = escc_assessment(LesionFacts(site=Site.FEMUR, epidural_compression_grade=EpiduralCompressionGrade.G3))
    assert not result.applicable
    assert result.high_grade is None


def test_all_patchell_criteria_met_makes_a_surgical_candidate() -> None:
    # Given a single-level T6 grade-3 compression, 12 months' survival, no paraplegia, no prior RT
    lesion = compressing(epidural_compression_grade="3")
    result = escc_assessment(lesion, case_for(lesion))
    # Then every criterion is met and surgery + postoperative 30 Gy/10 is the pathway
    assert [str(c.status) for c in result.patchell_criteria] == ["met"] * 6
    assert [c.code for c in result.patchell_criteria] == CRITERIA
    # And each criterion carries its own source
    assert all(c.source for c in result.patchell_criteria)
    assert "contiguous" in result.patchell_criteria[1].source
    assert result.surgical_candidate == "met"
    assert "30 Gy/10" in result.recommendation
    assert result.missing == ()


@pytest.mark.parametrize(("survival", "status"), [(3.0, "not_met"), (3.1, "met"), (2.0, "not_met"), (None, "unknown")])
def test_survival_must_exceed_3_months(survival: float | None, status: str) -> None:
    lesion = compressing()
    assert check(lesion, case_for(lesion, survival=survival), "survival_gt_3_months")[0] == status


def test_survival_unknown_without_a_case() -> None:
    result = escc_assessment(compressing())
    assert "estimated_survival_months" in result.missing
    assert result.surgical_candidate == "unknown"


@pytest.mark.parametrize(("level_to", "status"), [(None, "met"), ("T6", "met"), ("T7", "met"), ("T9", "met")])
def test_a_lesion_spanning_contiguous_levels_is_one_area(level_to: str | None, status: str) -> None:
    # Given one compressive lesion over contiguous segments (Patchell: one area may span several)
    lesion = compressing("T6", level_to)
    assert check(lesion, case_for(lesion), "single_area")[0] == status


def test_contiguous_compressive_lesions_form_one_area() -> None:
    # Given high-grade compression at T5 and at T6, recorded as two lesions
    first, second = compressing("T5"), compressing("T6", epidural_compression_grade="3")
    status, explanation = check(first, case_for(first, second), "single_area")
    # Then they are one area, T5-T6
    assert status == "met"
    assert "T5-T6" in explanation


@pytest.mark.parametrize(("upper", "lower"), [("C7", "T1"), ("T12", "L1"), ("L5", "S1")])
def test_contiguity_crosses_spinal_regions(upper: str, lower: str) -> None:
    site_of = {"C": Site.CERVICAL_SPINE, "T": Site.THORACIC_SPINE, "L": Site.LUMBAR_SPINE, "S": Site.SACRUM}
    first = compressing(upper, site=site_of[upper[0]])
    second = compressing(lower, site=site_of[lower[0]])
    assert check(first, case_for(first, second), "single_area")[0] == "met"


def test_two_non_contiguous_compressions_are_not_a_single_area() -> None:
    # Given high-grade compressions at T6 and T9 (T7-T8 free)
    first, second = compressing("T6"), compressing("T9", epidural_compression_grade="3")
    status, explanation = check(first, case_for(first, second), "single_area")
    # Then compression is not restricted to one area, from either lesion's point of view
    assert status == "not_met"
    assert "T9" in explanation
    assert check(second, case_for(first, second), "single_area")[0] == "not_met"


def test_a_gap_of_one_level_separates_two_areas() -> None:
    first, second = compressing("T5", "T6"), compressing("T8")
    assert check(first, case_for(first, second), "single_area")[0] == "not_met"


def test_single_area_ignores_other_low_grade_lesions() -> None:
    first, second = compressing("T6"), compressing("T9", epidural_compression_grade="1b")
    assert check(first, case_for(first, second), "single_area")[0] == "met"


def test_single_area_ignores_non_spinal_lesions() -> None:
    first = compressing("T6")
    assert check(first, case_for(first, LesionFacts(site=Site.FEMUR)), "single_area")[0] == "met"


def test_an_ungraded_lesion_that_could_be_a_second_area_leaves_it_unknown() -> None:
    # Given a grade-2 compression at T6 and a T10 lesion whose ESCC grade is not recorded
    first, second = compressing("T6"), compressing("T10", epidural_compression_grade=None)
    result = escc_assessment(first, case_for(first, second))
    found = result.patchell_criteria[1]
    # Then whether the compression is a single area is unknown until that grade is recorded
    assert (found.code, str(found.status)) == ("single_area", "unknown")
    assert found.missing == ("epidural_compression_grade",)
    assert "T10" in found.explanation
    assert result.surgical_candidate == "unknown"


def test_an_ungraded_lesion_contiguous_with_the_area_does_not_matter() -> None:
    first, second = compressing("T6"), compressing("T7", epidural_compression_grade=None)
    assert check(first, case_for(first, second), "single_area")[0] == "met"


def test_an_ungraded_lesion_bridging_two_compressions_leaves_it_unknown() -> None:
    # T5 and T7 compress; T6's grade would join them (one area) or not (two areas)
    first, bridge, third = compressing("T5"), compressing("T6", epidural_compression_grade=None), compressing("T7")
    assert check(first, case_for(first, bridge, third), "single_area")[0] == "unknown"


def test_an_ungraded_lesion_cannot_rescue_two_separate_areas() -> None:
    first, other, third = compressing("T3"), compressing("L3", epidural_compression_grade=None), compressing("T9")
    assert check(first, case_for(first, other, third), "single_area")[0] == "not_met"


def test_a_compressive_lesion_without_levels_leaves_it_unknown() -> None:
    first, second = (
        compressing("T6"),
        LesionFacts(site=Site.THORACIC_SPINE, epidural_compression_grade=EpiduralCompressionGrade.G3),
    )
    status, explanation = check(first, case_for(first, second), "single_area")
    assert status == "unknown"
    assert "level_from" in explanation


@pytest.mark.parametrize(
    ("level_from", "level_to", "status"),
    [
        ("T12", None, "met"),
        ("L1", None, "met"),  # conus level
        ("L1", "L2", "met"),
        ("L2", None, "not_met"),  # entirely at L2 or below: cauda equina only
        ("L4", "L5", "not_met"),
    ],
)
def test_cauda_equina_cut_off_at_l2(level_from: str, level_to: str | None, status: str) -> None:
    lesion = compressing(level_from, level_to)
    assert check(lesion, case_for(lesion), "not_cauda_equina_only")[0] == status


def test_the_cauda_equina_check_reads_the_whole_area() -> None:
    # Given contiguous compression at L1 and L2-L3: the area reaches the conus
    upper, lower = compressing("L1"), compressing("L2", "L3")
    assert check(lower, case_for(upper, lower), "not_cauda_equina_only")[0] == "met"


def test_sacral_compression_is_cauda_equina_only() -> None:
    lesion = compressing("S1", site=Site.SACRUM)
    assert check(lesion, case_for(lesion), "not_cauda_equina_only")[0] == "not_met"


@pytest.mark.parametrize("frankel", ["C", "D", "E"])
def test_frankel_c_to_e_is_not_total_paraplegia(frankel: str) -> None:
    lesion = compressing()
    status, explanation = check(lesion, case_for(lesion, frankel_grade=frankel), "paraplegia_lt_48h")
    assert status == "met"
    assert f"Frankel {frankel}" in explanation


@pytest.mark.parametrize("frankel", ["A", "B"])
@pytest.mark.parametrize(
    ("hours", "status"),
    [(0, "met"), (12, "met"), (47.9, "met"), (48, "not_met"), (48.0, "not_met"), (48.1, "not_met"), (72, "not_met")],
)
def test_total_paraplegia_must_be_shorter_than_48_hours(frankel: str, hours: float, status: str) -> None:
    # Given Frankel A or B (no motor function) for a number of hours
    lesion = compressing()
    case = case_for(lesion, frankel_grade=frankel, complete_paraplegia_hours=hours)
    # Then < 48 h meets the criterion and 48 h exactly does not
    assert check(lesion, case, "paraplegia_lt_48h")[0] == status


@pytest.mark.parametrize("frankel", ["A", "B"])
def test_total_paraplegia_of_unknown_duration_is_unknown(frankel: str) -> None:
    lesion = compressing()
    result = escc_assessment(lesion, case_for(lesion, frankel_grade=frankel))
    found = result.patchell_criteria[3]
    assert str(found.status) == "unknown"
    assert found.missing == ("complete_paraplegia_hours",)
    assert found.explanation.endswith("unknown: needs complete_paraplegia_hours")
    assert result.surgical_candidate == "unknown"


def test_unknown_frankel_grade_is_unknown() -> None:
    lesion = compressing()
    result = escc_assessment(lesion, case_for(lesion, frankel_grade=None))
    found = result.patchell_criteria[3]
    assert str(found.status) == "unknown"
    assert found.missing == ("frankel_grade",)
    assert found.explanation.startswith("unknown: needs frankel_grade")
    assert result.missing == ("frankel_grade",)
    assert result.surgical_candidate == "unknown"


def test_hours_without_a_grade_still_decide() -> None:
    lesion = compressing()
    assert (
        check(lesion, case_for(lesion, frankel_grade=None, complete_paraplegia_hours=72.0), "paraplegia_lt_48h")[0] == "not_met"
    )


def test_motor_function_with_paraplegia_hours_is_a_contradiction() -> None:
    lesion = compressing()
    case = case_for(lesion, frankel_grade="D", complete_paraplegia_hours=10.0)
    assert check(lesion, case, "paraplegia_lt_48h")[0] == "unknown"


@pytest.mark.parametrize(("hours", "status"), [(0, "met"), (47.9, "met"), (48, "not_met"), (72, "not_met")])
def test_the_legacy_paraplegia_inputs_still_work(hours: float, status: str) -> None:
    lesion = compressing()
    case = CaseFacts(estimated_survival_months=12.0, lesions=(lesion,), extra={"total_paraplegia_hours": hours})
    assert check(lesion, case, "paraplegia_lt_48h")[0] == status
    # And the explicit argument gives the same answer
    explicit = escc_assessment(lesion, CaseFacts(estimated_survival_months=12.0), total_paraplegia_hours=hours)
    assert str(explicit.patchell_criteria[3].status) == status


@pytest.mark.parametrize(("prior", "status"), [(False, "met"), (True, "not_met"), (None, "unknown")])
def test_no_prior_radiotherapy(prior: bool | None, status: str) -> None:
    lesion = compressing(prior_radiotherapy=prior)
    assert check(lesion, case_for(lesion), "no_prior_radiotherapy")[0] == status


def course(level_from: str | None, level_to: str | None = None, site: Site | None = Site.THORACIC_SPINE) -> PriorCourseFacts:
    return PriorCourseFacts(
        region="prior course",
        total_dose_gy=30.0,
        fractions=10,
        date=date(2025, 6, 1),
        site=site,
        level_from=level_from,
        level_to=level_to,
    )


@pytest.mark.parametrize(
    ("prior", "status"),
    [
        (course("T7", "T9"), "not_met"),  # T7-T9 reaches the T7 end of the area
        (course("T5", "T7"), "not_met"),
        (course("T6"), "not_met"),
    ],
)
def test_a_prior_course_overlapping_the_area_is_prior_radiotherapy(prior: PriorCourseFacts, status: str) -> None:
    # Given a T6-T7 compression recorded as not irradiated, and a prior course whose levels intersect it
    lesion = compressing("T6", "T7", prior_radiotherapy=False)
    result_status, explanation = check(lesion, case_for(lesion, prior_courses=(prior,)), "no_prior_radiotherapy")
    # Then the course counts (anatomical overlap, clinical-rules §7), whatever the lesion says
    assert result_status == status
    assert "30 Gy/10" in explanation


@pytest.mark.parametrize(
    "prior",
    [course("T9", "T11"), course(None, site=Site.FEMUR), course("L1", "L3", site=Site.LUMBAR_SPINE)],
)
def test_a_prior_course_elsewhere_does_not_count(prior: PriorCourseFacts) -> None:
    lesion = compressing("T6", "T7", prior_radiotherapy=False)
    assert check(lesion, case_for(lesion, prior_courses=(prior,)), "no_prior_radiotherapy")[0] == "met"


def test_a_prior_course_that_cannot_be_placed_is_named_not_dropped() -> None:
    lesion = compressing("T6", prior_radiotherapy=None)
    unplaced = PriorCourseFacts(region="upper back", total_dose_gy=8.0, fractions=1)
    status, explanation = check(lesion, case_for(lesion, prior_courses=(unplaced,)), "no_prior_radiotherapy")
    assert status == "unknown"
    assert "overlap unknown" in explanation and "8 Gy/1" in explanation


def test_a_merged_area_is_checked_against_prior_courses() -> None:
    # Given T5 and T6 compressive lesions and a prior course to T5 only: the area T5-T6 was irradiated
    first, second = compressing("T5"), compressing("T6")
    case = case_for(first, second, prior_courses=(course("T5"),))
    assert check(second, case, "no_prior_radiotherapy")[0] == "not_met"


@pytest.mark.parametrize("histology", list(PrimaryHistology))
def test_every_histology_for_solid_not_radiosensitive(histology: PrimaryHistology) -> None:
    # Given each primary histology of the vocabulary
    lesion = compressing()
    status, explanation = check(lesion, case_for(lesion, primary_histology=histology), "solid_not_radiosensitive")
    # Then radiosensitive tumours (lymphoma, myeloma, germ-cell) are excluded, unknown histologies are unknown
    klass = RADIOSENSITIVITY_TABLE[histology].radiosensitivity
    expected = {None: "unknown", Radiosensitivity.RADIOSENSITIVE: "not_met"}.get(klass, "met")
    assert status == expected, explanation


@pytest.mark.parametrize(
    ("histology", "status"),
    [
        ("lymphoma", "not_met"),
        ("myeloma", "not_met"),
        ("germ_cell", "not_met"),
        ("breast", "met"),
        ("prostate", "met"),
        ("renal_cell", "met"),
        ("melanoma", "met"),
        ("nsclc", "met"),
        ("unknown_primary", "unknown"),
        ("other", "unknown"),
        (None, "unknown"),
    ],
)
def test_patchell_excluded_radiosensitive_tumours(histology: str | None, status: str) -> None:
    lesion = compressing()
    result = escc_assessment(lesion, case_for(lesion, primary_histology=histology))
    found = result.patchell_criteria[5]
    assert (found.code, str(found.status)) == ("solid_not_radiosensitive", status)
    if status == "unknown":
        assert found.missing == ("primary_histology",)
    if status == "not_met":
        assert result.surgical_candidate == "not_met"


def test_an_invalid_histology_code_is_unknown() -> None:
    lesion = compressing()
    assert check(lesion, case_for(lesion, primary_histology="leukaemia"), "solid_not_radiosensitive")[0] == "unknown"


def test_the_not_met_criteria_are_named_in_the_recommendation() -> None:
    lesion = compressing()
    result = escc_assessment(lesion, case_for(lesion, primary_histology="myeloma", survival=2.0))
    assert "survival_gt_3_months, solid_not_radiosensitive not met" in result.recommendation


def test_any_criterion_not_met_means_not_a_candidate_even_with_unknowns() -> None:
    lesion = compressing(prior_radiotherapy=True)
    result = escc_assessment(lesion, CaseFacts(estimated_survival_months=None, lesions=(lesion,)))
    assert result.surgical_candidate == "not_met"


@pytest.mark.parametrize(
    ("survival", "regimens"),
    [
        (2.0, ("8 Gy/1", "20 Gy/5")),
        (5.9, ("8 Gy/1", "20 Gy/5")),
        (6.0, ("30 Gy/10",)),
        (24.0, ("30 Gy/10",)),
        (None, ()),
    ],
)
def test_non_surgical_regimens_by_survival(survival: float | None, regimens: tuple[str, ...]) -> None:
    assert non_surgical_regimens(survival) == regimens
    lesion = compressing()
    assert escc_assessment(lesion, case_for(lesion, survival=survival)).non_surgical_regimens == regimens


def test_radiosensitivity_is_given_as_context() -> None:
    lesion = compressing()
    result = escc_assessment(lesion, case_for(lesion, primary_histology="myeloma"))
    assert result.radiosensitivity == "radiosensitive"
    assert any("radiosensitive" in note for note in result.notes)


def test_invalid_span_is_unknown_not_a_crash() -> None:
    lesion = compressing("T9", "T3")
    result = escc_assessment(lesion, case_for(lesion))
    assert str(result.patchell_criteria[1].status) == "unknown"
    assert str(result.patchell_criteria[2].status) == "unknown"


def test_a_candidate_needs_every_criterion_known() -> None:
    # Given everything met except a survival that is not recorded
    lesion = compressing()
    result = escc_assessment(lesion, case_for(lesion, survival=None))
    assert result.surgical_candidate == "unknown"
    assert "estimated_survival_months" in result.missing


def test_fitness_for_surgery_is_left_to_the_board() -> None:
    lesion = compressing()
    assert any("board judgement" in note for note in escc_assessment(lesion, case_for(lesion)).notes)


def test_dict_is_json_serialisable_and_cites_patchell() -> None:
    lesion = compressing()
    data = escc_assessment(lesion, case_for(lesion)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert [c["code"] for c in data["patchell_criteria"]] == CRITERIA
    assert all(set(c) == {"code", "status", "input", "explanation", "missing", "source"} for c in data["patchell_criteria"])
    assert data["rule"] == "escc"
    assert "Patchell" in data["source"] and "SCORAD" in data["source"]
    assert data["patchell_criteria"][0]["status"] == "met"


def test_zero_hours_of_paraplegia_is_paraplegia_not_its_absence() -> None:
    # complete_paraplegia_hours 0 means motor function was just lost (the legacy input's 0 meant "none")
    lesion = compressing()
    status, explanation = check(lesion, case_for(lesion, frankel_grade="A", complete_paraplegia_hours=0.0), "paraplegia_lt_48h")
    assert status == "met"
    assert explanation == "Frankel A, total paraplegia for 0 h (< 48 h)"
