"""NOMS per spinal lesion (clinical-rules.md §11): each assessment at its boundaries and every published path."""

from __future__ import annotations

from typing import Any

import pytest

from apps.options.engine import LesionRisk, noms_assessment
from apps.options.engine.noms import mechanical, neurologic, noms_paths, oncologic, painful_collapse_without_deformity, systemic
from tests.options.engine.builders import case_of, score, spine


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        ("0", "low_grade"),
        ("1a", "low_grade"),
        ("1b", "low_grade"),
        ("1c", "low_grade"),
        ("2", "high_grade"),
        ("3", "high_grade"),
        (None, "unknown"),
    ],
)
def test_neurologic_grades(grade: str | None, expected: str) -> None:
    part = neurologic(spine(epidural_compression_grade=grade))
    assert part.assessment == expected
    assert part.inputs == {"epidural_compression_grade": grade}


@pytest.mark.parametrize(
    ("sensitivity", "expected"),
    [
        ("radiosensitive", "radiosensitive"),
        ("intermediate", "intermediate"),
        ("radioresistant", "radioresistant"),
        (None, "unknown"),
    ],
)
def test_oncologic_classes(sensitivity: str | None, expected: str) -> None:
    assert oncologic(sensitivity, "breast").assessment == expected


@pytest.mark.parametrize(
    ("sins", "span", "expected"),
    [
        (0, None, "stable"),
        (6, None, "stable"),
        (7, None, "potentially_unstable"),
        (12, None, "potentially_unstable"),
        (13, None, "unstable"),
        (18, None, "unstable"),
        (None, (2, 6), "stable"),
        (None, (5, 8), "unknown"),
        (None, (7, 12), "potentially_unstable"),
        (None, (10, 14), "potentially_unstable_or_unstable"),
        (None, (13, 16), "unstable"),
    ],
)
def test_mechanical_sins_boundaries(sins: int | None, span: tuple[int, int] | None, expected: str) -> None:
    part = mechanical(spine(), LesionRisk(ref="spine", sins=score(sins, span)))
    assert part.assessment == expected


@pytest.mark.parametrize(
    ("survival", "ecog", "kps", "expected"),
    [
        (3.0, 0, None, "not_fit"),
        (3.1, 2, None, "fit"),
        (3.1, 3, None, "not_fit"),
        (12.0, 4, None, "not_fit"),
        (12.0, None, 60, "fit"),
        (12.0, None, 50, "not_fit"),
        (12.0, 1, 40, "not_fit"),
        (None, 1, None, "unknown"),
        (12.0, None, None, "unknown"),
        (1.0, None, None, "not_fit"),
    ],
)
def test_systemic_fitness(survival: float | None, ecog: int | None, kps: int | None, expected: str) -> None:
    case = case_of(estimated_survival_months=survival, ecog=ecog, karnofsky_performance_status=kps)
    part = systemic(case)
    assert part.assessment == expected
    assert "co-morbidity" in part.path


def path_codes(*args: Any) -> list[tuple[str, str]]:
    return [(p.code, p.condition) for p in noms_paths(*args)]


def test_radiosensitive_conventional_rt_whatever_the_grade() -> None:
    for neuro in ("low_grade", "high_grade", "unknown"):
        assert path_codes(neuro, "radiosensitive", "stable", "fit", False) == [("conventional_rt", "")]


def test_radioresistant_low_grade_sbrt() -> None:
    assert path_codes("low_grade", "radioresistant", "stable", "fit", False) == [("sbrt", "")]


def test_radioresistant_high_grade_fit_separation_surgery_then_sbrt() -> None:
    assert path_codes("high_grade", "radioresistant", "stable", "fit", False) == [("separation_surgery_then_sbrt", "")]


def test_radioresistant_high_grade_not_fit_conventional_rt() -> None:
    assert path_codes("high_grade", "radioresistant", "stable", "not_fit", False) == [("conventional_rt", "")]


def test_radioresistant_high_grade_fitness_unknown_shows_both() -> None:
    assert path_codes("high_grade", "radioresistant", "stable", "unknown", False) == [
        ("separation_surgery_then_sbrt", "if fit for surgery"),
        ("conventional_rt", "if not fit for surgery"),
    ]


def test_intermediate_histology_shows_both_paths_and_why() -> None:
    paths = noms_paths("low_grade", "intermediate", "stable", "fit", False)
    assert [p.code for p in paths] == ["conventional_rt", "sbrt"]
    assert all("intermediate histology" in p.why for p in paths)
    assert paths[0].condition == "if the tumour responds as radiosensitive"
    assert paths[1].condition == "if the tumour behaves as radioresistant"


def test_unknown_histology_shows_both_paths() -> None:
    paths = noms_paths("high_grade", "unknown", "stable", "fit", False)
    assert [p.code for p in paths] == ["conventional_rt", "separation_surgery_then_sbrt"]
    assert "radiosensitivity unknown" in paths[0].why


def test_unknown_grade_radioresistant_lists_each_branch() -> None:
    assert [p.code for p in noms_paths("unknown", "radioresistant", "stable", "unknown", False)] == [
        "sbrt",
        "separation_surgery_then_sbrt",
        "conventional_rt",
    ]


def test_instability_adds_stabilisation_and_cement_for_collapse_without_deformity() -> None:
    assert [p.code for p in noms_paths("low_grade", "radioresistant", "unstable", "fit", False)] == ["sbrt", "stabilisation"]
    assert [p.code for p in noms_paths("low_grade", "radioresistant", "unstable", "fit", True)] == [
        "sbrt",
        "stabilisation",
        "cement_augmentation",
    ]


def test_potential_instability_adds_a_spine_surgery_opinion() -> None:
    assert path_codes("low_grade", "radioresistant", "potentially_unstable", "fit", False)[-1] == ("spine_surgery_opinion", "")
    assert path_codes("low_grade", "radioresistant", "unknown", "fit", False)[-1] == (
        "spine_surgery_opinion",
        "if SINS is 7 or more",
    )
    assert [c for c, _ in path_codes("low_grade", "radioresistant", "stable", "fit", False)] == ["sbrt"]


@pytest.mark.parametrize(
    ("collapse", "alignment", "pain", "expected"),
    [
        ("lt50_collapse", "normal", "mechanical", True),
        ("gt50_collapse", "normal", "occasional_non_mechanical", True),
        ("gt50_collapse", "de_novo_deformity", "mechanical", False),
        ("no_collapse_gt50_involved", "normal", "mechanical", False),
        ("lt50_collapse", "normal", "none", False),
        (None, "normal", "mechanical", None),
    ],
)
def test_painful_collapse_without_deformity(collapse: str | None, alignment: str, pain: str, expected: bool | None) -> None:
    lesion = spine(vertebral_collapse=collapse, alignment=alignment, spinal_pain=pain)
    assert painful_collapse_without_deformity(lesion) is expected


def test_assessment_reads_every_part_and_names_what_is_missing() -> None:
    lesion = spine(epidural_compression_grade=None)
    case = case_of(lesion, primary_histology=None, estimated_survival_months=None)
    result = noms_assessment(lesion, case, LesionRisk(ref="spine", sins=score(None, (3, 9))), None)
    data = result.to_dict()
    assert set(data) >= {"neurologic", "oncologic", "mechanical", "systemic", "paths", "missing", "source"}
    assert data["neurologic"]["assessment"] == "unknown"
    assert "epidural_compression_grade" in data["missing"]
    assert "primary_histology" in data["missing"]
    assert "sins" in data["missing"]
    assert "estimated_survival_months" in data["missing"]
    assert "Laufer" in data["source"]
