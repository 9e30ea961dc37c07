"""Dose summary aggregate and its inputs digest."""

from __future__ import annotations

import json
from datetime import date

import pytest

from apps.cases.facts import PriorCourseFacts
from apps.dosimetry.engine import (
    ENGINE_VERSION,
    CheckStatus,
    Course,
    DoseInputError,
    DoseLevel,
    DoseSummaryRequest,
    Target,
    build_dose_summary,
    constraint_sets_checked,
    inputs_digest,
)


def _sib_request(**overrides: object) -> DoseSummaryRequest:
    base: dict[str, object] = {
        "levels": [
            {"fractions": 10, "total_dose_gy": 30, "label": "PTV30"},
            {"fractions": 10, "total_dose_gy": 40, "label": "PTV40"},
        ],
        "structures": {
            "spinal_cord": {"Dmax": 32.77, "D0.5cc": 31.61},
            "kidney": {"Dmean": 6.14},
            "PTV30": {"D98%": 29.10, "D2%": 31.0},
            "PTV40": {"D98%": 35.75},
        },
        "prescriptions": {"PTV30": 30.0, "PTV40": 40.0},
    }
    base.update(overrides)
    return DoseSummaryRequest(**base)  # type: ignore[arg-type]


def test_sib_summary_has_levels_thresholds_and_seed002_constraint_checks() -> None:
    # given the seed 002 SIB with its mean plan figures
    summary = build_dose_summary(_sib_request())
    # then each level has BED10/EQD2
    assert [lv.bed_gy for lv in summary.regimen.levels] == pytest.approx([39.0, 56.0])
    # and thresholds are compared per level
    lung = [t for t in summary.thresholds if t.threshold_code == "bed10_gt_39_lung_bone_local_control"]
    assert [t.met for t in lung] == [False, True]
    # and the default sets for 10 fractions apply (seed 002 + QUANTEC), SBRT cord limits do not
    codes = {c.constraint_code: c for c in summary.constraint_checks if c.structure != "PTV40"}
    assert codes["seed002_spinal_cord_dmax_34gy_10fx"].status is CheckStatus.NEAR
    assert codes["seed002_kidney_dmean_12gy_10fx"].status is CheckStatus.PASS
    assert codes["seed002_ptv_d98_ge_90pct"].status is CheckStatus.PASS
    assert codes["quantec_spinal_cord_dmax_eqd2_54gy"].status is CheckStatus.PASS
    assert not any(c.constraint_code.startswith("sbrt_spinal_cord") for c in summary.constraint_checks)
    # and there is no re-irradiation without prior courses
    assert summary.reirradiation == ()
    assert summary.spinal_cord_reirradiation is None
    assert summary.engine_version == ENGINE_VERSION


def test_summary_to_dict_is_json_serialisable() -> None:
    summary = build_dose_summary(
        _sib_request(
            prior_courses=[PriorCourseFacts(region="L1", total_dose_gy=20, fractions=5, date=date(2025, 1, 1))],
            region="L1",
        )
    )
    data = summary.to_dict(decimals=2)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "engine_version",
        "inputs_digest",
        "regimen",
        "thresholds",
        "constraint_sets",
        "constraint_checks",
        "reirradiation",
        "spinal_cord_reirradiation",
        "notes",
        # engine dose-2026.12.1 (issue 9): anatomical overlap, cord verdict, per-target prescriptions, cautions
        "target",
        "prior_courses",
        "spinal_cord_check",
        "context_checks",
        "prescriptions",
        "cautions",
    }
    assert data["regimen"]["levels"][1]["eqd2_gy"] == 46.67
    # the summary names every constraint set it checked, with its source (10 fractions: seed 002 + QUANTEC)
    assert [s["code"] for s in data["constraint_sets"]] == ["seed002_sib_30_40_10fx", "quantec_conventional_spinal_cord"]
    assert all(s["source"] for s in data["constraint_sets"])


