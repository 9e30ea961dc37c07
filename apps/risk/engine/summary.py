"""One lesion's assessment, a whole case's risk summary, and the ranked flags the board must see.

Flags, highest priority first (ties keep lesion order):

| priority | code | when |
| 100 | ``escc_high_grade`` | ESCC grade 2-3 (urgent surgical and radiation-oncology review) |
| 90 | ``sins_unstable`` | SINS 13-18 (or every completion of an incomplete SINS) |
| 80 | ``mirels_impending_fracture`` | Mirels >= 9 (or every completion of an incomplete Mirels) |
| 70 | ``sins_indeterminate`` | SINS 7-12 (or at least 7 whatever the missing components) |
| 70 | ``mirels_borderline`` | Mirels 8 (or at least 8 whatever the missing components) |
| 60 | ``high_risk_asymptomatic`` | a Gillespie criterion met on an asymptomatic or minimally symptomatic lesion |
| 55 | ``high_risk_criteria_symptoms_unknown`` | a criterion met, symptom status not recorded |
| 50 | ``escc_grade_unknown`` | a spinal lesion without its ESCC grade |
| 50 | ``sins_incomplete`` / ``mirels_incomplete`` | an unknown that could reach 7 / 8 |
| 45 / 40 | ``systemic_therapy_avoid`` / ``systemic_therapy_caution`` | seed 004 cautions (case level) |
| 35 | ``bone_count_contradicted`` | ``bone_metastases_count`` lower than the recorded lesions: not believed |
| 30 | ``radioresistant_histology`` | NOMS radioresistant primary (case level) |
| 20 | ``oligometastatic`` | ESTRO/ASTRO 1-5 foci (case level) |
| 20 | ``oligoprogression`` | <= 3 lesions progressing under systemic therapy (case level) |

An incomplete score keeps ``score``/``category`` None (never guessed), but its flag is raised at the level
that every completion reaches, so missing data can never hide a certain risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from apps.cases.facts import CaseFacts, LesionFacts
from apps.risk.engine.cautions import CautionLevel, systemic_therapy_cautions
from apps.risk.engine.escc import escc_assessment
from apps.risk.engine.mirels import BORDERLINE_TOTAL, IMPENDING_THRESHOLD, mirels_score
from apps.risk.engine.oligometastatic import oligometastatic_state
from apps.risk.engine.prophylaxis import high_risk_asymptomatic
from apps.risk.engine.radiosensitivity import Radiosensitivity, histology_radiosensitivity
from apps.risk.engine.results import (
    CautionsResult,
    EsccResult,
    Flag,
    HighRiskResult,
    OligometastaticResult,
    RadiosensitivityResult,
    RuleResult,
    ScoreResult,
    SinsResult,
)
from apps.risk.engine.sins import INDETERMINATE_THRESHOLD, UNSTABLE_THRESHOLD, sins_score
from apps.risk.engine.version import ENGINE_VERSION

PRIORITY: Final[dict[str, int]] = {
    "escc_high_grade": 100,
    "sins_unstable": 90,
    "mirels_impending_fracture": 80,
    "sins_indeterminate": 70,
    "mirels_borderline": 70,
    "high_risk_asymptomatic": 60,
    "high_risk_criteria_symptoms_unknown": 55,
    "escc_grade_unknown": 50,
    "sins_incomplete": 50,
    "mirels_incomplete": 50,
    "systemic_therapy_avoid": 45,
    "systemic_therapy_caution": 40,
    "bone_count_contradicted": 35,
    "radioresistant_histology": 30,
    "oligometastatic": 20,
    "oligoprogression": 20,
}


def _flag(code: str, result: RuleResult, message: str, lesion_ref: str | None) -> Flag:
    return Flag(code, result.rule, PRIORITY[code], message, result.source, lesion_ref)


def _score_flag(
    result: ScoreResult,
    ref: str,
    name: str,
    levels: tuple[tuple[int, str], ...],
    incomplete_from: int,
) -> Flag | None:
    """Flag of a points score: ``levels`` are (lowest total, flag code), most serious first."""
    if not result.applicable:
        return None
    if result.score is not None:
        low = high = result.score
        prefix, qualifier = f"{name} {result.score}", ""
    elif result.possible_range is not None:
        low, high = result.possible_range
        prefix, qualifier = f"{name} {result.recommendation}; possible {low}-{high}", "at least "
    else:
        return None
    for threshold, code in levels:
        if low >= threshold:
            category = code.removeprefix(name.lower() + "_")
            return _flag(code, result, f"{prefix}: {qualifier}{category}", ref)
    if result.score is None and high >= incomplete_from:
        return _flag(f"{name.lower()}_incomplete", result, f"{prefix}: could reach {incomplete_from}", ref)
    return None


_MIRELS_LEVELS: Final = (
    (IMPENDING_THRESHOLD, "mirels_impending_fracture"),
    (BORDERLINE_TOTAL, "mirels_borderline"),
)
_SINS_LEVELS: Final = ((UNSTABLE_THRESHOLD, "sins_unstable"), (INDETERMINATE_THRESHOLD, "sins_indeterminate"))


@dataclass(frozen=True, slots=True)
class LesionAssessment:
    """Every lesion rule's result for one lesion; rules that do not apply have ``applicable=False``."""

    lesion_ref: str
    site: str
    mirels: ScoreResult
    sins: SinsResult
    escc: EsccResult
    high_risk_asymptomatic: HighRiskResult
    engine_version: str = ENGINE_VERSION

    @property
    def results(self) -> tuple[RuleResult, ...]:
        """The applicable results only (Mirels for limbs, SINS and ESCC for the spine, high-risk if not
        symptomatic)."""
        every = (self.mirels, self.sins, self.escc, self.high_risk_asymptomatic)
        return tuple(result for result in every if result.applicable)

    def flags(self) -> tuple[Flag, ...]:
        """This lesion's flags, highest priority first (see the module docstring)."""
        ref = self.lesion_ref
        found: list[Flag] = []
        escc = self.escc
        if escc.high_grade:
            found.append(_flag("escc_high_grade", escc, escc.recommendation, ref))
        elif escc.applicable and escc.grade is None:
            found.append(_flag("escc_grade_unknown", escc, escc.recommendation, ref))
        sins_flag = _score_flag(self.sins, ref, "SINS", _SINS_LEVELS, INDETERMINATE_THRESHOLD)
        if sins_flag is not None:
            found.append(sins_flag)
        mirels_flag = _score_flag(self.mirels, ref, "Mirels", _MIRELS_LEVELS, BORDERLINE_TOTAL)
        if mirels_flag is not None:
            found.append(mirels_flag)
        high_risk = self.high_risk_asymptomatic
        if high_risk.high_risk and high_risk.symptomatic is None:
            found.append(_flag("high_risk_criteria_symptoms_unknown", high_risk, high_risk.recommendation, ref))
        elif high_risk.high_risk:
            found.append(_flag("high_risk_asymptomatic", high_risk, high_risk.recommendation, ref))
        found.sort(key=lambda flag: -flag.priority)
        return tuple(found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lesion_ref": self.lesion_ref,
            "site": self.site,
            "engine_version": self.engine_version,
            "mirels": self.mirels.to_dict(),
            "sins": self.sins.to_dict(),
            "escc": self.escc.to_dict(),
            "high_risk_asymptomatic": self.high_risk_asymptomatic.to_dict(),
            "flags": [flag.to_dict() for flag in self.flags()],
        }


