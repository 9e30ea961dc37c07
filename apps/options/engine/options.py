"""Treatment options per lesion and per case: the scenarios of clinical-rules.md §12, for the board to choose.

source: clinical-rules.md §4, §5, §6, §7, §8, §10, §11, §12; 000_76782ef81e029740.txt,
001_bdf9dfdfeafdf0a0.txt, 002_eaa0f11dde358788.txt, 003_694939402052979f.txt, 004_87b49d5180a7d9e0.txt
(each option cites the part it rests on in its ``evidence``).

Options are suggestions with reasons and sources; the board decides. Each names the findings that led to
it (``reasons``), its regimens from the curated catalogue with BED10 and EQD2 (alpha/beta 10, the dose
engine's LQ model), its ``cautions`` (the systemic-therapy cautions of §1b for every RT option: the risk
engine's own rule, called with the option's technique, because the stored assessment holds the answer
without a technique and T-DM1 is a caution only with radiosurgery), its ``evidence``, whether it is
``preferred`` and why, and ``urgent`` for high-grade cord compression and an impending fracture. An
option the findings rule out is either left out (listed in ``not_offered`` with the reason) or offered
with ``against`` when a board may still choose it.

The clinician's ``estimated_survival_months`` drives every preference that depends on prognosis; where the
revised Tokuhashi band disagrees with it, the options say so (``notes`` and the cautions of the options
whose preference depends on prognosis) and keep following the clinician.

Interpretation choices (docs/treatment-options.md lists them all for a clinician to confirm):

- "Limited prognosis" (single fraction preferred) and "good prognosis" (spine SBRT) are split at an
  estimated survival of 6 months, the cut-off §4 uses between 8 Gy/1 or 20 Gy/5 and 30 Gy/10 (SCORAD,
  SCORE-2). Unknown survival sets no prognosis-dependent preference.
- Tokuhashi band against the estimate: ``lt_6_months`` disagrees with 6 months or more, ``gte_6_months``
  with less than 6, ``gte_12_months`` with less than 12.
- A lesion is treated for pain when it is ``symptomatic`` or has pain recorded; a lesion recorded as
  asymptomatic with no pain gets no palliative RT option (the prophylactic and ablative options cover it).
- Cord compression: decompression then 30 Gy/10 is preferred for a Patchell candidate; RT alone for a
  patient who is not one or a radiosensitive histology; separation surgery then SBRT for a radioresistant
  histology in a patient fit for surgery whose Patchell criteria are not failed (NOMS). When the Patchell
  answer is unknown nothing in this group is preferred.
- Unstable spine (SINS 13-18) and spine-surgery opinions are not marked urgent (§12 names cord
  compression and impending fracture as the urgent scenarios).
- Re-irradiation: any lesion with ``prior_radiotherapy`` gets the re-irradiation option (individualised,
  no fixed regimen) and every other RT option of the lesion a caution.
- Bone-modifying agent: offered on every case, never preferred (renal function is not in the vocabulary).
- Tomita 8-10 adds a supportive-care option and a reason against every surgical option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from apps.cases.facts import CaseFacts, LesionFacts, PriorCourseFacts
from apps.cases.vocabulary import SPINAL_SITES
from apps.clinical.overlap import Target, course_reaches
from apps.dosimetry.engine.lq import TUMOUR_ALPHA_BETA, bed_eqd2
from apps.options.engine import sources
from apps.options.engine.findings import CaseRisk, LesionRisk, PlanEntry, RegimenEntry, TrialEntry
from apps.options.engine.noms import NomsAssessment, NomsPart, noms_assessment, painful_collapse_without_deformity, systemic
from apps.options.engine.prognosis import CasePrognosis, PrognosisResult, case_prognosis
from apps.options.engine.stored import compact
from apps.options.engine.version import ENGINE_VERSION
from apps.risk.engine.cautions import systemic_therapy_cautions

LIMITED_PROGNOSIS_MONTHS: Final = 6.0
BREAST_RADICAL_BED10_GY: Final = 75.0
MIRELS_IMPENDING: Final = 9
MIRELS_BORDERLINE: Final = 8
SINS_UNSTABLE: Final = 13
SINS_OPINION: Final = 7
CORD_PROXIMITY_MM: Final = 3.0

CONVENTIONAL_REGIMENS: Final = ("conv_8gy_1fx", "conv_20gy_5fx", "conv_30gy_10fx")
MESCC_SHORT_REGIMENS: Final = ("conv_8gy_1fx", "conv_20gy_5fx")
MESCC_LONG_REGIMENS: Final = ("conv_30gy_10fx",)
SPINE_SBRT_REGIMENS: Final = (
    "sbrt_spine_24gy_2fx",
    "sbrt_spine_28gy_2fx",
    "sbrt_spine_24gy_3fx",
    "sbrt_spine_27gy_3fx",
    "sbrt_spine_30gy_3fx",
    "sbrt_spine_30gy_5fx",
    "sbrt_spine_35gy_5fx",
    "sbrt_spine_40gy_5fx",
    "sbrt_spine_16gy_1fx",
    "sbrt_spine_18gy_1fx",
    "sbrt_spine_20gy_1fx",
    "sbrt_spine_24gy_1fx",
    "sbrt_spine_48p5gy_10fx",
)
SIB_REGIMENS: Final = ("sib_30_40gy_10fx", "sib_wv30_40gy_10fx")
POSTOP_REGIMENS: Final = ("postop_20gy_5fx", "postop_30gy_10fx")
POSTOP_SPINE_SBRT: Final = "postop_spine_sbrt_35gy_5fx"
PATCHELL_POSTOP: Final = ("postop_30gy_10fx",)
PROPHYLACTIC_REGIMENS: Final = (
    "prophylactic_30gy_10fx",
    "prophylactic_27gy_3fx",
    "prophylactic_20gy_5fx",
    "prophylactic_8gy_1fx",
)
OLIGOMETASTATIC_REGIMENS: Final = (
    "oligomet_35gy_5fx",
    "oligomet_54gy_3fx",
    "oligomet_60gy_8fx",
    "oligomet_30gy_3fx",
    "oligomet_45gy_3fx",
    "oligomet_50gy_5fx",
    "oligomet_27gy_3fx",
)
#: Haematological malignancies: not "oligometastatic" in the ESTRO/ASTRO sense, which concerns solid tumours.
HAEMATOLOGICAL: Final = frozenset({"myeloma", "lymphoma"})
#: Sites where RT alone is usual (seed 003): ribs, clavicle and the distal ulna.
RT_ALONE_SITES: Final = frozenset({"rib", "clavicle"})
#: Femoral and humeral regions where resection with endoprosthetic reconstruction is an alternative.
PROXIMAL_REGIONS: Final = frozenset({"proximal", "peritrochanteric", "femoral_head", "femoral_neck", "humeral_head"})
SURGICAL_MODALITIES: Final = frozenset({"surgery"})

#: The decision action an option starts (api-contract.md "Decisions": ``actions[].kind``).
ACTION_KIND: Final[dict[str, str]] = {
    "radiotherapy": "radiotherapy",
    "surgery": "surgery",
    "interventional": "surgery",
    "systemic": "bone_modifying_agent",
    "trial": "trial_referral",
    "supportive": "best_supportive_care",
}


# ============================================================================================ values


@dataclass(frozen=True, slots=True)
class LevelFigures:
    total_dose_gy: float
    target: str
    bed10_gy: float
    eqd2_gy: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_dose_gy": self.total_dose_gy,
            "target": self.target,
            "bed10_gy": round(self.bed10_gy, 2),
            "eqd2_gy": round(self.eqd2_gy, 2),
        }


@dataclass(frozen=True, slots=True)
class RegimenOption:
    """A catalogue regimen offered by an option, with its LQ figures at alpha/beta 10."""

    code: str
    name: str
    fractions: int
    technique: str
    levels: tuple[LevelFigures, ...]
    cautions: tuple[str, ...] = ()
    planned_in: tuple[int, ...] = ()
    meets_radical_bed10: bool | None = None

    @property
    def main(self) -> LevelFigures:
        """The highest dose level (the boost of a SIB), whose figures stand for the regimen."""
        return max(self.levels, key=lambda level: level.total_dose_gy)

    def to_dict(self) -> dict[str, Any]:
        main = self.main
        data: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "fractions": self.fractions,
            "total_dose_gy": main.total_dose_gy,
            "technique": self.technique,
            "bed10_gy": round(main.bed10_gy, 2),
            "eqd2_gy": round(main.eqd2_gy, 2),
            "cautions": list(self.cautions),
            "planned_in": list(self.planned_in),
        }
        if len(self.levels) > 1:
            data["levels"] = [level.to_dict() for level in self.levels]
        if self.meets_radical_bed10 is not None:
            data["meets_radical_bed10_75_gy"] = self.meets_radical_bed10
        return data


@dataclass(frozen=True, slots=True)
class TreatmentOption:
    code: str
    label: str
    modality: str
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    regimens: tuple[RegimenOption, ...] = ()
    cautions: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    preferred: bool = False
    preferred_reason: str = ""
    urgent: bool = False
    trial: str | None = None

    @property
    def planned_in(self) -> tuple[int, ...]:
        return tuple(sorted({plan for regimen in self.regimens for plan in regimen.planned_in}))

    def action(self) -> dict[str, Any]:
        """The decision action this option would start (the decision form pre-fills from it)."""
        action: dict[str, Any] = {"kind": ACTION_KIND[self.modality], "option": self.code}
        if self.regimens:
            action["regimen"] = self.regimens[0].code
        if self.trial:
            action["trial"] = self.trial
        return action

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "modality": self.modality,
            "regimens": [r.to_dict() for r in self.regimens],
            "reasons": list(self.reasons),
            "cautions": list(self.cautions),
            "against": list(self.against),
            "evidence": list(self.evidence),
            "preferred": self.preferred,
            "preferred_reason": self.preferred_reason,
            "urgent": self.urgent,
            "trial": self.trial,
            "planned_in": list(self.planned_in),
            "action": self.action(),
        }


@dataclass(frozen=True, slots=True)
class NotOffered:
    code: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason}


def lesion_label(lesion: LesionFacts) -> str:
    """How the board names the lesion: "thoracic spine T7-T9", "femur, peritrochanteric (left)"."""
    label = str(lesion.site).replace("_", " ")
    if lesion.level_from:
        label += f" {lesion.level_from}" + (
            f"-{lesion.level_to}" if lesion.level_to and lesion.level_to != lesion.level_from else ""
        )
    elif lesion.subsite is not None:
        label += ", " + str(lesion.subsite).replace("_", " ")
    if lesion.laterality is not None and str(lesion.laterality) != "midline":
        label += f" ({lesion.laterality})"
    return label


@dataclass(frozen=True, slots=True)
class LesionOptions:
    lesion_ref: str
    site: str
    options: tuple[TreatmentOption, ...]
    label: str = ""
    noms: NomsAssessment | None = None
    not_offered: tuple[NotOffered, ...] = ()
    notes: tuple[str, ...] = ()

    def option(self, code: str) -> TreatmentOption | None:
        return next((o for o in self.options if o.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lesion_ref": self.lesion_ref,
            "site": self.site,
            "label": self.label,
            "options": [o.to_dict() for o in self.options],
            "noms": None if self.noms is None else self.noms.to_dict(),
            "not_offered": [n.to_dict() for n in self.not_offered],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class CaseOptions:
    lesions: tuple[LesionOptions, ...]
    case: tuple[TreatmentOption, ...]
    prognosis: CasePrognosis
    not_offered: tuple[NotOffered, ...] = ()
    notes: tuple[str, ...] = ()
    engine_version: str = ENGINE_VERSION

    def lesion(self, ref: str) -> LesionOptions:
        return next(item for item in self.lesions if item.lesion_ref == ref)

    def case_option(self, code: str) -> TreatmentOption | None:
        return next((o for o in self.case if o.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """The options as the case detail shows them. Without ``prognosis``: the case detail computes it on
        read from the case as it is (``prognosis_section``), so a stored copy was never shown (issue 16)."""
        return {
            "engine_version": self.engine_version,
            "lesions": [item.to_dict() for item in self.lesions],
            "case": [o.to_dict() for o in self.case],
            "case_not_offered": [n.to_dict() for n in self.not_offered],
            "notes": list(self.notes),
        }

    def stored_dict(self) -> dict[str, Any]:
        """What ``TreatmentOptionsResult.payload`` keeps: :meth:`to_dict` with each regimen once."""
        return compact(self.to_dict())


# ============================================================================================ context


@dataclass(frozen=True, slots=True)
class OptionInputs:
    """Everything the options of a case read besides the case itself."""

    risk: CaseRisk
    catalogue: Mapping[str, RegimenEntry]
    plans: tuple[PlanEntry, ...] = ()
    trials: tuple[TrialEntry, ...] = ()


@dataclass(slots=True)
class _Context:
    case: CaseFacts
    inputs: OptionInputs
    prognosis: CasePrognosis
    systemic: NomsPart
    survival: float | None
    limited: bool | None
    prognosis_caution: str
    conventional_cautions: tuple[str, ...]
    sbrt_cautions: tuple[str, ...]
    tomita_supportive: bool
    notes: list[str] = field(default_factory=list)

    @property
    def radiosensitivity(self) -> str | None:
        return self.inputs.risk.radiosensitivity


def _cautions(case: CaseFacts, technique: str | None) -> tuple[str, ...]:
    result = systemic_therapy_cautions(case.systemic_therapy_classes, technique)
    if result.missing:
        return ("unknown: needs systemic_therapy_classes (the systemic-therapy cautions of seed 004 cannot be checked)",)
    return tuple(f"{c.level}: {c.message} ({c.source})" for c in result.cautions)


_BAND_TEXT: Final = {"lt_6_months": "< 6 months", "gte_6_months": ">= 6 months", "gte_12_months": ">= 12 months"}


def prognosis_disagreement(tokuhashi: PrognosisResult, survival: float | None) -> str:
    """A sentence when the revised Tokuhashi band disagrees with the clinician's estimate, else ''."""
    band = tokuhashi.category
    if band is None or survival is None:
        return ""
    disagrees = (
        (band == "lt_6_months" and survival >= LIMITED_PROGNOSIS_MONTHS)
        or (band == "gte_6_months" and survival < LIMITED_PROGNOSIS_MONTHS)
        or (band == "gte_12_months" and survival < 12)
    )
    if not disagrees:
        return ""
    span = tokuhashi.possible_range
    total = str(tokuhashi.score) if tokuhashi.score is not None or span is None else f"{span[0]}-{span[1]}"
    return (
        f"Revised Tokuhashi {total} predicts survival {_BAND_TEXT[band]}, which disagrees with the clinician's "
        f"estimate of {survival:g} months: preferences follow the clinician's estimate."
    )


