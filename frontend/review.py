"""The case page's reading of stored risk results: every flag with its full breakdown, in words.

The risk engine stores each rule's answer as JSON (``CaseRiskSummary.to_dict()``: components with their
input, points and note; checklist criteria met / not met / unknown; ``missing`` fields; the source). This
module turns that into what a clinician reads: labelled components, criteria in words, and for anything
unknown the fields that would settle it. It computes nothing clinical: scores, categories and flags are
the engine's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from apps.cases.models import Lesion
from frontend.labels import field_label, label, tables

RULE_TITLES: dict[str, str] = {
    "mirels": "Mirels fracture risk",
    "sins": "Spinal instability (SINS)",
    "escc": "Epidural spinal cord compression (Bilsky)",
    "high_risk_asymptomatic": "High-risk asymptomatic lesion (Gillespie)",
    "oligometastatic": "Oligometastatic state",
    "radiosensitivity": "Radiosensitivity of the primary (NOMS)",
    "systemic_therapy_cautions": "Systemic therapy with radiotherapy",
}

#: The vocabulary of a component's input, by rule and component name.
_COMPONENT_VOCABULARY: dict[tuple[str, str], str] = {
    ("mirels", "site"): "Site",
    ("mirels", "pain"): "LimbPain",
    ("mirels", "lesion"): "RadiographicType",
    ("mirels", "size"): "CorticalInvolvement",
    ("sins", "pain"): "SpinalPain",
    ("sins", "bone_lesion"): "RadiographicType",
    ("sins", "alignment"): "Alignment",
    ("sins", "vertebral_collapse"): "VertebralCollapse",
    ("sins", "posterolateral_involvement"): "PosterolateralInvolvement",
    ("high_risk_asymptomatic", "joint"): "Subsite",
    ("high_risk_asymptomatic", "long_bone_cortical"): "CorticalInvolvement",
}

#: Checklist criteria and components in the clinic's words (codes of the risk engine's checklists).
CRITERION_WORDING: dict[str, str] = {
    "bulky": "bulky (2 cm or more)",
    "joint": "at a joint (hip, shoulder, sacroiliac)",
    "long_bone_cortical": "long bone, one third or more of the cortex",
    "junctional_spine": "junctional spine (C7-T1, T12-L1, L5-S1)",
    "posterior_elements": "posterior elements involved",
    "survival_gt_3_months": "expected survival over 3 months",
    "single_level": "compression at a single level",
    "not_cauda_equina_only": "not cauda equina only",
    "paraplegia_lt_48h": "paraplegia for less than 48 hours",
    "no_prior_radiotherapy": "no prior radiotherapy to the site",
    "estro_astro_1_to_5": "1-5 metastases (ESTRO/ASTRO)",
    "seed002_le_3": "3 or fewer metastases",
    "oligoprogression_le_3": "3 or fewer lesions progressing on systemic therapy",
    "bone_lesion": "bone lesion",
    "lesion": "lesion type",
    "size": "size (cortical involvement)",
    "location": "location",
}

_CODE = re.compile(r"\b(?:extra\.)?[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@cache
def _unique_code_labels() -> dict[str, str]:
    """Codes that mean one thing in every vocabulary, with their label (for codes inside engine text)."""
    seen: dict[str, set[str]] = {}
    for vocabulary in tables()[0].values():
        for code, text in vocabulary.items():
            seen.setdefault(code, set()).add(text)
    return {code: next(iter(texts)) for code, texts in seen.items() if len(texts) == 1}


def in_words(text: str) -> str:
    """Engine text with the codes in it replaced by their labels ("unknown: needs systemic_therapy_classes"
    -> "unknown: needs systemic therapy classes"; ``de_novo_metachronous`` -> "de novo metachronous")."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(0)
        if code in CRITERION_WORDING:
            return CRITERION_WORDING[code]
        codes = _unique_code_labels()
        if code in codes:
            return codes[code]
        return field_label(code)

    return _CODE.sub(replace, text or "")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a breakdown: a component (with points) or a checklist criterion (with a status)."""

    name: str
    value: str
    points: int | None
    status: str | None
    note: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleView:
    rule: str
    title: str
    applicable: bool
    score: int | None
    category: str
    possible_range: tuple[int, int] | None
    lines: tuple[Line, ...]
    needs: tuple[str, ...]
    recommendation: str
    notes: tuple[str, ...]
    source: str

    @property
    def headline(self) -> str:
        """ "SINS: 16 points, unstable"; "between 7 and 12 points (indeterminate whatever the missing values)"."""
        if self.score is not None:
            return f"{self.score} points" + (f", {self.category}" if self.category else "")
        if self.possible_range is not None:
            low, high = self.possible_range
            decided = f" ({self.category} whatever the missing values)" if self.category else ""
            return f"between {low} and {high} points{decided}"
        return self.category or "not decided"


@dataclass(frozen=True, slots=True)
class FlagView:
    code: str
    priority: int
    message: str
    source: str
    rule_title: str


@dataclass
class LesionView:
    lesion: Lesion
    flags: list[FlagView] = field(default_factory=list)
    rules: list[RuleView] = field(default_factory=list)


def _value(rule: str, name: str, value: Any) -> str:
    if value is None:
        return "not recorded"
    vocabulary = _COMPONENT_VOCABULARY.get((rule, name))
    if vocabulary is not None:
        return label(value, vocabulary)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return in_words(str(value))


def needs_labels(names: Any) -> tuple[str, ...]:
    """The labels of the fields that would decide a result, each once, in order: two names can share a
    label (a case's and a lesion's ``symptoms``), and "ask for: symptoms, symptoms" reads as a glitch."""
    return tuple(dict.fromkeys(field_label(str(n)) for n in names or ()))


def rule_view(result: dict[str, Any]) -> RuleView:
    rule = str(result.get("rule", ""))
    lines: list[Line] = []
    criteria = result.get("criteria") or result.get("patchell_criteria") or result.get("definitions") or []
    if criteria:
        for criterion in criteria:
            code = str(criterion.get("code", ""))
            lines.append(
                Line(
                    name=CRITERION_WORDING.get(code, in_words(code)),
                    value=_value(rule, code, criterion.get("input")),
                    points=None,
                    status=criterion.get("status"),
                    note=in_words(str(criterion.get("explanation", ""))),
                    needs=needs_labels(criterion.get("missing")),
                )
            )
    else:
        for name, component in (result.get("components") or {}).items():
            lines.append(
                Line(
                    name=CRITERION_WORDING.get(name, field_label(name)),
                    value=_value(rule, name, component.get("input")),
                    points=component.get("points"),
                    status=component.get("status"),
                    note=in_words(str(component.get("note", ""))),
                )
            )
    possible = result.get("possible_range")
    category = result.get("category")
    return RuleView(
        rule=rule,
        title=RULE_TITLES.get(rule, in_words(rule)),
        applicable=bool(result.get("applicable")),
        score=result.get("score"),
        category=in_words(str(category)) if category else "",
        possible_range=(int(possible[0]), int(possible[1])) if possible else None,
        lines=tuple(lines),
        needs=needs_labels(result.get("missing")),
        recommendation=in_words(str(result.get("recommendation", ""))),
        notes=tuple(in_words(str(n)) for n in result.get("notes") or ()),
        source=str(result.get("source", "")),
    )


def _flag_view(flag: dict[str, Any]) -> FlagView:
    return FlagView(
        code=str(flag.get("code", "")),
        priority=int(flag.get("priority", 0)),
        message=in_words(str(flag.get("message", ""))),
        source=str(flag.get("source", "")),
        rule_title=RULE_TITLES.get(str(flag.get("rule", "")), ""),
    )


LESION_RULES = ("sins", "escc", "mirels", "high_risk_asymptomatic")
CASE_RULES = ("oligometastatic", "radiosensitivity", "systemic_therapy_cautions")


def lesion_views(lesions: list[Lesion], summary: dict[str, Any] | None) -> list[LesionView]:
    """Each lesion with the flags raised on it and every rule that applies to it (those that do not apply
    are left out: a femur has no SINS), in the case's lesion order."""
    by_ref = {str(item.get("lesion_ref")): item for item in (summary or {}).get("lesions", [])}
    views = []
    for lesion in lesions:
        view = LesionView(lesion=lesion)
        assessed = by_ref.get(str(lesion.uuid))
        if assessed is not None:
            view.flags = [_flag_view(f) for f in assessed.get("flags", [])]
            view.rules = [
                rule_view(assessed[name]) for name in LESION_RULES if name in assessed and assessed[name].get("applicable")
            ]
        views.append(view)
    return views


def case_rule_views(summary: dict[str, Any] | None) -> list[RuleView]:
    if not summary:
        return []
    return [rule_view(summary[name]) for name in CASE_RULES if name in summary]


def case_flags(summary: dict[str, Any] | None) -> list[FlagView]:
    """Case-level flags (those not raised on one lesion), highest priority first as the engine ranks them."""
    return [_flag_view(f) for f in (summary or {}).get("flags", []) if not f.get("lesion_ref")]