def assess_lesion(
    lesion: LesionFacts,
    case: CaseFacts | None = None,
    *,
    phalanx_limb: str | None = None,
    total_paraplegia_hours: float | None = None,
) -> LesionAssessment:
    """Assess one lesion: Mirels, SINS, ESCC and the high-risk asymptomatic criteria.

    ``case`` (optional) gives ESCC its context (survival, other lesions, histology, Frankel grade and
    paraplegia hours, prior courses). ``phalanx_limb`` (an input the vocabulary lacks) and the legacy
    ``total_paraplegia_hours``: see :func:`mirels_score` and :func:`escc_assessment`. Pure and fast: no
    I/O, no copies.
    """
    # Rules that do not apply to the site answer from precomputed "not applicable" results.
    return LesionAssessment(
        lesion_ref=lesion.ref,
        site=str(lesion.site),
        mirels=mirels_score(lesion, phalanx_limb=phalanx_limb),
        sins=sins_score(lesion),
        escc=escc_assessment(lesion, case, total_paraplegia_hours=total_paraplegia_hours),
        high_risk_asymptomatic=high_risk_asymptomatic(lesion),
    )


_CAUTION_FLAG: Final[dict[str, str]] = {
    CautionLevel.AVOID: "systemic_therapy_avoid",
    CautionLevel.CAUTION: "systemic_therapy_caution",
}


