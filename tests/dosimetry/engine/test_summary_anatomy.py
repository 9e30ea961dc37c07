"""Dose summary, issue 9: re-irradiation by anatomy, the cord verdict, per-target SIB prescriptions and
systemic-therapy cautions with the planned technique. Figures worked by hand (EQD2 = D (d + ab) / (2 + ab))."""

from __future__ import annotations

from datetime import date

import pytest

from apps.cases.facts import PriorCourseFacts
from apps.cases.vocabulary import Laterality, Site
from apps.dosimetry.engine import (
    CheckStatus,
    Course,
    DoseInputError,
    DoseLevel,
    DoseSummaryRequest,
    Target,
    build_dose_summary,
    inputs_digest,
)

T8 = Target(site="thoracic_spine", level_from="T8")


def sbrt_t8(**overrides: object) -> DoseSummaryRequest:
    base: dict[str, object] = {
        "levels": [DoseLevel(2, 24.0)],
        "target": T8,
        "region": "T8",
        "technique": "sbrt",
        "systemic_therapy_classes": (),
        "structures": {"spinal_cord": {"Dmax": 12.0}},
        "planned_date": date(2026, 11, 23),
    }
    base.update(overrides)
    return DoseSummaryRequest(**base)  # type: ignore[arg-type]


def test_a_prior_t7_t9_course_reaches_a_t8_sbrt_plan() -> None:
    # given the case: 30 Gy/10 to "T7-T9" (structured T7-T9) and an SBRT plan to T8
    prior = Course(10, 30.0, date(2026, 3, 1), "T7-T9", target=Target(site="thoracic_spine", level_from="T7", level_to="T9"))
    summary = build_dose_summary(sbrt_t8(prior_courses=[prior]))
    # then the course is listed as overlapping and counted
    (listed,) = summary.prior_courses
    assert listed.overlap.status.value == "overlaps" and listed.counted
    # and the cumulative cord EQD2 appears: 30/10 at ab 2 = 37.5, planned cord Dmax 12 Gy/2 = 24 -> 61.5
    (cord,) = summary.reirradiation
    assert cord.cumulative_eqd2_gy == pytest.approx(61.5)
    # and the Sahgal checks run: 24 <= 25 pass, 24/61.5 = 39 % pass, 61.5 <= 70 pass, 2026-03-01 + 5 months
    # = 2026-08-01 <= 2026-11-23 pass
    assert summary.spinal_cord_reirradiation is not None
    assert summary.spinal_cord_reirradiation.status is CheckStatus.PASS
    assert summary.spinal_cord_check is not None
    assert summary.spinal_cord_check.rule == "sahgal_2012_reirradiation"
    assert summary.spinal_cord_check.status is CheckStatus.PASS
    # and the first-course SBRT cord limit (2 fx: 17 Gy) is context only
    assert [c.constraint_code for c in summary.context_checks] == ["sbrt_spinal_cord_pmax_2fx"]
    assert not [c for c in summary.constraint_checks if c.organ == "spinal_cord"]


def test_a_failing_sahgal_check_is_the_verdict_not_a_first_course_pass() -> None:
    # given a cord Dmax of 14 Gy/2 (EQD2 31.5 > 25) that passes the first-course 17 Gy limit
    prior = Course(10, 30.0, date(2026, 3, 1), "T7-T9", target=Target(level_from="T7", level_to="T9"))
    summary = build_dose_summary(sbrt_t8(prior_courses=[prior], structures={"spinal_cord": {"Dmax": 14.0}}))
    assert summary.spinal_cord_check is not None
    assert summary.spinal_cord_check.status is CheckStatus.FAIL
    assert [c.status for c in summary.context_checks] == [CheckStatus.PASS]
    data = summary.to_dict(2)
    assert data["spinal_cord_check"]["status"] == "fail"
    assert all(check["organ"] != "spinal_cord" for check in data["constraint_checks"])


def test_a_separate_course_is_listed_but_not_summed() -> None:
    prior = Course(10, 30.0, date(2026, 3, 1), "L3", target=Target(level_from="L3"))
    summary = build_dose_summary(sbrt_t8(prior_courses=[prior]))
    assert [p.overlap.status.value for p in summary.prior_courses] == ["separate"]
    assert summary.reirradiation == ()
    assert summary.spinal_cord_reirradiation is None
    # the cord verdict is the first-course rule: 12 Gy against 17 Gy in 2 fractions
    assert summary.spinal_cord_check is not None
    assert summary.spinal_cord_check.rule == "first_course"
    assert summary.spinal_cord_check.status is CheckStatus.PASS
    assert summary.context_checks == ()