def _context(case: CaseFacts, inputs: OptionInputs) -> _Context:
    prognosis = case_prognosis(case)
    survival = case.estimated_survival_months
    limited = None if survival is None else survival < LIMITED_PROGNOSIS_MONTHS
    ctx = _Context(
        case=case,
        inputs=inputs,
        prognosis=prognosis,
        systemic=systemic(case),
        survival=survival,
        limited=limited,
        prognosis_caution=prognosis_disagreement(prognosis.tokuhashi, survival),
        conventional_cautions=_cautions(case, None),
        sbrt_cautions=_cautions(case, "sbrt"),
        tomita_supportive=prognosis.tomita.category == "supportive_care",
    )
    if ctx.prognosis_caution:
        ctx.notes.append(ctx.prognosis_caution)
    if survival is None:
        band = prognosis.tokuhashi.category
        hint = f" (revised Tokuhashi band {_BAND_TEXT[band]})" if band else ""
        ctx.notes.append("unknown: needs estimated_survival_months: no preference that depends on prognosis is set" + hint + ".")
    return ctx


def _regimens(
    ctx: _Context, codes: Iterable[str], lesion_ref: str | None, notes: list[str], *, breast_radical: bool = False
) -> tuple[RegimenOption, ...]:
    out: list[RegimenOption] = []
    for code in codes:
        entry = ctx.inputs.catalogue.get(code)
        if entry is None:
            notes.append(f"regimen {code} is not in the active catalogue")
            continue
        levels = []
        for level in entry.levels:
            bed10, eqd2 = bed_eqd2(level.total_dose_gy, entry.fractions, TUMOUR_ALPHA_BETA)
            levels.append(LevelFigures(level.total_dose_gy, level.target, bed10, eqd2))
        if not levels:
            notes.append(f"regimen {code} has no dose level in the catalogue")
            continue
        planned = tuple(
            plan.plan_id
            for plan in ctx.inputs.plans
            if plan.regimen_code == code and (lesion_ref is None or lesion_ref in plan.target_refs)
        )
        option = RegimenOption(
            code=entry.code,
            name=entry.name,
            fractions=entry.fractions,
            technique=entry.technique,
            levels=tuple(levels),
            cautions=entry.cautions,
            planned_in=planned,
        )
        if breast_radical:
            option = replace(option, meets_radical_bed10=option.main.bed10_gy >= BREAST_RADICAL_BED10_GY)
        out.append(option)
    return tuple(out)


