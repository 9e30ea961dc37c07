"""Builders for the options-engine tests: cases as facts, risk findings set cell by cell, the catalogue."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import (
    Alignment,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    Laterality,
    LimbPain,
    PosterolateralInvolvement,
    PrimaryHistology,
    RadiographicType,
    Site,
    SpinalPain,
    Subsite,
    SymptomBurden,
    SystemicTherapyClass,
    VertebralCollapse,
)
from apps.dosimetry.engine.catalogue import REGIMENS
from apps.options.engine import (
    CaseOptions,
    CaseRisk,
    LesionRisk,
    OptionInputs,
    PlanEntry,
    RegimenEntry,
    RegimenLevelEntry,
    ScoreFinding,
    TrialEntry,
    risk_from_payload,
    treatment_options,
)
from apps.risk.engine import assess_case

CATALOGUE: dict[str, RegimenEntry] = {
    r.code: RegimenEntry(
        code=r.code,
        name=r.name,
        fractions=r.fractions,
        levels=tuple(RegimenLevelEntry(level.total_dose_gy, level.target) for level in r.levels),
        technique=r.technique.value,
        cautions=r.cautions,
    )
    for r in REGIMENS
}

CASE_DEFAULTS: dict[str, Any] = {
    "primary_histology": "breast",
    "estimated_survival_months": 12.0,
    "ecog": 1,
    "systemic_therapy_classes": (),
    "primary_controlled": True,
    "bone_metastases_count": 8,
    "visceral_metastases_count": 2,
}


_LESION_ENUMS: dict[str, Any] = {
    "site": Site,
    "subsite": Subsite,
    "radiographic_type": RadiographicType,
    "cortical_involvement": CorticalInvolvement,
    "pain": LimbPain,
    "spinal_pain": SpinalPain,
    "alignment": Alignment,
    "vertebral_collapse": VertebralCollapse,
    "posterolateral_involvement": PosterolateralInvolvement,
    "epidural_compression_grade": EpiduralCompressionGrade,
    "laterality": Laterality,
    "symptoms": SymptomBurden,
}


def _lesion(data: dict[str, Any]) -> LesionFacts:
    coded = {k: (_LESION_ENUMS[k](v) if k in _LESION_ENUMS and v is not None else v) for k, v in data.items()}
    return LesionFacts(**coded)


def score(value: int | None = None, span: tuple[int, int] | None = None) -> ScoreFinding:
    if value is not None:
        return ScoreFinding(applicable=True, score=value, category=None, possible_range=(value, value))
    return ScoreFinding(applicable=True, score=None, category=None, possible_range=span)


def spine(**kw: Any) -> LesionFacts:
    data: dict[str, Any] = {
        "site": "thoracic_spine",
        "level_from": "T8",
        "spinal_pain": "occasional_non_mechanical",
        "radiographic_type": "blastic",
        "alignment": "normal",
        "vertebral_collapse": "none",
        "posterolateral_involvement": "none",
        "epidural_compression_grade": "1a",
        "symptomatic": True,
        "ref": "spine",
    }
    data.update(kw)
    return _lesion(data)


def femur(**kw: Any) -> LesionFacts:
    data: dict[str, Any] = {
        "site": "femur",
        "subsite": "shaft",
        "pain": "mild",
        "radiographic_type": "blastic",
        "cortical_involvement": "lt_one_third",
        "symptomatic": True,
        "ref": "femur",
    }
    data.update(kw)
    return _lesion(data)


def lesion(**kw: Any) -> LesionFacts:
    return _lesion({"symptomatic": True, "ref": kw.get("site", "lesion"), **kw})


def case_of(*lesions: LesionFacts, **kw: Any) -> CaseFacts:
    data = {**CASE_DEFAULTS, **kw}
    if data.get("primary_histology") is not None:
        data["primary_histology"] = PrimaryHistology(data["primary_histology"])
    if data.get("systemic_therapy_classes") is not None:
        data["systemic_therapy_classes"] = tuple(SystemicTherapyClass(c) for c in data["systemic_therapy_classes"])
    return CaseFacts(**data, lesions=lesions)


def real_risk(case: CaseFacts) -> CaseRisk:
    """The risk engine's own findings for the case (as the stored assessment would hold them)."""
    return risk_from_payload(assess_case(case).to_dict())


def with_lesion_risk(risk: CaseRisk, ref: str, **changes: Any) -> CaseRisk:
    lesions = dict(risk.lesions)
    lesions[ref] = replace(lesions.get(ref) or LesionRisk(ref=ref), **changes)
    return replace(risk, lesions=lesions)


def run(
    case: CaseFacts,
    risk: CaseRisk | None = None,
    *,
    plans: tuple[PlanEntry, ...] = (),
    trials: tuple[TrialEntry, ...] = (),
    catalogue: dict[str, RegimenEntry] | None = None,
    **risk_changes: Any,
) -> CaseOptions:
    found = risk or real_risk(case)
    if risk_changes:
        found = replace(found, **risk_changes)
    return treatment_options(
        case, OptionInputs(risk=found, catalogue=CATALOGUE if catalogue is None else catalogue, plans=plans, trials=trials)
    )


def codes(options: CaseOptions, ref: str) -> list[str]:
    return [o.code for o in options.lesion(ref).options]


def option(options: CaseOptions, ref: str, code: str) -> Any:
    found = options.lesion(ref).option(code)
    assert found is not None, f"{code} not offered for {ref}: {codes(options, ref)}"
    return found
