"""Prognostic scores for spinal metastases: revised Tokuhashi and Tomita.

source: clinical-rules.md §10; Tokuhashi Y et al., Spine 2005;30:2186-2191 (revised score, 0-15);
Tomita K et al., Spine 2001;26:298-306 (surgical strategy, 2-10). Life expectancy drives the choice
between a single fraction, multi-fraction RT, SBRT and surgery (000_76782ef81e029740.txt;
001_bdf9dfdfeafdf0a0.txt §6, §9; 003_694939402052979f.txt §3.4). The clinician's
``estimated_survival_months`` stays the estimate that drives preferences: these scores are shown beside it.

Unknown is a value: each component whose input is missing (or ambiguous, e.g. a colorectal primary
without its subsite: 2 or 4 points) keeps the set of points it could still score. The result then has
``score`` None, ``possible_range`` [lowest, highest] and a ``band``/``strategy`` only when every possible
total (the sums of every combination, not just the range ends) shares it.

Both scores were built for spinal metastases: :func:`case_prognosis` says so, and gives no number, for a
case without a spinal lesion.

Interpretation choices (see docs/treatment-options.md, to be confirmed by a clinician):

- Tomita primary growth from histology: slow ``breast``, ``thyroid``, ``prostate``; moderate
  ``renal_cell`` (kidney), ``endometrial`` and ``cervical`` (uterus: corpus and cervix alike, as §10's
  Tokuhashi mapping groups them); rapid ``nsclc``, ``sclc`` (lung), ``hepatocellular`` (liver),
  ``gastric`` (stomach), ``colorectal`` with subsite ``colon``, ``unknown_primary``. Every other code
  (rectum included: Tomita names the colon only) is unknown, because Tomita's table names examples only.
- Tomita visceral metastases from the case: ``visceral_metastases_count`` 0 is ``none``; a visceral
  metastasis with ``major_organ_metastases`` ``removable`` is ``treatable``, ``unremovable`` is
  ``untreatable``; otherwise unknown (a count of 0 beside a removable/unremovable organ metastasis is a
  contradiction and stays unknown).
- Tomita bone metastases: ``solitary`` only when ``bone_metastases_count`` is 1 and nothing recorded says
  more (at most one lesion, extraspinal + vertebral counts not above 1); ``multiple`` when any record
  shows two or more (the bone count, the recorded lesions, or the extraspinal + vertebral counts).
- Tokuhashi ``vertebral_metastases_count`` 0 on a spinal case contradicts the spinal lesion: unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from apps.cases.facts import CaseFacts
from apps.cases.vocabulary import KARNOFSKY_VALUES, SPINAL_SITES, FrankelGrade, MajorOrganMetastases
from apps.options.engine import sources
from apps.options.engine.version import ENGINE_VERSION


class TokuhashiBand(StrEnum):
    LT_6_MONTHS = "lt_6_months"
    GTE_6_MONTHS = "gte_6_months"
    GTE_12_MONTHS = "gte_12_months"


class TomitaStrategy(StrEnum):
    WIDE_OR_MARGINAL_EXCISION = "wide_or_marginal_excision"
    MARGINAL_OR_INTRALESIONAL_EXCISION = "marginal_or_intralesional_excision"
    PALLIATIVE_SURGERY = "palliative_surgery"
    SUPPORTIVE_CARE = "supportive_care"


class PrimaryGrowth(StrEnum):
    SLOW = "slow"
    MODERATE = "moderate"
    RAPID = "rapid"


class VisceralMetastases(StrEnum):
    NONE = "none"
    TREATABLE = "treatable"
    UNTREATABLE = "untreatable"


class BoneMetastases(StrEnum):
    SOLITARY = "solitary"
    MULTIPLE = "multiple"


#: Highest Tokuhashi total of each band (0-8, 9-11, 12-15); Tokuhashi 2005.
TOKUHASHI_LT_6_MAX: Final = 8
TOKUHASHI_GTE_6_MAX: Final = 11
#: Highest Tomita total of each strategy (2-3, 4-5, 6-7, 8-10); Tomita 2001.
TOMITA_WIDE_MAX: Final = 3
TOMITA_MARGINAL_MAX: Final = 5
TOMITA_PALLIATIVE_MAX: Final = 7

FRANKEL_GRADES: Final = tuple(grade.value for grade in FrankelGrade)
MAJOR_ORGAN_VALUES: Final = tuple(value.value for value in MajorOrganMetastases)

#: Tokuhashi primary-site points per histology code (clinical-rules.md §10); codes not listed score 2
#: ("other"), colorectal and sarcoma depend on the subsite (below).
TOKUHASHI_PRIMARY_POINTS: Final[dict[str, int]] = {
    "nsclc": 0,
    "sclc": 0,
    "gastric": 0,
    "urothelial": 0,
    "esophageal_squamous": 0,
    "pancreatic": 0,
    "hepatocellular": 1,
    "gallbladder": 1,
    "unknown_primary": 1,
    "renal_cell": 3,
    "endometrial": 3,
    "cervical": 3,
    "breast": 5,
    "prostate": 5,
    "thyroid": 5,
    "neuroendocrine": 5,
}
TOKUHASHI_SUBSITE_POINTS: Final[dict[str, dict[str, int]]] = {
    "colorectal": {"rectum": 4, "colon": 2},
    "sarcoma": {"osteosarcoma": 0, "other": 2},
}
TOKUHASHI_OTHER_POINTS: Final = 2
ALL_PRIMARY_POINTS: Final = (0, 1, 2, 3, 4, 5)

#: Tomita primary growth per histology (see the module docstring); absent codes are unknown.
TOMITA_GROWTH: Final[dict[str, PrimaryGrowth]] = {
    "breast": PrimaryGrowth.SLOW,
    "thyroid": PrimaryGrowth.SLOW,
    "prostate": PrimaryGrowth.SLOW,
    "renal_cell": PrimaryGrowth.MODERATE,
    "endometrial": PrimaryGrowth.MODERATE,
    "cervical": PrimaryGrowth.MODERATE,
    "nsclc": PrimaryGrowth.RAPID,
    "sclc": PrimaryGrowth.RAPID,
    "hepatocellular": PrimaryGrowth.RAPID,
    "gastric": PrimaryGrowth.RAPID,
    "unknown_primary": PrimaryGrowth.RAPID,
}
TOMITA_GROWTH_BY_SUBSITE: Final[dict[str, dict[str, PrimaryGrowth]]] = {"colorectal": {"colon": PrimaryGrowth.RAPID}}
TOMITA_GROWTH_POINTS: Final[dict[str, int]] = {PrimaryGrowth.SLOW: 1, PrimaryGrowth.MODERATE: 2, PrimaryGrowth.RAPID: 4}
TOMITA_VISCERAL_POINTS: Final[dict[str, int]] = {
    VisceralMetastases.NONE: 0,
    VisceralMetastases.TREATABLE: 2,
    VisceralMetastases.UNTREATABLE: 4,
}
TOMITA_BONE_POINTS: Final[dict[str, int]] = {BoneMetastases.SOLITARY: 1, BoneMetastases.MULTIPLE: 2}

NOT_SPINAL_NOTE: Final = (
    "Spinal-metastasis score: this case has no spinal lesion, so the score is not given "
    "(Tokuhashi and Tomita were derived in patients with spinal metastases)."
)


@dataclass(frozen=True, slots=True)
class PrognosisComponent:
    """One line of a score: its input, its points (None when unknown) and the points still possible."""

    name: str
    input: str | int | None
    points: int | None
    possible_points: tuple[int, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "points": self.points, "possible_points": list(self.possible_points), "note": self.note}


def _known(name: str, value: str | int, points: int, note: str = "") -> PrognosisComponent:
    return PrognosisComponent(name, value, points, (points,), note)


def _unknown(name: str, value: str | int | None, possible: Iterable[int], note: str) -> PrognosisComponent:
    return PrognosisComponent(name, value, None, tuple(sorted(set(possible))), note)


def possible_totals(components: Sequence[PrognosisComponent]) -> tuple[int, ...]:
    """Every total the components can still add up to (sorted, distinct)."""
    return tuple(sorted({sum(combo) for combo in itertools.product(*(c.possible_points for c in components))}))


@dataclass(frozen=True, slots=True)
class PrognosisResult:
    """A Tokuhashi or Tomita answer. ``category`` is the band (Tokuhashi) or the strategy (Tomita)."""

    score_name: str
    applicable: bool
    score: int | None
    possible_range: tuple[int, int] | None
    category: str | None
    components: tuple[PrognosisComponent, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = ""
    engine_version: str = ENGINE_VERSION
    category_key: str = field(default="band")

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicable": self.applicable,
            "score": self.score,
            "possible_range": None if self.possible_range is None else list(self.possible_range),
            self.category_key: self.category,
            "components": {c.name: c.to_dict() for c in self.components},
            "missing": list(self.missing),
            "notes": list(self.notes),
            "source": self.source,
            "engine_version": self.engine_version,
        }


def _finish(
    name: str,
    components: tuple[PrognosisComponent, ...],
    classify: Any,
    category_key: str,
    source: str,
    missing: tuple[str, ...],
    notes: tuple[str, ...] = (),
) -> PrognosisResult:
    totals = possible_totals(components)
    categories = {classify(total) for total in totals}
    score = totals[0] if len(totals) == 1 and all(c.points is not None for c in components) else None
    missing_notes = notes
    if score is None and missing:
        missing_notes = ("unknown: needs " + ", ".join(missing), *notes)
    return PrognosisResult(
        score_name=name,
        applicable=True,
        score=score,
        possible_range=(totals[0], totals[-1]),
        category=str(categories.pop()) if len(categories) == 1 else None,
        components=components,
        missing=missing,
        notes=missing_notes,
        source=source,
        category_key=category_key,
    )


# ---------------------------------------------------------------------------------------------- Tokuhashi


def tokuhashi_band(total: int) -> TokuhashiBand:
    """0-8 ``lt_6_months``, 9-11 ``gte_6_months``, 12-15 ``gte_12_months`` (Tokuhashi 2005)."""
    if total <= TOKUHASHI_LT_6_MAX:
        return TokuhashiBand.LT_6_MONTHS
    if total <= TOKUHASHI_GTE_6_MAX:
        return TokuhashiBand.GTE_6_MONTHS
    return TokuhashiBand.GTE_12_MONTHS


def _karnofsky(value: int | None) -> PrognosisComponent:
    name = "general_condition"
    if value is None:
        return _unknown(name, None, (0, 1, 2), "unknown: needs karnofsky_performance_status")
    if value not in KARNOFSKY_VALUES:
        return _unknown(name, value, (0, 1, 2), f"karnofsky_performance_status {value} is not 10-100 in steps of 10")
    if value <= 40:
        return _known(name, value, 0, "Karnofsky 10-40 (poor)")
    if value <= 70:
        return _known(name, value, 1, "Karnofsky 50-70 (moderate)")
    return _known(name, value, 2, "Karnofsky 80-100 (good)")


def _extraspinal(count: int | None) -> PrognosisComponent:
    name = "extraspinal_bone_metastases"
    if count is None or count < 0:
        return _unknown(name, count, (0, 1, 2), "unknown: needs extraspinal_bone_metastases_count")
    if count >= 3:
        return _known(name, count, 0, ">= 3 extraspinal bone metastases")
    if count >= 1:
        return _known(name, count, 1, "1-2 extraspinal bone metastases")
    return _known(name, count, 2, "no extraspinal bone metastasis")


def _vertebral(count: int | None) -> PrognosisComponent:
    name = "vertebral_body_metastases"
    if count is None:
        return _unknown(name, None, (0, 1, 2), "unknown: needs vertebral_metastases_count")
    if count < 1:
        return _unknown(name, count, (0, 1, 2), "vertebral_metastases_count must be at least 1 for a spinal metastasis")
    if count >= 3:
        return _known(name, count, 0, ">= 3 vertebral-body metastases")
    if count == 2:
        return _known(name, count, 1, "2 vertebral-body metastases")
    return _known(name, count, 2, "1 vertebral-body metastasis")


def _major_organ(value: str | None) -> PrognosisComponent:
    name = "major_internal_organ_metastases"
    points = {"unremovable": 0, "removable": 1, "none": 2}
    if value is None or str(value) not in points:
        return _unknown(name, value, (0, 1, 2), "unknown: needs major_organ_metastases")
    return _known(name, str(value), points[str(value)], f"major internal-organ metastases: {value}")


def tokuhashi_primary_points(histology: str | None, subsite: str | None) -> tuple[tuple[int, ...], str]:
    """The primary-site points still possible for a histology code and subsite, with the reason."""
    if histology is None:
        return ALL_PRIMARY_POINTS, "unknown: needs primary_histology"
    code = str(histology)
    by_subsite = TOKUHASHI_SUBSITE_POINTS.get(code)
    if by_subsite is not None:
        if subsite is not None and str(subsite) in by_subsite:
            return (by_subsite[str(subsite)],), f"{code} ({subsite})"
        return tuple(sorted(set(by_subsite.values()))), f"unknown: needs primary_subsite ({code}: " + (
            ", ".join(f"{s} {p}" for s, p in by_subsite.items()) + ")"
        )
    if code in TOKUHASHI_PRIMARY_POINTS:
        return (TOKUHASHI_PRIMARY_POINTS[code],), code
    return (TOKUHASHI_OTHER_POINTS,), f"{code}: 'other' primary site in Tokuhashi's table"


def _primary(histology: str | None, subsite: str | None) -> PrognosisComponent:
    name = "primary_site"
    possible, note = tokuhashi_primary_points(histology, subsite)
    value = None if histology is None else str(histology)
    if len(possible) == 1:
        return _known(name, value if value is not None else "", possible[0], note)
    return _unknown(name, value, possible, note)


def _palsy(grade: str | None) -> PrognosisComponent:
    name = "palsy"
    if grade is None or str(grade) not in FRANKEL_GRADES:
        return _unknown(name, grade, (0, 1, 2), "unknown: needs frankel_grade")
    code = str(grade)
    if code in ("A", "B"):
        return _known(name, code, 0, "Frankel A-B (complete or sensory-only)")
    if code in ("C", "D"):
        return _known(name, code, 1, "Frankel C-D (motor incomplete)")
    return _known(name, code, 2, "Frankel E (no palsy)")


_TOKUHASHI_FIELDS: Final = {
    "general_condition": "karnofsky_performance_status",
    "extraspinal_bone_metastases": "extraspinal_bone_metastases_count",
    "vertebral_body_metastases": "vertebral_metastases_count",
    "major_internal_organ_metastases": "major_organ_metastases",
    "palsy": "frankel_grade",
}


def tokuhashi_score(
    *,
    karnofsky_performance_status: int | None,
    extraspinal_bone_metastases_count: int | None,
    vertebral_metastases_count: int | None,
    major_organ_metastases: str | None,
    primary_histology: str | None,
    primary_subsite: str | None = None,
    frankel_grade: str | None = None,
) -> PrognosisResult:
    """Revised Tokuhashi score, 0-15 (higher is better), and its survival band.

    source: Tokuhashi Y et al., Spine 2005;30:2186; clinical-rules.md §10 (components, bands, histology map).
    """
    components = (
        _karnofsky(karnofsky_performance_status),
        _extraspinal(extraspinal_bone_metastases_count),
        _vertebral(vertebral_metastases_count),
        _major_organ(major_organ_metastases),
        _primary(primary_histology, primary_subsite),
        _palsy(frankel_grade),
    )
    missing: list[str] = []
    for component in components:
        if component.points is not None:
            continue
        if component.name == "primary_site":
            missing.append("primary_histology" if primary_histology is None else "primary_subsite")
        else:
            missing.append(_TOKUHASHI_FIELDS[component.name])
    return _finish("tokuhashi", components, tokuhashi_band, "band", sources.TOKUHASHI, tuple(missing))


# ---------------------------------------------------------------------------------------------- Tomita


def tomita_strategy(total: int) -> TomitaStrategy:
    """2-3 wide or marginal excision; 4-5 marginal or intralesional; 6-7 palliative surgery; 8-10 supportive care."""
    if total <= TOMITA_WIDE_MAX:
        return TomitaStrategy.WIDE_OR_MARGINAL_EXCISION
    if total <= TOMITA_MARGINAL_MAX:
        return TomitaStrategy.MARGINAL_OR_INTRALESIONAL_EXCISION
    if total <= TOMITA_PALLIATIVE_MAX:
        return TomitaStrategy.PALLIATIVE_SURGERY
    return TomitaStrategy.SUPPORTIVE_CARE


def _tomita_component(name: str, value: str | None, table: dict[str, int], note: str = "") -> PrognosisComponent:
    if value is None or str(value) not in table:
        return _unknown(name, value, table.values(), note or f"unknown: needs {name}")
    return _known(name, str(value), table[str(value)], note)


def tomita_score(
    *,
    primary_growth: str | None,
    visceral_metastases: str | None,
    bone_metastases: str | None,
    notes: Sequence[str] = (),
    component_notes: dict[str, str] | None = None,
) -> PrognosisResult:
    """Tomita score, 2-10, and its surgical strategy.

    source: Tomita K et al., Spine 2001;26:298; clinical-rules.md §10.
    """
    extra = component_notes or {}
    components = (
        _tomita_component("primary_growth", primary_growth, TOMITA_GROWTH_POINTS, extra.get("primary_growth", "")),
        _tomita_component(
            "visceral_metastases", visceral_metastases, TOMITA_VISCERAL_POINTS, extra.get("visceral_metastases", "")
        ),
        _tomita_component("bone_metastases", bone_metastases, TOMITA_BONE_POINTS, extra.get("bone_metastases", "")),
    )
    missing = tuple(c.name for c in components if c.points is None)
    return _finish("tomita", components, tomita_strategy, "strategy", sources.TOMITA, missing, tuple(notes))


# ---------------------------------------------------------------------------------------------- from a case


@dataclass(frozen=True, slots=True)
class Derived:
    """A Tomita input derived from the case: the code (None = unknown) and how it was derived."""

    value: str | None
    note: str
    needs: tuple[str, ...] = ()


def tomita_primary_growth(histology: str | None, subsite: str | None) -> Derived:
    """Tomita primary growth of a histology code (see the module docstring for each mapping choice)."""
    if histology is None:
        return Derived(None, "unknown: needs primary_histology", ("primary_histology",))
    code = str(histology)
    by_subsite = TOMITA_GROWTH_BY_SUBSITE.get(code)
    if by_subsite is not None:
        if subsite is not None and str(subsite) in by_subsite:
            growth = by_subsite[str(subsite)]
            return Derived(growth.value, f"{code} ({subsite}): {growth.value} growth")
        if subsite is None:
            return Derived(None, f"unknown: needs primary_subsite ({code}: colon is rapid growth)", ("primary_subsite",))
        return Derived(None, f"{code} ({subsite}): Tomita's table does not name it: growth unknown")
    growth_of = TOMITA_GROWTH.get(code)
    if growth_of is None:
        return Derived(None, f"{code}: Tomita's table does not name this primary: growth unknown")
    return Derived(growth_of.value, f"{code}: {growth_of.value} growth")


def tomita_visceral(visceral_count: int | None, major_organ: str | None) -> Derived:
    """none / treatable / untreatable from the visceral count and the major-organ metastases."""
    organ = None if major_organ is None else str(major_organ)
    if visceral_count == 0:
        if organ in ("removable", "unremovable"):
            return Derived(None, "visceral_metastases_count 0 contradicts major_organ_metastases " + organ + ": unknown")
        return Derived(VisceralMetastases.NONE.value, "no visceral metastasis (visceral_metastases_count 0)")
    if organ == "removable":
        return Derived(VisceralMetastases.TREATABLE.value, "major-organ metastases removable: treatable")
    if organ == "unremovable":
        return Derived(VisceralMetastases.UNTREATABLE.value, "major-organ metastases unremovable: untreatable")
    if visceral_count is None:
        return Derived(None, "unknown: needs visceral_metastases_count", ("visceral_metastases_count",))
    return Derived(
        None,
        f"{visceral_count} visceral metastases: treatable or not needs major_organ_metastases",
        ("major_organ_metastases",),
    )


def tomita_bone(bone_count: int | None, recorded_lesions: int, extraspinal: int | None, vertebral: int | None) -> Derived:
    """solitary / multiple bone metastases from the case's counts and recorded lesions."""
    known_parts = [c for c in (extraspinal, vertebral) if c is not None]
    parts_total = sum(known_parts)
    if (bone_count is not None and bone_count >= 2) or recorded_lesions >= 2 or parts_total >= 2:
        basis = []
        if bone_count is not None and bone_count >= 2:
            basis.append(f"bone_metastases_count {bone_count}")
        if recorded_lesions >= 2:
            basis.append(f"{recorded_lesions} lesions recorded")
        if parts_total >= 2:
            basis.append(f"extraspinal + vertebral counts {parts_total}")
        return Derived(BoneMetastases.MULTIPLE.value, "multiple: " + ", ".join(basis))
    if bone_count == 1:
        return Derived(BoneMetastases.SOLITARY.value, "solitary: bone_metastases_count 1")
    if bone_count == 0:
        return Derived(None, "bone_metastases_count 0 contradicts a spinal metastasis: unknown")
    return Derived(None, "unknown: needs bone_metastases_count", ("bone_metastases_count",))