def test_a_course_of_unknown_overlap_is_listed_counted_and_makes_the_verdict_depend_on_it() -> None:
    # given a prior course recorded with free text only (no structured target)
    prior = PriorCourseFacts(region="upper thoracic", total_dose_gy=30.0, fractions=10, date=date(2026, 3, 1))
    summary = build_dose_summary(sbrt_t8(prior_courses=[prior], structures={"spinal_cord": {"Dmax": 14.0}}))
    (listed,) = summary.prior_courses
    assert listed.overlap.status.value == "unknown" and listed.counted
    assert listed.overlap.needs == ("prior_courses[0].site",)
    # worst case: counted in the sum
    assert summary.reirradiation[0].cumulative_eqd2_gy == pytest.approx(37.5 + 31.5)
    assert any("overlap unknown" in note for note in summary.notes)
    # Sahgal fails (31.5 > 25) but the first course passes (14 <= 17): the verdict depends on the overlap
    assert summary.spinal_cord_check is not None
    assert summary.spinal_cord_check.status is CheckStatus.UNKNOWN
    assert "prior_courses[0].site" in summary.spinal_cord_check.text


def test_a_plan_without_a_structured_target_counts_every_course_as_unknown() -> None:
    prior = Course(10, 30.0, None, "T8", target=T8)
    summary = build_dose_summary(sbrt_t8(prior_courses=[prior], target=None))
    assert [p.overlap.status.value for p in summary.prior_courses] == ["unknown"]
    assert summary.reirradiation  # never dropped


def test_prior_course_facts_carry_their_structured_target() -> None:
    # PriorCourseFacts gains site / level_from / level_to / laterality (cases vocabulary 2026-12)
    prior = PriorCourseFacts(region="left femur", total_dose_gy=8.0, fractions=1, site=Site.FEMUR, laterality=Laterality.LEFT)
    summary = build_dose_summary(
        DoseSummaryRequest(levels=[DoseLevel(5, 20.0)], target=Target(site="femur", laterality="right"), prior_courses=[prior])
    )
    assert [p.overlap.status.value for p in summary.prior_courses] == ["separate"]


def test_the_target_enters_the_digest_and_is_validated() -> None:
    assert inputs_digest(sbrt_t8()) != inputs_digest(sbrt_t8(target=Target(level_from="T9")))
    with pytest.raises(DoseInputError) as info:
        build_dose_summary(sbrt_t8(target=Target(site="femur", laterality="midline")))
    assert "target.laterality" in info.value.as_dict()
    with pytest.raises(DoseInputError) as info:
        build_dose_summary(sbrt_t8(prior_courses=[{"fractions": 1, "total_dose_gy": 8, "level_from": "T9", "level_to": "T7"}]))
    assert "prior_courses[0].level_to" in info.value.as_dict()


# --------------------------------------------------------------------------- SIB prescriptions (seed 002)


def sib(**overrides: object) -> DoseSummaryRequest:
    base: dict[str, object] = {
        "levels": [DoseLevel(10, 40.0, "PTV boost"), DoseLevel(10, 30.0, "PTV elective")],
        "level_targets": ["PTV_boost", "PTV_elective"],
        "structures": {
            "PTV_boost": {"D98%": 36.0, "D2%": 42.8, "Dmax": 42.8},  # 90 % and 107 % of 40 exactly
            "PTV_elective": {"D98%": 26.9, "D2%": 32.2, "Dmax": 32.2},  # 89.7 % and 107.3 % of 30
        },
    }
    base.update(overrides)
    return DoseSummaryRequest(**base)  # type: ignore[arg-type]


def _ptv_checks(summary: object) -> dict[tuple[str, str], tuple[CheckStatus, float | None]]:
    return {
        (c.structure, c.metric): (c.status, c.prescription_gy)
        for c in summary.constraint_checks  # type: ignore[attr-defined]
        if c.organ == "ptv"
    }


