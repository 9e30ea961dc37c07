"""The shared clinical derivations (apps.clinical.derivations): one bone count for every engine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import Site
from apps.clinical.derivations import bone_metastases, metastatic_foci, unknown_text

PACKAGE = Path(__file__).resolve().parents[2] / "apps" / "clinical"


def with_lesions(n: int, **fields: object) -> CaseFacts:
    lesions = tuple(LesionFacts(site=Site.RIB, ref=f"l{i}") for i in range(n))
    return CaseFacts(lesions=lesions, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("stated", "recorded"), [(4, 4), (5, 4), (0, 0), (3, 0)])
def test_a_count_at_least_the_recorded_lesions_is_believed(stated: int, recorded: int) -> None:
    bone = bone_metastases(with_lesions(recorded, bone_metastases_count=stated))
    assert (bone.value, bone.at_least, bone.missing, bone.reason) == (stated, stated, (), None)
    assert bone.contradicted is False
    assert bone.unrecorded == stated - recorded


@pytest.mark.parametrize(("stated", "recorded"), [(2, 4), (3, 4), (0, 1)])
def test_a_count_lower_than_the_recorded_lesions_is_not_believed(stated: int, recorded: int) -> None:
    # Given more lesions recorded than the stated bone count
    bone = bone_metastases(with_lesions(recorded, bone_metastases_count=stated))
    # Then the count is unknown, bounded below by the lesions, asked for again, and the reason says why
    assert bone.value is None
    assert bone.at_least == recorded
    assert bone.missing == ("bone_metastases_count",)
    assert bone.contradicted is True
    assert bone.reason == f"bone_metastases_count {stated} is lower than the {recorded} recorded lesions"
    assert bone.unrecorded is None
    assert bone.stated == stated
    assert bone.describe().startswith(f"at least {recorded}")


def test_an_unrecorded_count_is_bounded_by_the_lesions() -> None:
    bone = bone_metastases(with_lesions(3))
    assert (bone.value, bone.at_least, bone.missing, bone.reason) == (None, 3, ("bone_metastases_count",), None)
    assert bone.contradicted is False


@pytest.mark.parametrize(
    ("bone", "visceral", "recorded", "value", "at_least", "missing"),
    [
        (2, 1, 2, 3, 3, ()),
        (2, 1, 4, None, 5, ("bone_metastases_count",)),  # 4 recorded lesions + 1 visceral
        (6, None, 1, None, 6, ("visceral_metastases_count",)),
        (None, 2, 1, None, 3, ("bone_metastases_count",)),
        (None, None, 0, None, 0, ("bone_metastases_count", "visceral_metastases_count")),
        (1, None, 4, None, 4, ("bone_metastases_count", "visceral_metastases_count")),
    ],
)
def test_metastatic_foci(
    bone: int | None, visceral: int | None, recorded: int, value: int | None, at_least: int, missing: tuple[str, ...]
) -> None:
    foci = metastatic_foci(with_lesions(recorded, bone_metastases_count=bone, visceral_metastases_count=visceral))
    assert (foci.value, foci.at_least, foci.missing) == (value, at_least, missing)


def test_contradicted_foci_say_why_and_what_else_is_missing() -> None:
    foci = metastatic_foci(with_lesions(4, bone_metastases_count=1))
    assert foci.reason == "bone_metastases_count 1 is lower than the 4 recorded lesions; visceral_metastases_count not recorded"


@pytest.mark.parametrize(
    ("value", "at_least", "low", "high", "within", "exceeds"),
    [
        (3, 3, 1, 3, True, False),
        (4, 4, 1, 3, False, True),
        (0, 0, 1, 5, False, False),
        (None, 4, 1, 3, False, True),  # at least 4: "<= 3" decided
        (None, 4, 1, 5, None, None),  # 4 or more: "1-5" undecided
        (None, 6, 1, 5, False, True),
        (None, 0, 1, 5, None, None),
    ],
)
def test_what_a_bounded_count_still_decides(
    value: int | None, at_least: int, low: int, high: int, within: bool | None, exceeds: bool | None
) -> None:
    from apps.clinical.derivations import Count

    count = Count(value=value, at_least=at_least)
    assert count.within(low, high) is within
    assert count.exceeds(high) is exceeds


def test_unknown_wording() -> None:
    assert unknown_text(("pain", "radiographic_type")) == "unknown: needs pain, radiographic_type"


def test_the_package_imports_no_django() -> None:
    # Given every module of apps.clinical
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                # Then it reads only the standard library and the case facts / vocabulary
                assert not name.startswith(("django", "rest_framework", "celery")), f"{path.name} imports {name}"
                if name.startswith("apps"):
                    assert name.startswith(("apps.cases.facts", "apps.cases.vocabulary", "apps.clinical")), name