def _planned_reasons(regimens: Sequence[RegimenOption], plans: Sequence[PlanEntry]) -> tuple[str, ...]:
    names = {plan.plan_id: plan.name for plan in plans}
    return tuple(
        f"planned: plan {plan_id}{' ' + repr(names[plan_id]) if names.get(plan_id) else ''} uses {regimen.code}"
        for regimen in regimens
        for plan_id in regimen.planned_in
    )


# ============================================================================================ findings


def painful(lesion: LesionFacts) -> bool | None:
    """True when the lesion is symptomatic or has pain recorded, False when recorded as painless and
    asymptomatic, None when nothing is recorded (or it is only minimally symptomatic)."""
    pains = [str(p) for p in (lesion.pain, lesion.spinal_pain) if p is not None]
    symptoms = None if lesion.symptoms is None else str(lesion.symptoms)
    if lesion.symptomatic is True or symptoms == "symptomatic" or any(p != "none" for p in pains):
        return True
    if symptoms == "minimally_symptomatic":
        return None
    if lesion.symptomatic is False or symptoms == "asymptomatic" or pains:
        return False
    return None


def _symptom_reason(lesion: LesionFacts) -> str:
    state = painful(lesion)
    if state:
        return "painful / symptomatic bone metastasis"
    if lesion.symptoms is not None and str(lesion.symptoms) == "minimally_symptomatic":
        return "minimally symptomatic: palliative RT if the pain warrants it"
    return "symptoms not recorded: for a painful lesion"


def course_overlaps(lesion: LesionFacts, course: PriorCourseFacts) -> bool | None:
    """Does a prior course reach this lesion? The one anatomical overlap rule
    (``apps.clinical.overlap.course_reaches``, clinical-rules.md §7): spinal level ranges intersect; other
    sites: the same bone and side (or bilateral; sternum and skull whatever the side). None when the
    structured targets cannot decide it (no site or levels, side not recorded, the site ``other``)."""
    lesion_target = Target(
        site=None if lesion.site is None else str(lesion.site),
        level_from=lesion.level_from or None,
        level_to=lesion.level_to or None,
        laterality=None if lesion.laterality is None else str(lesion.laterality),
    )
    return course_reaches(lesion_target, course)


def _sins_text(risk: LesionRisk) -> str:
    return risk.sins.label("SINS")


def _mirels_text(risk: LesionRisk) -> str:
    return risk.mirels.label("Mirels")


def _surgery_against(ctx: _Context) -> list[str]:
    against: list[str] = []
    if ctx.systemic.assessment == "not_fit":
        against.append(f"systemic: {ctx.systemic.path}")
    if ctx.tomita_supportive:
        tomita = ctx.prognosis.tomita
        total = tomita.score if tomita.score is not None else tomita.possible_range
        against.append(f"Tomita {total}: supportive care (8-10) by Tomita's surgical strategy")
    return against


def _prognosis_cautions(ctx: _Context) -> tuple[str, ...]:
    return (ctx.prognosis_caution,) if ctx.prognosis_caution else ()


def _survival_text(ctx: _Context) -> str:
    return "unknown" if ctx.survival is None else f"{ctx.survival:g} months"


# ============================================================================================ lesion scenarios


@dataclass(slots=True)
class _LesionWork:
    lesion: LesionFacts
    risk: LesionRisk
    spinal: bool
    options: list[TreatmentOption] = field(default_factory=list)
    not_offered: list[NotOffered] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def has(self, code: str) -> bool:
        return any(o.code == code for o in self.options)


def _overlapping_courses(ctx: _Context, lesion: LesionFacts) -> tuple[list[PriorCourseFacts], list[PriorCourseFacts]]:
    """(courses that reach the lesion, courses whose overlap cannot be decided)."""
    reach, unknown = [], []
    for course in ctx.case.prior_courses:
        overlap = course_overlaps(lesion, course)
        if overlap:
            reach.append(course)
        elif overlap is None:
            unknown.append(course)
    return reach, unknown


def _irradiated(ctx: _Context, lesion: LesionFacts) -> bool:
    return bool(lesion.prior_radiotherapy) or bool(_overlapping_courses(ctx, lesion)[0])


def _rt_cautions(ctx: _Context, work: _LesionWork, technique: str | None) -> list[str]:
    cautions = list(ctx.sbrt_cautions if technique == "sbrt" else ctx.conventional_cautions)
    if _irradiated(ctx, work.lesion):
        cautions.append(
            "prior radiotherapy to this lesion: plan as a re-irradiation within the cumulative limits (clinical-rules.md §7)"
        )
    return cautions