def test_sbrt_reirradiation_summary_runs_the_sahgal_checks_with_overlapping_priors_only() -> None:
    # given a planned 24 Gy/2 SBRT to T10 with a cord Dmax of 12 Gy, two prior courses reaching T10, one
    # elsewhere (issue 9: overlap is anatomical, so the targets are structured; the labels are display only)
    priors = [
        Course(5, 20.0, date(2025, 1, 10), "T10", target=Target(level_from="T10")),
        Course(1, 8.0, date(2026, 2, 10), "T9-T11", target=Target(level_from="T9", level_to="T11")),
        Course(10, 30.0, date(2026, 3, 1), "pelvis", target=Target(site="pelvis", laterality="left")),
    ]
    request = DoseSummaryRequest(
        levels=[DoseLevel(2, 24.0)],
        prior_courses=priors,
        region="T10",
        target=Target(site="thoracic_spine", level_from="T10"),
        structures={"spinal_cord": {"Dmax": 12.0}},
        planned_date=date(2026, 11, 23),
    )
    summary = build_dose_summary(request)
    # then the cord sum uses the two T10 courses plus the planned cord Dmax: 30 + 20 + 12*(6+2)/4 = 74
    (cord,) = summary.reirradiation
    assert [c.eqd2_gy for c in cord.courses] == pytest.approx([30.0, 20.0, 24.0])
    assert cord.cumulative_eqd2_gy == pytest.approx(74.0)
    assert cord.within_limit is False
    # and the Sahgal checks are each reported
    assert summary.spinal_cord_reirradiation is not None
    checks = {c.code: c.status for c in summary.spinal_cord_reirradiation.checks}
    assert checks == {
        "cumulative_eqd2_le_70": CheckStatus.FAIL,
        "sbrt_course_eqd2_le_25": CheckStatus.PASS,
        "sbrt_share_le_50pct": CheckStatus.PASS,
        "interval_ge_5_months": CheckStatus.PASS,
    }
    # and the SBRT cord point-max constraint for 2 fractions is checked (12 <= 17), shown only as context:
    # the cord verdict is the re-irradiation rule (issue 9: no "pass" beside a failing Sahgal check)
    sbrt = [c for c in summary.context_checks if c.constraint_code == "sbrt_spinal_cord_pmax_2fx"]
    assert [c.status for c in sbrt] == [CheckStatus.PASS]
    assert not any(c.organ == "spinal_cord" for c in summary.constraint_checks)
    assert summary.spinal_cord_check is not None
    assert summary.spinal_cord_check.rule == "sahgal_2012_reirradiation"
    assert summary.spinal_cord_check.status is CheckStatus.FAIL
    assert [p.overlap.status.value for p in summary.prior_courses] == ["overlaps", "overlaps", "separate"]
    assert any("prescribed dose" in note for note in summary.notes)


def test_planned_organ_dose_falls_back_to_the_prescription_with_a_note() -> None:
    request = DoseSummaryRequest(
        levels=[DoseLevel(5, 20.0)],
        prior_courses=[PriorCourseFacts(region="", total_dose_gy=30.0, fractions=10)],
        region="L3",
        reirradiation_organs=["cauda_equina"],
    )
    summary = build_dose_summary(request)
    (cauda,) = summary.reirradiation
    assert cauda.courses[-1].total_dose_gy == 20.0
    assert cauda.cumulative_eqd2_gy == pytest.approx(37.5 + 30.0)
    assert any("no region" in n for n in summary.notes)
    assert any("counted at its prescription" in n for n in summary.notes)
    assert summary.spinal_cord_reirradiation is None


def test_invalid_summary_inputs_are_reported_together() -> None:
    request = DoseSummaryRequest(
        levels=[{"fractions": 10, "total_dose_gy": 30}, {"fractions": 5, "total_dose_gy": 40}],
        alpha_beta=0,
        prior_courses=[PriorCourseFacts(region="x", total_dose_gy=-1, fractions=5)],
        structures={"spinal_cord": {"Dmax": -1, "V20": 3}},
        prescriptions={"PTV": 0},
        constraint_sets=["nope"],
        reirradiation_organs=["liver"],
        planned_date="2026-02-30",  # type: ignore[arg-type]
    )
    with pytest.raises(DoseInputError) as info:
        build_dose_summary(request)
    assert set(info.value.as_dict()) == {
        "levels[1].fractions",
        "alpha_beta",
        "prior_courses[0].total_dose_gy",
        "structures.spinal_cord.Dmax",
        "structures.spinal_cord.V20",
        "prescriptions.PTV",
        "constraint_sets[0]",
        "reirradiation_organs[0]",
        "planned_date",
    }


# ----------------------------------------------------------------------------- digest


def test_digest_is_stable_for_equivalent_inputs_and_changes_with_any_input() -> None:
    a = _sib_request(planned_date=date(2026, 5, 1), constraint_sets=["seed002_sib_30_40_10fx", "sbrt_spinal_cord_pmax"])
    b = _sib_request(
        levels=[
            {"fractions": 10.0, "total_dose_gy": 30.0, "label": "PTV30"},
            {"fractions": 10, "total_dose_gy": 40.0, "label": "PTV40"},
        ],
        planned_date="2026-05-01",
        constraint_sets=["sbrt_spinal_cord_pmax", "seed002_sib_30_40_10fx"],
    )
    digest = inputs_digest(a)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert inputs_digest(b) == digest
    assert build_dose_summary(a).inputs_digest == digest
    assert inputs_digest(_sib_request(planned_date=date(2026, 5, 2))) != digest
    assert inputs_digest(_sib_request(alpha_beta=8)) != inputs_digest(_sib_request())
    assert inputs_digest(_sib_request(structures={"spinal_cord": {"Dmax": 32.78}})) != inputs_digest(
        _sib_request(structures={"spinal_cord": {"Dmax": 32.77}})
    )


