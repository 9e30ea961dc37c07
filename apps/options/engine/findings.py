"""The inputs the options engine reads besides the case: stored risk findings, the regimen catalogue, the
case's planned courses and its trial matches, as small immutable values.

The risk findings are read from the stored risk assessment (``apps.risk``'s ``CaseRiskSummary.to_dict()``
payload) by :func:`risk_from_payload`, so the options always describe the very scores the board sees in
the ``risk`` section. Missing keys read as unknown (never as "low risk"), so a payload from an older or
newer risk engine can only make an answer less certain, never wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ScoreFinding:
    """A points score (Mirels, SINS) as stored: the total, or the range still possible."""

    applicable: bool
    score: int | None
    category: str | None
    possible_range: tuple[int, int] | None

    def at_least(self, threshold: int) -> bool | None:
        """True when every possible total reaches ``threshold``, False when none does, None otherwise."""
        if not self.applicable:
            return False
        if self.score is not None:
            return self.score >= threshold
        if self.possible_range is None:
            return None
        low, high = self.possible_range
        if low >= threshold:
            return True
        if high < threshold:
            return False
        return None

    def label(self, name: str) -> str:
        if self.score is not None:
            return f"{name} {self.score}"
        if self.possible_range is not None:
            return f"{name} unknown (possible {self.possible_range[0]}-{self.possible_range[1]})"
        return f"{name} unknown"


NOT_APPLICABLE = ScoreFinding(applicable=False, score=None, category=None, possible_range=None)


@dataclass(frozen=True, slots=True)
class CriterionFinding:
    code: str
    status: str
    explanation: str


@dataclass(frozen=True, slots=True)
class LesionRisk:
    """One lesion's stored risk findings."""

    ref: str
    mirels: ScoreFinding = NOT_APPLICABLE
    sins: ScoreFinding = NOT_APPLICABLE
    escc_applicable: bool = False
    escc_grade: str | None = None
    escc_high_grade: bool | None = None
    surgical_candidate: str | None = None
    patchell_criteria: tuple[CriterionFinding, ...] = ()
    high_risk: bool = False
    high_risk_criteria: tuple[str, ...] = ()
    high_risk_symptomatic: bool | None = None


@dataclass(frozen=True, slots=True)
class CautionFinding:
    code: str
    level: str
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class CaseRisk:
    """The case's stored risk findings (per lesion, keyed by lesion ref, and case level)."""

    lesions: Mapping[str, LesionRisk]
    radiosensitivity: str | None = None
    oligometastatic_1_to_5: str = "unknown"
    oligometastatic_explanation: str = ""
    estro_eortc_class: str | None = None
    oligoprogression: bool | None = None
    engine_version: str = ""

    def lesion(self, ref: str) -> LesionRisk:
        return self.lesions.get(ref) or LesionRisk(ref=ref)


def _score(data: Any) -> ScoreFinding:
    if not isinstance(data, Mapping) or not data.get("applicable"):
        return NOT_APPLICABLE
    span = data.get("possible_range")
    possible = (int(span[0]), int(span[1])) if isinstance(span, list | tuple) and len(span) == 2 else None
    score = data.get("score")
    return ScoreFinding(
        applicable=True,
        score=int(score) if isinstance(score, int) else None,
        category=data.get("category"),
        possible_range=possible,
    )


def _criteria(items: Any) -> tuple[CriterionFinding, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        CriterionFinding(str(item.get("code", "")), str(item.get("status", "unknown")), str(item.get("explanation", "")))
        for item in items
        if isinstance(item, Mapping)
    )


def _lesion(data: Mapping[str, Any]) -> LesionRisk:
    escc = data.get("escc") or {}
    high_risk = data.get("high_risk_asymptomatic") or {}
    return LesionRisk(
        ref=str(data.get("lesion_ref", "")),
        mirels=_score(data.get("mirels")),
        sins=_score(data.get("sins")),
        escc_applicable=bool(escc.get("applicable")),
        escc_grade=escc.get("grade"),
        escc_high_grade=escc.get("high_grade"),
        surgical_candidate=escc.get("surgical_candidate"),
        patchell_criteria=_criteria(escc.get("patchell_criteria")),
        high_risk=bool(high_risk.get("high_risk")),
        high_risk_criteria=tuple(str(c) for c in high_risk.get("criteria_met") or ()),
        high_risk_symptomatic=high_risk.get("symptomatic"),
    )


def risk_from_payload(payload: Mapping[str, Any]) -> CaseRisk:
    """Typed findings from a stored ``CaseRiskSummary.to_dict()``."""
    lesions = {item.ref: item for item in (_lesion(d) for d in payload.get("lesions") or () if isinstance(d, Mapping))}
    oligo = payload.get("oligometastatic") or {}
    consensus = next(
        (d for d in oligo.get("definitions") or () if isinstance(d, Mapping) and d.get("code") == "estro_astro_1_to_5"),
        {},
    )
    sensitivity = payload.get("radiosensitivity") or {}
    return CaseRisk(
        lesions=lesions,
        radiosensitivity=sensitivity.get("radiosensitivity", sensitivity.get("category")),
        oligometastatic_1_to_5=str(consensus.get("status", "unknown")),
        oligometastatic_explanation=str(consensus.get("explanation", "")),
        estro_eortc_class=oligo.get("estro_eortc_class"),
        oligoprogression=oligo.get("oligoprogression"),
        engine_version=str(payload.get("engine_version", "")),
    )


@dataclass(frozen=True, slots=True)
class RegimenLevelEntry:
    total_dose_gy: float
    target: str = ""


@dataclass(frozen=True, slots=True)
class RegimenEntry:
    """An active regimen of the curated catalogue (``apps.dosimetry.models.Regimen``)."""

    code: str
    name: str
    fractions: int
    levels: tuple[RegimenLevelEntry, ...]
    technique: str
    cautions: tuple[str, ...] = ()
    revision: int = 1


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """A planned radiotherapy course of the case (``apps.dosimetry.models.RadiotherapyPlan``)."""

    plan_id: int
    name: str
    regimen_code: str
    technique: str
    target_refs: tuple[str, ...]
    revision: int = 1


@dataclass(frozen=True, slots=True)
class TrialEntry:
    """A stored trial match of the case."""

    identifier: str
    short_name: str
    status: str
    eligibility: str
    recruiting: bool