def _case_flags(oligo: OligometastaticResult, sensitivity: RadiosensitivityResult, cautions: CautionsResult) -> list[Flag]:
    found: list[Flag] = []
    for caution in cautions.cautions:
        code = _CAUTION_FLAG.get(caution.level)
        if code is not None:
            found.append(Flag(code, cautions.rule, PRIORITY[code], caution.message, caution.source))
    stated, at_least = oligo.bone_metastases_count_stated, oligo.bone_metastases_at_least
    if stated is not None and stated < at_least:
        # A stated count the recorded lesions contradict: the board should correct it (clinical-rules §1b).
        message = (
            f"bone_metastases_count {stated} is lower than the {at_least} recorded lesions: not believed; "
            "the oligometastatic definitions count at least the recorded lesions until it is corrected"
        )
        found.append(_flag("bone_count_contradicted", oligo, message, None))
    if sensitivity.category == Radiosensitivity.RADIORESISTANT:
        found.append(_flag("radioresistant_histology", sensitivity, sensitivity.recommendation, None))
    if oligo.definition("estro_astro_1_to_5").status == "met":
        found.append(_flag("oligometastatic", oligo, oligo.recommendation, None))
    if oligo.oligoprogression:
        found.append(_flag("oligoprogression", oligo, oligo.definition("oligoprogression_le_3").explanation, None))
    return found


@dataclass(frozen=True, slots=True)
class CaseRiskSummary:
    """Every lesion's assessment plus the case-level results and the ranked flags."""

    case_ref: str
    lesions: tuple[LesionAssessment, ...]
    oligometastatic: OligometastaticResult
    radiosensitivity: RadiosensitivityResult
    systemic_therapy_cautions: CautionsResult
    flags: tuple[Flag, ...]
    engine_version: str = ENGINE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_ref": self.case_ref,
            "engine_version": self.engine_version,
            "lesions": [lesion.to_dict() for lesion in self.lesions],
            "oligometastatic": self.oligometastatic.to_dict(),
            "radiosensitivity": self.radiosensitivity.to_dict(),
            "systemic_therapy_cautions": self.systemic_therapy_cautions.to_dict(),
            "flags": [flag.to_dict() for flag in self.flags],
        }


def assess_case(case: CaseFacts, *, technique: str | None = None) -> CaseRiskSummary:
    """Assess every lesion of a case and the case itself (oligometastatic state, radiosensitivity,
    systemic-therapy cautions for an optional RT ``technique``); flags sorted highest priority first,
    lesion flags before case flags of equal priority and lesions in the case's order."""
    lesions = tuple(assess_lesion(lesion, case) for lesion in case.lesions)
    oligo = oligometastatic_state(case)
    sensitivity = histology_radiosensitivity(case)
    cautions = systemic_therapy_cautions(case.systemic_therapy_classes, technique)
    flags = [flag for assessment in lesions for flag in assessment.flags()]
    flags.extend(_case_flags(oligo, sensitivity, cautions))
    flags.sort(key=lambda flag: -flag.priority)
    return CaseRiskSummary(
        case_ref=case.ref,
        lesions=lesions,
        oligometastatic=oligo,
        radiosensitivity=sensitivity,
        systemic_therapy_cautions=cautions,
        flags=tuple(flags),
    )