def _mescc(ctx: _Context, work: _LesionWork) -> None:
    """High-grade cord compression (ESCC 2-3): urgent (clinical-rules.md §4, §11, §12)."""
    risk, lesion = work.risk, work.lesion
    grade = risk.escc_grade or (None if lesion.epidural_compression_grade is None else str(lesion.epidural_compression_grade))
    finding = f"ESCC {grade}: high-grade epidural spinal cord compression"
    candidate = risk.surgical_candidate
    failed = [c.explanation for c in risk.patchell_criteria if c.status == "not_met"]
    unknown = [c.code for c in risk.patchell_criteria if c.status == "unknown"]
    sensitivity = ctx.radiosensitivity
    radiosensitive = sensitivity == "radiosensitive"
    radioresistant = sensitivity == "radioresistant"
    fit = ctx.systemic.assessment
    surgery_against = _surgery_against(ctx)

    separation_preferred = radioresistant and fit == "fit" and candidate != "not_met"
    decompression_preferred = candidate == "met" and not radiosensitive and not separation_preferred
    rt_preferred = (
        candidate == "not_met" or radiosensitive or (radioresistant and fit == "not_fit")
    ) and not separation_preferred

    patchell_text = {
        "met": "Patchell criteria all met: surgical candidate",
        "not_met": "not a Patchell candidate: " + "; ".join(failed),
        "unknown": "Patchell criteria unknown: needs " + ", ".join(unknown),
    }.get(str(candidate), "Patchell criteria not assessed")

    # Decompression and stabilisation, then 30 Gy/10 (Patchell).
    against = list(surgery_against)
    if candidate == "not_met":
        against.extend(f"Patchell: {text}" for text in failed)
    if radiosensitive:
        against.append(
            "radiosensitive histology: NOMS treats it with conventional RT whatever the ESCC grade; "
            "Patchell excluded radiosensitive tumours"
        )
    if separation_preferred:
        against.append("radioresistant histology: NOMS prefers separation surgery followed by SBRT")
    regimen_notes: list[str] = []
    regimens = _regimens(ctx, PATCHELL_POSTOP, lesion.ref, regimen_notes)
    work.options.append(
        TreatmentOption(
            code="mescc_decompression_then_rt",
            label="Decompressive surgery and stabilisation, then 30 Gy in 10 fractions",
            modality="surgery",
            regimens=regimens,
            reasons=(finding, patchell_text, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(*_rt_cautions(ctx, work, None), *_prognosis_cautions(ctx), *regimen_notes),
            against=tuple(against),
            evidence=(sources.MESCC,),
            preferred=decompression_preferred,
            preferred_reason=(
                "Patchell candidate: surgery then RT kept more patients ambulatory than RT alone"
                if decompression_preferred
                else ""
            ),
            urgent=True,
        )
    )

    # NOMS: separation surgery then SBRT for a radioresistant (or possibly radioresistant) tumour.
    if not radiosensitive:
        sep_against = list(surgery_against)
        if candidate == "not_met":
            sep_against.extend(f"Patchell: {text}" for text in failed)
        reasons = [finding, f"oncologic: {sensitivity or 'radiosensitivity unknown'}"]
        if not radioresistant:
            reasons.append("NOMS path for a radioresistant tumour: shown because the histology is not known to be radiosensitive")
        regimen_notes = []
        regimens = _regimens(ctx, (POSTOP_SPINE_SBRT,), lesion.ref, regimen_notes)
        work.options.append(
            TreatmentOption(
                code="separation_surgery_then_sbrt",
                label="Separation surgery, then spine SBRT",
                modality="surgery",
                regimens=regimens,
                reasons=(*reasons, f"systemic: {ctx.systemic.path}", *_planned_reasons(regimens, ctx.inputs.plans)),
                cautions=(*_rt_cautions(ctx, work, "sbrt"), *_prognosis_cautions(ctx), *regimen_notes),
                against=tuple(sep_against),
                evidence=(sources.NOMS,),
                preferred=separation_preferred,
                preferred_reason=(
                    "radioresistant histology, high-grade ESCC, fit for surgery: NOMS separation surgery then SBRT"
                    if separation_preferred
                    else ""
                ),
                urgent=True,
            )
        )

    # Radiotherapy alone: 8 Gy/1 or 20 Gy/5 with survival < 6 months, 30 Gy/10 when longer.
    if ctx.limited is True:
        codes: tuple[str, ...] = MESCC_SHORT_REGIMENS
        fraction_reason = f"estimated survival {_survival_text(ctx)} (< 6): 8 Gy/1 or 20 Gy/5 (SCORAD, SCORE-2)"
    elif ctx.limited is False:
        codes = MESCC_LONG_REGIMENS
        fraction_reason = f"estimated survival {_survival_text(ctx)} (>= 6): 30 Gy/10 (SCORE-2)"
    else:
        codes = (*MESCC_SHORT_REGIMENS, *MESCC_LONG_REGIMENS)
        fraction_reason = "unknown: needs estimated_survival_months (8 Gy/1 or 20 Gy/5 below 6 months, 30 Gy/10 above)"
    rt_against = []
    if candidate == "met" and not radiosensitive:
        rt_against.append("Patchell candidate: decompressive surgery plus RT improved ambulation over RT alone")
    rt_reasons = [finding, fraction_reason]
    if radiosensitive:
        rt_reasons.append("radiosensitive histology: conventional RT whatever the ESCC grade (NOMS)")
    elif radioresistant and fit == "not_fit":
        rt_reasons.append("radioresistant histology, not fit for surgery: conventional RT (NOMS)")
    regimen_notes = []
    regimens = _regimens(ctx, codes, lesion.ref, regimen_notes)
    if rt_preferred:
        why = (
            "radiosensitive histology (NOMS)"
            if radiosensitive
            else ("not a surgical candidate" if candidate == "not_met" or fit == "not_fit" else "")
        )
        rt_reason = f"{why}: radiotherapy alone, {fraction_reason}"
    else:
        rt_reason = ""
    work.options.append(
        TreatmentOption(
            code="mescc_radiotherapy",
            label="Radiotherapy for cord compression",
            modality="radiotherapy",
            regimens=regimens,
            reasons=(*rt_reasons, patchell_text, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(*_rt_cautions(ctx, work, None), *_prognosis_cautions(ctx), *regimen_notes),
            against=tuple(rt_against),
            evidence=(sources.MESCC, sources.NOMS),
            preferred=rt_preferred,
            preferred_reason=rt_reason,
            urgent=True,
        )
    )
    work.not_offered.append(NotOffered("conventional_rt", "high-grade cord compression: see the cord-compression options"))
    work.not_offered.append(
        NotOffered(
            "spine_sbrt",
            "high-grade cord compression: SBRT alone is for spines without high-grade compression "
            "(after separation surgery only)",
        )
    )


def _needs_pain_treatment(ctx: _Context, work: _LesionWork) -> bool:
    state = painful(work.lesion)
    if state is False:
        work.not_offered.append(
            NotOffered(
                "conventional_rt",
                "recorded as asymptomatic and painless: no palliative RT indication (see prophylactic and ablative options)",
            )
        )
        if work.spinal:
            work.not_offered.append(
                NotOffered("spine_sbrt", "recorded as asymptomatic and painless: no palliative SBRT indication")
            )
        return False
    return True


def _conventional(ctx: _Context, work: _LesionWork, sbrt_preferred: bool) -> None:
    """Uncomplicated painful metastasis: 8 Gy/1, 20 Gy/5 or 30 Gy/10 (seed 001 Table 1, §8.3; seed 000)."""
    lesion, risk = work.lesion, work.risk
    reasons = []
    reasons.append(_symptom_reason(lesion))
    against: list[str] = []
    # A fracture risk or an unstable spine sends the lesion to a surgeon first, unless the patient cannot
    # have surgery: then radiotherapy alone is what remains, and it may be preferred again.
    surgical_first = False
    if risk.mirels.applicable:
        impending = risk.mirels.at_least(MIRELS_IMPENDING)
        if impending:
            against.append(f"{_mirels_text(risk)}: impending fracture, fixation first (RT alone does not prevent the fracture)")
            surgical_first = True
        elif risk.mirels.at_least(MIRELS_BORDERLINE) is not False:
            against.append(f"{_mirels_text(risk)}: surgical opinion before RT alone")
            surgical_first = True
        else:
            reasons.append(f"{_mirels_text(risk)} (<= 7): radiotherapy and observation")
    if work.spinal and risk.sins.at_least(SINS_UNSTABLE):
        against.append(f"{_sins_text(risk)}: unstable, stabilisation before or with RT")
        surgical_first = True
    not_fit = ctx.systemic.assessment == "not_fit"
    if surgical_first and not_fit:
        reasons.append(f"{ctx.systemic.path}: radiotherapy without surgery")
    blocked = (surgical_first and not not_fit) or bool(lesion.prior_surgery)
    if lesion.prior_surgery:
        against.append("after surgery: the postoperative RT option applies")
    site = str(lesion.site)
    if site in RT_ALONE_SITES or (site == "ulna" and lesion.subsite is not None and str(lesion.subsite) == "distal"):
        reasons.append("ribs, clavicle, distal ulna: usually RT alone (seed 003)")
    if ctx.radiosensitivity == "radiosensitive" and work.spinal:
        reasons.append("radiosensitive histology: conventional RT (NOMS)")
    codes = CONVENTIONAL_REGIMENS
    preferred, why = False, ""
    # An asymptomatic or minimally symptomatic high-risk lesion is the prophylactic-RT scenario (§5),
    # whose option carries the preference: palliative RT stays on offer for pain that develops.
    prophylactic_scenario = risk.high_risk and risk.high_risk_symptomatic is False
    if prophylactic_scenario:
        reasons.append("high-risk lesion without symptoms that need palliation: see prophylactic RT")
    if not blocked and not sbrt_preferred and not prophylactic_scenario:
        if ctx.limited is True:
            preferred, why = True, f"limited prognosis (estimated survival {_survival_text(ctx)} < 6): a single fraction, 8 Gy/1"
        elif not work.spinal and ctx.limited is False:
            preferred = True
            why = (
                "uncomplicated painful metastasis: conventional RT; a multi-fraction regimen when long-term "
                "local control is wanted"
            )
        elif not work.spinal:
            preferred = True
            why = "uncomplicated painful metastasis: conventional RT (the fraction count needs estimated_survival_months)"
        elif ctx.radiosensitivity == "radiosensitive":
            preferred, why = True, "radiosensitive histology: conventional RT whatever the ESCC grade (NOMS)"
        elif surgical_first and not_fit:
            preferred, why = True, "not fit for surgery: conventional RT"
    regimen_notes: list[str] = []
    regimens = _regimens(ctx, codes, lesion.ref, regimen_notes)
    work.options.append(
        TreatmentOption(
            code="conventional_rt",
            label="Conventional radiotherapy (8 Gy/1, 20 Gy/5 or 30 Gy/10)",
            modality="radiotherapy",
            regimens=regimens,
            reasons=(*reasons, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(*_rt_cautions(ctx, work, None), *_prognosis_cautions(ctx), *regimen_notes),
            against=tuple(against),
            evidence=(sources.UNCOMPLICATED,),
            preferred=preferred,
            preferred_reason=why,
        )
    )


def _spine_sbrt_preferred(ctx: _Context, work: _LesionWork) -> tuple[bool, str]:
    lesion, risk = work.lesion, work.risk
    grade = None if lesion.epidural_compression_grade is None else str(lesion.epidural_compression_grade)
    low_grade = grade in ("0", "1a", "1b", "1c")
    if not low_grade or ctx.limited is not False or ctx.radiosensitivity == "radiosensitive":
        return False, ""
    if risk.sins.at_least(SINS_UNSTABLE) is not False or lesion.prior_surgery:
        return False, ""
    if ctx.radiosensitivity == "radioresistant":
        return True, "radioresistant histology, low-grade ESCC: SBRT (NOMS); 24 Gy/2 has the best randomized evidence (SC24)"
    return True, f"spinal metastasis, good prognosis ({_survival_text(ctx)}), no high-grade compression: SBRT 24 Gy/2 (SC24)"


def _spine_sbrt(ctx: _Context, work: _LesionWork, preferred: bool, why: str) -> None:
    """Spinal metastasis, good prognosis, no high-grade compression: SBRT (seed 000; clinical-rules.md §12)."""
    lesion, risk = work.lesion, work.risk
    grade = None if lesion.epidural_compression_grade is None else str(lesion.epidural_compression_grade)
    reasons = [f"spinal metastasis, ESCC {grade}" if grade is not None else "spinal metastasis"]
    against: list[str] = []
    if grade is None:
        against.append("unknown: needs epidural_compression_grade (SBRT alone is for no high-grade compression)")
    if ctx.limited is True:
        against.append(
            f"limited prognosis (estimated survival {_survival_text(ctx)} < 6): SBRT's advantage is durable "
            "control with longer survival"
        )
    elif ctx.limited is None:
        against.append("unknown: needs estimated_survival_months (SBRT is for a good prognosis)")
    if ctx.radiosensitivity == "radiosensitive":
        against.append("radiosensitive histology: conventional RT controls it (NOMS)")
    elif ctx.radiosensitivity == "radioresistant":
        reasons.append("radioresistant histology: SBRT is the NOMS path for low-grade ESCC")
    if risk.sins.at_least(SINS_UNSTABLE):
        against.append(f"{_sins_text(risk)}: unstable, stabilisation first")
    cautions = list(_rt_cautions(ctx, work, "sbrt"))
    if risk.sins.at_least(SINS_OPINION) is not False:
        cautions.append(f"{_sins_text(risk)}: vertebral compression fracture risk after SBRT; spine-surgery opinion (SINS >= 7)")
    cautions.append(
        "spinal cord point-maximum within the SBRT limits (constraint set sbrt_spinal_cord_pmax, clinical-rules.md §7)"
    )
    distance = lesion.distance_to_spinal_cord_mm
    if distance is not None and distance < CORD_PROXIMITY_MM:
        cautions.append(f"lesion {distance:g} mm from the spinal cord (< 3 mm): SBRT dose to the target is limited by the cord")
    regimen_notes: list[str] = []
    regimens = _regimens(ctx, SPINE_SBRT_REGIMENS, lesion.ref, regimen_notes)
    work.options.append(
        TreatmentOption(
            code="spine_sbrt",
            label="Spine SBRT (24 Gy/2 or another spine SBRT regimen)",
            modality="radiotherapy",
            regimens=regimens,
            reasons=(*reasons, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(*cautions, *_prognosis_cautions(ctx), *regimen_notes),
            against=tuple(against),
            evidence=(sources.SPINE_SBRT, sources.NOMS),
            preferred=preferred,
            preferred_reason=why,
        )
    )


def _spine_sib(ctx: _Context, work: _LesionWork) -> None:
    """30/40 Gy SIB in 10 fractions (IMRT), where SBRT does not suit: an epidural (intraspinal) component, a
    lesion close to the cord, or a radioresistant histology (002_eaa0f11dde358788.txt; clinical-rules.md §8).

    Not a §12 scenario of its own: offered beside spine SBRT as the seed's alternative, never preferred.
    """
    lesion = work.lesion
    grade = None if lesion.epidural_compression_grade is None else str(lesion.epidural_compression_grade)
    distance = lesion.distance_to_spinal_cord_mm
    reasons = []
    if grade in ("1a", "1b", "1c"):
        reasons.append(f"ESCC {grade}: vertebral body metastasis with an intraspinal component")
    if distance is not None and distance < CORD_PROXIMITY_MM:
        reasons.append(f"{distance:g} mm from the spinal cord: SBRT target dose limited by the cord")
    if ctx.radiosensitivity == "radioresistant":
        reasons.append("radioresistant histology")
    if not reasons:
        return
    regimen_notes: list[str] = []
    regimens = _regimens(ctx, SIB_REGIMENS, lesion.ref, regimen_notes)
    work.options.append(
        TreatmentOption(
            code="spine_sib",
            label="Simultaneous integrated boost 30/40 Gy in 10 fractions (IMRT), when SBRT does not suit",
            modality="radiotherapy",
            regimens=regimens,
            reasons=(*reasons, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(
                *_rt_cautions(ctx, work, None),
                "spinal cord constraint (34 Gy in 10 fractions, EQD2 50 Gy at alpha/beta 0.87) has priority over GTV40 coverage",
                *regimen_notes,
            ),
            evidence=(sources.SIB,),
        )
    )


def _spine_mechanics(ctx: _Context, work: _LesionWork) -> None:
    """SINS 13-18: stabilisation plus RT; 7-12: spine-surgery opinion; cement augmentation (§11, §12)."""
    lesion, risk = work.lesion, work.risk
    unstable = risk.sins.at_least(SINS_UNSTABLE)
    opinion = risk.sins.at_least(SINS_OPINION)
    fit = ctx.systemic.assessment
    collapse = painful_collapse_without_deformity(lesion)
    if unstable:
        against = _surgery_against(ctx)
        regimen_notes: list[str] = []
        regimens = _regimens(ctx, (*POSTOP_REGIMENS, POSTOP_SPINE_SBRT), lesion.ref, regimen_notes)
        preferred = fit != "not_fit" and not ctx.tomita_supportive
        work.options.append(
            TreatmentOption(
                code="spinal_stabilisation",
                label="Spinal stabilisation, with radiotherapy",
                modality="surgery",
                regimens=regimens,
                reasons=(f"{_sins_text(risk)}: unstable (13-18)", f"systemic: {ctx.systemic.path}"),
                cautions=(*_rt_cautions(ctx, work, None), *regimen_notes),
                against=tuple(against),
                evidence=(sources.SINS_SURGERY, sources.NOMS),
                preferred=preferred,
                preferred_reason="SINS unstable: stabilisation before or with RT" if preferred else "",
            )
        )
    elif opinion is not False:
        certain = opinion is True
        reasons = [
            f"{_sins_text(risk)}: potentially unstable (7-12), spine-surgery consultation"
            if certain and unstable is False
            else f"{_sins_text(risk)}: could be 7 or more"
            + (
                " and could be unstable (13 or more)"
                if unstable is None and risk.sins.possible_range and risk.sins.possible_range[1] >= SINS_UNSTABLE
                else ""
            )
        ]
        against = _surgery_against(ctx)
        if not certain:
            against.append("unknown: complete the SINS (a score below 7 needs no consultation)")
        preferred = certain and fit != "not_fit"
        work.options.append(
            TreatmentOption(
                code="spine_surgery_opinion",
                label="Spine-surgery opinion",
                modality="surgery",
                reasons=tuple(reasons),
                against=tuple(against),
                evidence=(sources.SINS_SURGERY,),
                preferred=preferred,
                preferred_reason="SINS 7 or more calls for a spine-surgery consultation" if preferred else "",
            )
        )
    # Cement augmentation: painful collapse without deformity, or a spine unsuitable for open surgery.
    if opinion is True and (collapse or fit == "not_fit"):
        reasons = [f"{_sins_text(risk)}"]
        if collapse:
            reasons.append("painful vertebral collapse without deformity")
        if fit == "not_fit":
            reasons.append(f"unsuitable for open surgery ({ctx.systemic.path})")
        preferred = bool(unstable) and (fit == "not_fit" or ctx.tomita_supportive)
        work.options.append(
            TreatmentOption(
                code="cement_augmentation",
                label="Cement augmentation (vertebroplasty / kyphoplasty) or ablation, combined with RT",
                modality="interventional",
                reasons=tuple(reasons),
                cautions=("combine with radiotherapy (see the RT options of this lesion)",),
                evidence=(sources.CEMENT, sources.NOMS),
                preferred=preferred,
                preferred_reason="unstable spine in a patient unsuitable for open surgery: cement augmentation"
                if preferred
                else "",
            )
        )


def _long_bone(ctx: _Context, work: _LesionWork) -> None:
    """Mirels >= 9: prophylactic fixation then postoperative RT; 8: surgical opinion (seed 003 §3.4)."""
    lesion, risk = work.lesion, work.risk
    impending = risk.mirels.at_least(MIRELS_IMPENDING)
    borderline = risk.mirels.at_least(MIRELS_BORDERLINE)
    site = str(lesion.site)
    rt_alone = site in RT_ALONE_SITES or (site == "ulna" and lesion.subsite is not None and str(lesion.subsite) == "distal")
    if impending:
        reasons = [f"{_mirels_text(risk)}: impending fracture (>= 9)", "prophylactic fixation, e.g. intramedullary nailing"]
        if site in ("femur", "humerus") and lesion.subsite is not None and str(lesion.subsite) in PROXIMAL_REGIONS:
            reasons.append(
                "proximal femoral / humeral lesion: resection with endoprosthetic reconstruction when solitary or large "
                "with a long life expectancy"
            )
        against = _surgery_against(ctx)
        if rt_alone:
            against.append("ribs, clavicle, distal ulna: usually RT alone (seed 003)")
        regimen_notes: list[str] = []
        regimens = _regimens(ctx, POSTOP_REGIMENS, lesion.ref, regimen_notes)
        preferred = ctx.systemic.assessment != "not_fit" and not rt_alone
        work.options.append(
            TreatmentOption(
                code="prophylactic_fixation",
                label="Prophylactic fixation, then postoperative RT 20-30 Gy in 5-10 fractions",
                modality="surgery",
                regimens=regimens,
                reasons=(*reasons, *_planned_reasons(regimens, ctx.inputs.plans)),
                cautions=(*_rt_cautions(ctx, work, None), *_prognosis_cautions(ctx), *regimen_notes),
                against=tuple(against),
                evidence=(sources.MIRELS_SURGERY,),
                preferred=preferred,
                preferred_reason="Mirels >= 9: prophylactic fixation recommended" if preferred else "",
                urgent=True,
            )
        )
    elif borderline is not False:
        certain = borderline is True
        text = (
            f"{_mirels_text(risk)}: borderline (8), clinical judgement"
            if certain and impending is False
            else f"{_mirels_text(risk)}: could be 8 or more"
        )
        against = _surgery_against(ctx)
        if not certain:
            against.append("unknown: complete the Mirels score (7 or less: RT and observation)")
        preferred = certain and ctx.systemic.assessment != "not_fit"
        work.options.append(
            TreatmentOption(
                code="orthopaedic_surgical_opinion",
                label="Orthopaedic surgical opinion",
                modality="surgery",
                reasons=(text,),
                against=tuple(against),
                evidence=(sources.MIRELS_SURGERY,),
                preferred=preferred,
                preferred_reason="Mirels 8 or more: surgical opinion" if preferred else "",
                # Could be >= 9 (an impending fracture): urgent like one until the score is complete.
                urgent=impending is None and certain,
            )
        )


def _pelvis(ctx: _Context, work: _LesionWork) -> None:
    """Pelvic lesions unsuitable for open surgery: cement augmentation or ablation with RT (seed 003)."""
    if str(work.lesion.site) != "pelvis" or painful(work.lesion) is False:
        return
    reasons = ["pelvic lesion: cement augmentation or ablation combined with RT when unsuitable for open surgery"]
    if ctx.systemic.assessment == "not_fit":
        reasons.append(f"unsuitable for open surgery ({ctx.systemic.path})")
    work.options.append(
        TreatmentOption(
            code="cement_augmentation",
            label="Cement augmentation (cementoplasty) or ablation, combined with RT",
            modality="interventional",
            reasons=tuple(reasons),
            cautions=("combine with radiotherapy (see the RT options of this lesion)",),
            evidence=(sources.CEMENT,),
        )
    )


def _postoperative(ctx: _Context, work: _LesionWork) -> None:
    """After surgery: 20-30 Gy in 5-10 fractions; spine 35 Gy/5 SBRT (seed 001 Table 1; seed 000)."""
    lesion = work.lesion
    if not lesion.prior_surgery:
        return
    codes = (*POSTOP_REGIMENS, POSTOP_SPINE_SBRT) if work.spinal else POSTOP_REGIMENS
    regimen_notes: list[str] = []
    regimens = _regimens(ctx, codes, lesion.ref, regimen_notes)
    work.options.append(
        TreatmentOption(
            code="postoperative_rt",
            label="Postoperative radiotherapy (20-30 Gy in 5-10 fractions)",
            modality="radiotherapy",
            regimens=regimens,
            reasons=("prior surgery at this lesion", *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(*_rt_cautions(ctx, work, None), *regimen_notes),
            evidence=(sources.POSTOPERATIVE,),
            preferred=True,
            preferred_reason="after surgery: RT reduces recurrence around the hardware",
        )
    )


def _prophylactic(ctx: _Context, work: _LesionWork) -> None:
    """High-risk asymptomatic lesion (§5): prophylactic RT 30 Gy/10, 27 Gy/3, 20 Gy/5 or 8 Gy/1 (seed 000)."""
    risk, lesion = work.risk, work.lesion
    if not risk.high_risk:
        return
    symptoms = None if lesion.symptoms is None else str(lesion.symptoms)
    if lesion.symptomatic is True or symptoms == "symptomatic":
        work.not_offered.append(
            NotOffered(
                "prophylactic_rt", "symptomatic lesion: prophylactic RT is for asymptomatic or minimally symptomatic lesions"
            )
        )
        return
    reasons = ["high-risk criteria met: " + ", ".join(risk.high_risk_criteria)]
    against: list[str] = []
    if risk.high_risk_symptomatic is None and painful(lesion):
        against.append(
            "pain recorded: the trial enrolled asymptomatic or minimally symptomatic lesions (see the palliative options)"
        )
    elif risk.high_risk_symptomatic is None:
        against.append("unknown: needs symptomatic (the trial enrolled asymptomatic or minimally symptomatic lesions)")
    elif risk.high_risk_symptomatic is False:
        reasons.append("asymptomatic or minimally symptomatic")
    regimen_notes: list[str] = []
    regimens = _regimens(ctx, PROPHYLACTIC_REGIMENS, work.lesion.ref, regimen_notes)
    preferred = risk.high_risk_symptomatic is False
    work.options.append(
        TreatmentOption(
            code="prophylactic_rt",
            label="Prophylactic radiotherapy of a high-risk asymptomatic lesion",
            modality="radiotherapy",
            regimens=regimens,
            reasons=(*reasons, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(
                *_rt_cautions(ctx, work, None),
                "the trial (NCT03523351) enrolled patients with more than 5 sites of disease and treated up to "
                "5 high-risk lesions",
                *regimen_notes,
            ),
            against=tuple(against),
            evidence=(sources.PROPHYLACTIC,),
            preferred=preferred,
            preferred_reason="high-risk asymptomatic lesion: prophylactic RT reduced skeletal events (1.6 % vs 29 % at 1 year)"
            if preferred
            else "",
        )
    )


def _course_label(course: PriorCourseFacts) -> str:
    when = f" on {course.date.isoformat()}" if course.date else ""
    return f"{course.region or 'region not given'} {course.total_dose_gy:g} Gy/{course.fractions}{when}"


def _reirradiation(ctx: _Context, work: _LesionWork) -> None:
    """Re-irradiation: SBRT or IMRT, individualised, within the cumulative cord limits (seed 001 Table 1).

    Offered when the lesion is recorded as irradiated or a prior course reaches it anatomically; a course
    whose overlap cannot be decided is named as "overlap unknown" on the lesion, never dropped."""
    reach, unknown = _overlapping_courses(ctx, work.lesion)
    for course in unknown:
        work.notes.append(f"prior course {_course_label(course)}: overlap unknown (needs its site and levels or laterality)")
    if not work.lesion.prior_radiotherapy and not reach:
        return
    reasons = ["prior radiotherapy to this lesion"]
    if reach:
        reasons.append("prior courses reaching it: " + "; ".join(_course_label(c) for c in reach))
    work.options.append(
        TreatmentOption(
            code="reirradiation",
            label="Re-irradiation (SBRT or IMRT, individualised)",
            modality="radiotherapy",
            reasons=tuple(reasons),
            cautions=(
                *ctx.sbrt_cautions,
                "spinal cord re-irradiation with SBRT (Sahgal 2012): cumulative EQD2 <= 70 Gy, SBRT course <= 25 Gy, "
                "SBRT course <= 50 % of the cumulative, >= 5 months since the previous course (clinical-rules.md §7)",
            ),
            evidence=(sources.REIRRADIATION,),
        )
    )


def _plan_notes(ctx: _Context, work: _LesionWork) -> None:
    offered = {r.code for option in work.options for r in option.regimens}
    for plan in ctx.inputs.plans:
        if work.lesion.ref not in plan.target_refs:
            continue
        if not plan.regimen_code:
            work.notes.append(f"plan {plan.plan_id} {plan.name!r} uses custom dose levels: compare them with the options")
        elif plan.regimen_code not in offered:
            work.notes.append(
                f"plan {plan.plan_id} {plan.name!r} uses {plan.regimen_code}, which none of the options for this lesion "
                "lists: the board should confirm its indication"
            )


def lesion_options(lesion: LesionFacts, ctx: _Context) -> LesionOptions:
    risk = ctx.inputs.risk.lesion(lesion.ref)
    spinal = lesion.site in SPINAL_SITES
    work = _LesionWork(lesion=lesion, risk=risk, spinal=spinal)
    if lesion.ref not in ctx.inputs.risk.lesions:
        work.notes.append("unknown: no stored risk findings for this lesion yet (Mirels, SINS, ESCC): options may be missing")
    noms = noms_assessment(lesion, ctx.case, risk, ctx.radiosensitivity) if spinal else None
    high_grade = spinal and (risk.escc_high_grade is True or str(lesion.epidural_compression_grade) in ("2", "3"))
    if high_grade:
        _mescc(ctx, work)
    elif _needs_pain_treatment(ctx, work):
        sbrt_preferred, why = _spine_sbrt_preferred(ctx, work) if spinal else (False, "")
        _conventional(ctx, work, sbrt_preferred)
        if spinal:
            _spine_sbrt(ctx, work, sbrt_preferred, why)
            _spine_sib(ctx, work)
    if spinal:
        if lesion.epidural_compression_grade is None:
            work.notes.append("unknown: needs epidural_compression_grade (grade 2-3 would be urgent cord compression)")
        _spine_mechanics(ctx, work)
    if risk.mirels.applicable:
        _long_bone(ctx, work)
    _pelvis(ctx, work)
    _postoperative(ctx, work)
    _prophylactic(ctx, work)
    _reirradiation(ctx, work)
    _plan_notes(ctx, work)
    return LesionOptions(
        lesion_ref=lesion.ref,
        site=str(lesion.site),
        label=lesion_label(lesion),
        options=tuple(work.options),
        noms=noms,
        not_offered=tuple(work.not_offered),
        notes=tuple(work.notes),
    )


# ============================================================================================ case scenarios


def _oligometastatic(ctx: _Context, options: list[TreatmentOption], not_offered: list[NotOffered]) -> None:
    """Oligometastatic disease with a controlled primary: ablative SBRT to every site (seed 003, 004)."""
    risk, case = ctx.inputs.risk, ctx.case
    status = risk.oligometastatic_1_to_5
    if status == "not_met":
        not_offered.append(NotOffered("oligometastatic_sbrt", f"not oligometastatic: {risk.oligometastatic_explanation}"))
        return
    if status != "met":
        not_offered.append(
            NotOffered(
                "oligometastatic_sbrt", "oligometastatic state unknown: needs bone_metastases_count, visceral_metastases_count"
            )
        )
        return
    if case.primary_controlled is False:
        not_offered.append(
            NotOffered("oligometastatic_sbrt", "primary not controlled: ablative treatment of every site is not indicated")
        )
        return
    breast = case.primary_histology is not None and str(case.primary_histology) == "breast"
    reasons = [f"oligometastatic (ESTRO/ASTRO 1-5 foci): {risk.oligometastatic_explanation}"]
    if risk.estro_eortc_class:
        reasons.append(f"ESTRO/EORTC class: {risk.estro_eortc_class}")
    against: list[str] = []
    if case.primary_controlled is None:
        against.append("unknown: needs primary_controlled")
    else:
        reasons.append("primary controlled")
    if ctx.limited is True:
        against.append(f"limited prognosis (estimated survival {_survival_text(ctx)} < 6): ablative intent is unlikely to help")
    elif ctx.limited is None:
        against.append("unknown: needs estimated_survival_months")
    histology = None if case.primary_histology is None else str(case.primary_histology)
    haematological = histology in HAEMATOLOGICAL
    if haematological:
        against.append(f"{histology}: a haematological malignancy; the oligometastatic paradigm concerns solid tumours")
    notes: list[str] = []
    regimens = _regimens(ctx, OLIGOMETASTATIC_REGIMENS, None, notes, breast_radical=breast)
    if breast:
        meeting = [r.code for r in regimens if r.meets_radical_bed10]
        reasons.append(
            f"breast cancer: BED10 >= 75 Gy for radical intent (seed 004): met by {', '.join(meeting) or 'none listed'}"
        )
    if any(lesion.site in SPINAL_SITES for lesion in case.lesions):
        reasons.append("spinal sites: the spine SBRT regimens and the spinal-cord limits apply to them")
    if ctx.inputs.risk.oligoprogression:
        reasons.append("oligoprogression (<= 3 progressing lesions under systemic therapy)")
    preferred = case.primary_controlled is True and ctx.limited is False and not haematological
    options.append(
        TreatmentOption(
            code="oligometastatic_sbrt",
            label="Ablative SBRT to every metastatic site",
            modality="radiotherapy",
            regimens=regimens,
            reasons=(*reasons, *_planned_reasons(regimens, ctx.inputs.plans)),
            cautions=(
                *ctx.sbrt_cautions,
                "all oligometastases must be treated, not just one (seed 003)",
                *_prognosis_cautions(ctx),
                *notes,
            ),
            against=tuple(against),
            evidence=(sources.OLIGOMETASTATIC,),
            preferred=preferred,
            preferred_reason=(
                "oligometastatic, controlled primary, good prognosis: ablative SBRT to every site" if preferred else ""
            ),
        )
    )


def _trials(ctx: _Context, options: list[TreatmentOption]) -> None:
    for trial in ctx.inputs.trials:
        if trial.eligibility not in ("eligible", "possibly_eligible"):
            continue
        against = () if trial.recruiting else (f"not recruiting (status {trial.status})",)
        options.append(
            TreatmentOption(
                code="trial_referral",
                label=f"Refer to {trial.short_name} ({trial.identifier})",
                modality="trial",
                reasons=(f"trial match: {trial.eligibility.replace('_', ' ')}",),
                against=against,
                evidence=(sources.TRIALS,),
                trial=trial.identifier,
            )
        )


def _bone_modifying_agent(ctx: _Context, options: list[TreatmentOption]) -> None:
    classes = ctx.case.systemic_therapy_classes
    on_agent = classes is not None and any(str(c) == "bone_modifying_agent" for c in classes)
    cautions = ["renal function is not recorded: check it before a bisphosphonate or denosumab"]
    if ctx.limited is True:
        cautions.append(f"limited life expectancy ({_survival_text(ctx)}): the benefit needs adequate life expectancy")
    options.append(
        TreatmentOption(
            code="bone_modifying_agent",
            label="Continue the bone-modifying agent" if on_agent else "Bone-modifying agent (bisphosphonate or denosumab)",
            modality="systemic",
            reasons=(
                "bone metastases: bone-modifying agents reduce skeletal-related events",
                *(("already on a bone-modifying agent",) if on_agent else ()),
            ),
            cautions=tuple(cautions),
            evidence=(sources.BONE_MODIFYING,),
        )
    )


def _supportive(ctx: _Context, options: list[TreatmentOption]) -> None:
    if not ctx.tomita_supportive:
        return
    tomita = ctx.prognosis.tomita
    total = tomita.score if tomita.score is not None else tomita.possible_range
    options.append(
        TreatmentOption(
            code="supportive_care",
            label="Best supportive care",
            modality="supportive",
            reasons=(f"Tomita {total}: supportive care (8-10)",),
            cautions=_prognosis_cautions(ctx),
            evidence=(sources.TOMITA,),
        )
    )


def treatment_options(case: CaseFacts, inputs: OptionInputs) -> CaseOptions:
    """Every lesion's options (with NOMS for spinal lesions) and the case-level options."""
    ctx = _context(case, inputs)
    lesions = tuple(lesion_options(lesion, ctx) for lesion in case.lesions)
    case_level: list[TreatmentOption] = []
    not_offered: list[NotOffered] = []
    _oligometastatic(ctx, case_level, not_offered)
    _trials(ctx, case_level)
    _bone_modifying_agent(ctx, case_level)
    _supportive(ctx, case_level)
    return CaseOptions(
        lesions=lesions,
        case=tuple(case_level),
        prognosis=ctx.prognosis,
        not_offered=tuple(not_offered),
        notes=tuple(ctx.notes),
    )
