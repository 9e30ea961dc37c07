"""ESCC grade, the Patchell checklist and the non-surgical regimens (clinical-rules.md §4, seed 000)."""

from __future__ import annotations

import json

import pytest

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import EpiduralCompressionGrade, Site
from apps.risk.engine import escc_assessment, non_surgical_regimens


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
    return CaseFacts(
        estimated_survival_months=survival,
        lesions=lesions,
        extra={"total_paraplegia_hours": 0},
        **fields,  # type: ignore[arg-type]
    )


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
    assert [str(c.status) for c in result.patchell_criteria] == ["met"] * 5
    assert [c.code for c in result.patchell_criteria] == [
        "survival_gt_3_months",
        "single_level",
        "not_cauda_equina_only",
        "paraplegia_lt_48h",
        "no_prior_radiotherapy",
    ]
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


@pytest.mark.parametrize(("level_to", "status"), [(None, "met"), ("T6", "met"), ("T7", "not_met")])
def test_single_level(level_to: str | None, status: str) -> None:
    lesion = compressing("T6", level_to)
    assert check(lesion, case_for(lesion), "single_level")[0] == status


def test_single_level_not_met_when_another_lesion_compresses_elsewhere() -> None:
    # Given two single-level high-grade compressions at T6 and T9
    first, second = compressing("T6"), compressing("T9", epidural_compression_grade="3")
    status, explanation = check(first, case_for(first, second), "single_level")
    # Then compression is not at a single level
    assert status == "not_met"
    assert "T9" in explanation


def test_single_level_ignores_other_low_grade_lesions() -> None:
    first, second = compressing("T6"), compressing("T9", epidural_compression_grade="1b")
    assert check(first, case_for(first, second), "single_level")[0] == "met"


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


def test_sacral_compression_is_cauda_equina_only() -> None:
    lesion = compressing("S1", site=Site.SACRUM)
    assert check(lesion, case_for(lesion), "not_cauda_equina_only")[0] == "not_met"


@pytest.mark.parametrize(("hours", "status"), [(0, "met"), (47.9, "met"), (48, "not_met"), (72, "not_met")])
def test_paraplegia_shorter_than_48_hours(hours: float, status: str) -> None:
    lesion = compressing()
    case = CaseFacts(estimated_survival_months=12.0, lesions=(lesion,), extra={"total_paraplegia_hours": hours})
    assert check(lesion, case, "paraplegia_lt_48h")[0] == status
    # And the explicit argument gives the same answer
    explicit = escc_assessment(lesion, CaseFacts(estimated_survival_months=12.0), total_paraplegia_hours=hours)
    assert str(explicit.patchell_criteria[3].status) == status


def test_paraplegia_unknown_without_the_optional_input() -> None:
    lesion = compressing()
    result = escc_assessment(lesion, CaseFacts(estimated_survival_months=12.0, lesions=(lesion,)))
    assert str(result.patchell_criteria[3].status) == "unknown"
    assert result.missing == ("total_paraplegia_hours",)
    assert result.surgical_candidate == "unknown"


@pytest.mark.parametrize(("prior", "status"), [(False, "met"), (True, "not_met"), (None, "unknown")])
def test_no_prior_radiotherapy(prior: bool | None, status: str) -> None:
    lesion = compressing(prior_radiotherapy=prior)
    assert check(lesion, case_for(lesion), "no_prior_radiotherapy")[0] == status


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


def test_dict_is_json_serialisable_and_cites_patchell() -> None:
    lesion = compressing()
    data = escc_assessment(lesion, case_for(lesion)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["rule"] == "escc"
    assert "Patchell" in data["source"] and "SCORAD" in data["source"]
    assert data["patchell_criteria"][0]["status"] == "met"