def _has_spinal_lesion(case: CaseFacts) -> bool:
    return any(lesion.site in SPINAL_SITES for lesion in case.lesions)


@dataclass(frozen=True, slots=True)
class CasePrognosis:
    """The case's ``prognosis`` section: both scores, and whether the case has a spinal lesion."""

    spinal: bool
    tokuhashi: PrognosisResult
    tomita: PrognosisResult
    estimated_survival_months: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "spinal": self.spinal,
            "note": "" if self.spinal else NOT_SPINAL_NOTE,
            "estimated_survival_months": self.estimated_survival_months,
            "tokuhashi": self.tokuhashi.to_dict(),
            "tomita": self.tomita.to_dict(),
            "engine_version": ENGINE_VERSION,
        }


def _not_applicable(name: str, category_key: str, source: str) -> PrognosisResult:
    return PrognosisResult(
        score_name=name,
        applicable=False,
        score=None,
        possible_range=None,
        category=None,
        notes=(NOT_SPINAL_NOTE,),
        source=source,
        category_key=category_key,
    )


def case_prognosis(case: CaseFacts) -> CasePrognosis:
    """Tokuhashi and Tomita from the case's fields (``score`` None and a note without a spinal lesion)."""
    spinal = _has_spinal_lesion(case)
    if not spinal:
        return CasePrognosis(
            spinal=False,
            tokuhashi=_not_applicable("tokuhashi", "band", sources.TOKUHASHI),
            tomita=_not_applicable("tomita", "strategy", sources.TOMITA),
            estimated_survival_months=case.estimated_survival_months,
        )
    histology = None if case.primary_histology is None else str(case.primary_histology)
    subsite = case.primary_subsite
    tokuhashi = tokuhashi_score(
        karnofsky_performance_status=case.karnofsky_performance_status,
        extraspinal_bone_metastases_count=case.extraspinal_bone_metastases_count,
        vertebral_metastases_count=case.vertebral_metastases_count,
        major_organ_metastases=case.major_organ_metastases,
        primary_histology=histology,
        primary_subsite=None if subsite is None else str(subsite),
        frankel_grade=case.frankel_grade,
    )
    growth = tomita_primary_growth(histology, None if subsite is None else str(subsite))
    visceral = tomita_visceral(case.visceral_metastases_count, case.major_organ_metastases)
    bone = tomita_bone(
        case.bone_metastases_count,
        len(case.lesions),
        case.extraspinal_bone_metastases_count,
        case.vertebral_metastases_count,
    )
    tomita = tomita_score(
        primary_growth=growth.value,
        visceral_metastases=visceral.value,
        bone_metastases=bone.value,
        component_notes={"primary_growth": growth.note, "visceral_metastases": visceral.note, "bone_metastases": bone.note},
    )
    needs = tuple(dict.fromkeys((*growth.needs, *visceral.needs, *bone.needs)))
    if needs and tomita.score is None:
        tomita = _with_missing(tomita, needs)
    return CasePrognosis(
        spinal=True, tokuhashi=tokuhashi, tomita=tomita, estimated_survival_months=case.estimated_survival_months
    )


def _with_missing(result: PrognosisResult, needs: tuple[str, ...]) -> PrognosisResult:
    """Name the case fields (not the Tomita component names) that would decide an unknown Tomita input."""
    notes = tuple(n for n in result.notes if not n.startswith("unknown: needs"))
    return PrognosisResult(
        score_name=result.score_name,
        applicable=result.applicable,
        score=result.score,
        possible_range=result.possible_range,
        category=result.category,
        components=result.components,
        missing=needs,
        notes=("unknown: needs " + ", ".join(needs), *notes),
        source=result.source,
        category_key=result.category_key,
    )
