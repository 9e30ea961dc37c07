"""Regimen catalogue, organs and constraint sets as data: complete, valid, cited, serialisable."""

from __future__ import annotations

import json

import pytest

from apps.dosimetry.engine import (
    CONSTRAINT_SETS,
    CONSTRAINT_SETS_BY_CODE,
    ORGANS,
    REGIMENS,
    REGIMENS_BY_CODE,
    Intent,
    LimitUnit,
    Regimen,
    as_data,
    evaluate,
)

SEED_FILES = ("000_76782ef81e029740.txt", "001_bdf9dfdfeafdf0a0.txt", "002_eaa0f11dde358788.txt", "004_")


@pytest.mark.parametrize("regimen", REGIMENS, ids=lambda r: r.code)
def test_every_catalogue_entry_validates_and_its_bed10_computes(regimen: Regimen) -> None:
    # given a catalogue entry
    # when evaluated through the validated path
    result = regimen.evaluate()
    # then every level has a positive BED10 equal to the LQ formula
    assert len(result.levels) == len(regimen.levels)
    for level, data in zip(result.levels, regimen.levels, strict=True):
        d = data.total_dose_gy / regimen.fractions
        assert level.bed_gy == pytest.approx(data.total_dose_gy * (1 + d / 10))
        assert level.bed_gy > 0
    # and it is also accepted as API input
    assert evaluate([lv.to_dict() for lv in result.levels], 10) == result


@pytest.mark.parametrize("regimen", REGIMENS, ids=lambda r: r.code)
def test_every_entry_is_complete_and_cited(regimen: Regimen) -> None:
    assert regimen.code and regimen.name and regimen.indications
    assert any(seed in regimen.source for seed in SEED_FILES) or "clinical-rules.md §5" in regimen.source
    assert "clinical-rules.md" in regimen.source
    if regimen.dose_range_gy is not None:
        low, high = regimen.dose_range_gy
        assert all(low <= lv.total_dose_gy <= high for lv in regimen.levels) or regimen.is_sib
        assert regimen.range_label
    if regimen.constraint_set:
        assert regimen.constraint_set in CONSTRAINT_SETS_BY_CODE


def test_codes_are_unique_and_slug_like() -> None:
    codes = [r.code for r in REGIMENS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code == code.lower() and " " not in code and "." not in code


@pytest.mark.parametrize(
    ("fractions", "doses"),
    [
        # clinical-rules.md §8, every regimen named
        (1, (8.0,)),
        (5, (20.0,)),
        (6, (24.0,)),
        (10, (30.0,)),
        (5, (25.0,)),
        (1, (16.0,)),
        (1, (24.0,)),
        (2, (24.0,)),
        (2, (28.0,)),
        (3, (24.0,)),
        (3, (30.0,)),
        (5, (30.0,)),
        (5, (40.0,)),
        (5, (35.0,)),
        (10, (48.5,)),
        (1, (12.0,)),
        (1, (18.0,)),
        (8, (60.0,)),
        (3, (54.0,)),
        (3, (45.0,)),
        (5, (50.0,)),
        (3, (27.0,)),
        (10, (30.0, 40.0)),
        (10, (48.5, 30.0)),
        (10, (35.0, 20.0)),
    ],
)
def test_every_regimen_of_clinical_rules_section_8_is_in_the_catalogue(fractions: int, doses: tuple[float, ...]) -> None:
    assert any(r.fractions == fractions and tuple(lv.total_dose_gy for lv in r.levels) == doses for r in REGIMENS)


def test_named_cautions_are_present() -> None:
    assert "RTOG 0631" in " ".join(REGIMENS_BY_CODE["sbrt_spine_16gy_1fx"].cautions)
    assert "RTOG 0631" in " ".join(REGIMENS_BY_CODE["sbrt_spine_18gy_1fx"].cautions)
    assert "28 %" in " ".join(REGIMENS_BY_CODE["sbrt_spine_24gy_1fx"].cautions)
    assert REGIMENS_BY_CODE["sbrt_spine_24gy_1fx"].dose_range_gy == (16.0, 24.0)


def test_sib_entries_and_intents() -> None:
    sib = REGIMENS_BY_CODE["sib_30_40gy_10fx"]
    assert sib.is_sib and sib.constraint_set == "seed002_sib_30_40_10fx"
    assert [lv.total_dose_gy for lv in sib.evaluate().levels] == [30.0, 40.0]
    assert {r.intent for r in REGIMENS} == set(Intent)


def test_constraint_sets_are_complete_and_consistent() -> None:
    codes = [c.code for s in CONSTRAINT_SETS for c in s.constraints]
    assert len(codes) == len(set(codes))
    for cset in CONSTRAINT_SETS:
        assert cset.source
        for constraint in cset.constraints:
            assert constraint.source
            if constraint.unit is LimitUnit.EQD2_GY:
                assert constraint.alpha_beta is not None
    seed002 = {c.organ for c in CONSTRAINT_SETS_BY_CODE["seed002_sib_30_40_10fx"].constraints}
    assert seed002 == {"spinal_cord", "cauda_equina", "kidney", "ptv"}


def test_the_whole_catalogue_serialises_to_json_for_a_data_migration() -> None:
    data = as_data()
    text = json.dumps(data)
    assert json.loads(text) == data
    assert len(data["regimens"]) == len(REGIMENS)
    assert len(data["organs"]) == len(ORGANS)
    assert data["regimens"][0]["code"] == REGIMENS[0].code
    assert data["constraint_sets"][0]["constraints"][0]["metric"] == "Dmax"