def test_digest_includes_the_engine_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.dosimetry.engine import summary as summary_module

    before = inputs_digest(_sib_request())
    monkeypatch.setattr(summary_module, "ENGINE_VERSION", "dose-test")
    assert inputs_digest(_sib_request()) != before


# ----------------------------------------------------------------------------- supplied constraint catalogue


def _catalogue_with_cord_limit(limit: float) -> dict[str, object]:
    """The built-in sets, with seed 002's 10-fraction cord Dmax limit replaced (an administrator's edit)."""
    from dataclasses import replace

    from apps.dosimetry.engine import CONSTRAINT_SETS_BY_CODE

    seed002 = CONSTRAINT_SETS_BY_CODE["seed002_sib_30_40_10fx"]
    edited = replace(
        seed002,
        constraints=tuple(
            replace(c, limit=limit) if c.code == "seed002_spinal_cord_dmax_34gy_10fx" else c for c in seed002.constraints
        ),
    )
    return {**CONSTRAINT_SETS_BY_CODE, edited.code: edited}


def test_supplied_catalogue_is_checked_and_its_content_enters_the_digest() -> None:
    # given the same plan checked against the built-in catalogue and against an edited copy
    builtin = build_dose_summary(_sib_request())
    edited = build_dose_summary(_sib_request(constraint_catalogue=_catalogue_with_cord_limit(32.0)))

    def cord(summary: object) -> object:
        return next(
            c
            for c in summary.constraint_checks
            if c.constraint_code == "seed002_spinal_cord_dmax_34gy_10fx"  # type: ignore[attr-defined]
        )

    # then the edited limit decides the check (cord Dmax 32.77 Gy: within 5 % of 34 Gy, above 32 Gy)
    assert cord(builtin).status is CheckStatus.NEAR and cord(builtin).limit_gy == 34.0
    assert cord(edited).status is CheckStatus.FAIL and cord(edited).limit_gy == 32.0
    # and the digest differs, while an identical copy of the catalogue gives the built-in digest
    assert edited.inputs_digest != builtin.inputs_digest
    assert inputs_digest(_sib_request(constraint_catalogue=_catalogue_with_cord_limit(34.0))) == builtin.inputs_digest


def test_missing_default_sets_are_noted_and_additional_sets_checked_once() -> None:
    from apps.dosimetry.engine import CONSTRAINT_SETS_BY_CODE

    only_sbrt = {"sbrt_spinal_cord_pmax": CONSTRAINT_SETS_BY_CODE["sbrt_spinal_cord_pmax"]}
    # given a 10-fraction plan whose default sets are absent from the catalogue
    summary = build_dose_summary(
        _sib_request(constraint_catalogue=only_sbrt, additional_constraint_sets=["sbrt_spinal_cord_pmax"] * 2)
    )
    # then the defaults are named as not checked, and the additional set is named once (its limits are
    # bound to 1-5 fractions, so none applies to this 10-fraction plan and no check is listed)
    assert [s.code for s in summary.constraint_sets] == ["sbrt_spinal_cord_pmax"]
    assert constraint_sets_checked(
        _sib_request(constraint_catalogue=only_sbrt, additional_constraint_sets=["sbrt_spinal_cord_pmax"])
    ) == ("sbrt_spinal_cord_pmax",)
    assert constraint_sets_checked(_sib_request()) == ("seed002_sib_30_40_10fx", "quantec_conventional_spinal_cord")
    missing = [n for n in summary.notes if "not in the catalogue" in n]
    assert len(missing) == 2
    assert any("seed002_sib_30_40_10fx" in n for n in missing)
    assert any("quantec_conventional_spinal_cord" in n for n in missing)
    assert summary.constraint_checks == ()
    # an explicitly requested set that is missing is an input error naming it
    with pytest.raises(DoseInputError) as info:
        build_dose_summary(_sib_request(constraint_catalogue=only_sbrt, constraint_sets=["seed002_sib_30_40_10fx"]))
    assert "constraint_sets[0]" in info.value.as_dict()