def test_each_ptv_of_a_sib_is_checked_against_its_own_prescription() -> None:
    checks = _ptv_checks(build_dose_summary(sib()))
    # PTV boost (40 Gy): D98 36.0 = 90 % (min, at the limit: near), D2 42.8 = 107 % (at the limit: near)
    assert checks[("PTV_boost", "D98%")] == (CheckStatus.NEAR, 40.0)
    assert checks[("PTV_boost", "D2%")] == (CheckStatus.NEAR, 40.0)
    # PTV elective (30 Gy): D98 26.9 < 27.0 fails, D2 32.2 > 32.1 fails
    assert checks[("PTV_elective", "D98%")] == (CheckStatus.FAIL, 30.0)
    assert checks[("PTV_elective", "D2%")] == (CheckStatus.FAIL, 30.0)


def test_sib_prescriptions_are_reported_with_their_basis() -> None:
    data = build_dose_summary(sib()).to_dict(2)
    assert {p["structure"]: p["total_dose_gy"] for p in data["prescriptions"]} == {"PTV_boost": 40.0, "PTV_elective": 30.0}
    assert all("target" in p["basis"] for p in data["prescriptions"])


def test_ptv_named_by_its_dose_follows_that_level() -> None:
    structures = {"PTV40": {"D98%": 38.0}, "ptv_30": {"D98%": 29.0}}
    checks = _ptv_checks(build_dose_summary(sib(level_targets=(), structures=structures)))
    assert checks[("PTV40", "D98%")] == (CheckStatus.PASS, 40.0)
    assert checks[("ptv_30", "D98%")] == (CheckStatus.PASS, 30.0)


def test_an_unlabelled_ptv_of_a_sib_stays_unknown() -> None:
    checks = _ptv_checks(build_dose_summary(sib(level_targets=(), structures={"PTV": {"D98%": 38.0}})))
    assert checks[("PTV", "D98%")][0] is CheckStatus.UNKNOWN


def test_level_targets_are_validated() -> None:
    with pytest.raises(DoseInputError) as info:
        build_dose_summary(sib(level_targets=["PTV_boost"]))
    assert "level_targets" in info.value.as_dict()
    with pytest.raises(DoseInputError) as info:
        build_dose_summary(sib(level_targets=["PTV", "ptv"]))
    assert "level_targets" in info.value.as_dict()


# --------------------------------------------------------------------------- cautions (seed 004)


def test_tdm1_with_a_stereotactic_plan_is_a_caution() -> None:
    summary = build_dose_summary(sbrt_t8(systemic_therapy_classes=["tdm1"]))
    assert summary.cautions is not None
    assert summary.cautions.category == "caution"
    assert [c.code for c in summary.cautions.cautions] == ["tdm1_radiosurgery"]
    assert summary.to_dict()["cautions"]["technique"] == "sbrt"
    conventional = build_dose_summary(sbrt_t8(systemic_therapy_classes=["tdm1"], technique="conventional"))
    assert conventional.cautions is not None and conventional.cautions.category == "info"


def test_unknown_systemic_therapy_is_said_so() -> None:
    summary = build_dose_summary(sbrt_t8(systemic_therapy_classes=None))
    assert summary.cautions is not None
    assert summary.cautions.missing == ("systemic_therapy_classes",)
    assert inputs_digest(sbrt_t8(systemic_therapy_classes=None)) != inputs_digest(sbrt_t8(systemic_therapy_classes=()))


def test_a_limb_reirradiation_sums_no_cord_dose_unless_one_is_given() -> None:
    femur = Target(site="femur", laterality="left")
    prior = Course(1, 8.0, date(2026, 1, 5), "left femur", target=femur)
    summary = build_dose_summary(DoseSummaryRequest(levels=[DoseLevel(5, 20.0)], target=femur, prior_courses=[prior]))
    assert [p.overlap.status.value for p in summary.prior_courses] == ["overlaps"]
    assert summary.reirradiation == ()
    assert summary.spinal_cord_check is None
    assert any("not summed" in note for note in summary.notes)
    # a posterior rib plan with a contoured cord: summed
    rib = Target(site="rib", laterality="right")
    with_cord = build_dose_summary(
        DoseSummaryRequest(
            levels=[DoseLevel(5, 30.0)],
            target=rib,
            prior_courses=[Course(10, 30.0, None, "right ribs", target=rib)],
            structures={"spinal_cord": {"Dmax": 10.0}},
        )
    )
    (cord,) = with_cord.reirradiation
    assert cord.cumulative_eqd2_gy == pytest.approx(37.5 + 10.0 * (2.0 + 2.0) / 4.0)
