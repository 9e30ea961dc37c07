"""NOMS assessment of a spinal lesion: neurologic, oncologic, mechanical, systemic.

source: clinical-rules.md §11; Laufer I et al., "The NOMS framework: approach to the treatment of spinal
metastatic tumors", Oncologist 2013;18:744-751; 000_76782ef81e029740.txt; 002_eaa0f11dde358788.txt.

- Neurologic: ESCC (Bilsky) grade ``0``-``1c`` low grade, ``2``-``3`` high grade.
- Oncologic: radiosensitivity of the histology to conventional RT (the stored risk finding, table of
  clinical-rules.md §1b).
- Mechanical: SINS 13-18 unstable (stabilisation: surgery or, for a painful collapse without deformity,
  cement augmentation); 7-12 a spine-surgery opinion; 0-6 stable.
- Systemic: can the patient tolerate surgery.
- Paths: radiosensitive -> conventional RT whatever the ESCC grade; radioresistant + low grade -> SBRT;
  radioresistant + high grade + fit -> separation surgery then SBRT; radioresistant + high grade + not fit
  -> conventional RT; instability -> stabilisation as well. Intermediate (or unknown) histology: both
  paths, saying why.

Interpretation choices (docs/treatment-options.md; a clinician should confirm):

- Systemic fitness for surgery has no published cut-off in NOMS. Here: ``not_fit`` when the clinician's
  ``estimated_survival_months`` is 3 or less (Patchell's survival criterion, clinical-rules.md §4) or the
  performance status is poor (ECOG 3-4 or Karnofsky 50 or less); ``fit`` when survival is more than
  3 months and ECOG 0-2 (or, without ECOG, Karnofsky 60 or more); otherwise unknown. Co-morbidity is not in
  the vocabulary: every systemic answer says the board must weigh it.
- "Painful collapse without deformity": ``vertebral_collapse`` ``lt50_collapse`` or ``gt50_collapse``
  with ``alignment`` ``normal`` and ``spinal_pain`` not ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from apps.cases.facts import CaseFacts, LesionFacts
from apps.options.engine import sources
from apps.options.engine.findings import LesionRisk

HIGH_GRADES: Final = frozenset({"2", "3"})
LOW_GRADES: Final = frozenset({"0", "1a", "1b", "1c"})
SURGERY_MIN_SURVIVAL_MONTHS: Final = 3.0
FIT_MAX_ECOG: Final = 2
FIT_MIN_KARNOFSKY: Final = 60
SINS_UNSTABLE: Final = 13
SINS_OPINION: Final = 7
COMORBIDITY_NOTE: Final = "co-morbidity is not recorded: the board weighs it"


@dataclass(frozen=True, slots=True)
class NomsPart:
    """One of the four assessments: its code, the inputs it read and where it leads."""

    assessment: str
    inputs: dict[str, Any]
    path: str

    def to_dict(self) -> dict[str, Any]:
        return {"assessment": self.assessment, "inputs": dict(self.inputs), "path": self.path}


@dataclass(frozen=True, slots=True)
class NomsPath:
    """A published NOMS path this lesion can take; ``condition`` says when (empty: unconditionally)."""

    code: str
    label: str
    why: str
    condition: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label, "why": self.why, "condition": self.condition}


@dataclass(frozen=True, slots=True)
class NomsAssessment:
    lesion_ref: str
    neurologic: NomsPart
    oncologic: NomsPart
    mechanical: NomsPart
    systemic: NomsPart
    paths: tuple[NomsPath, ...]
    missing: tuple[str, ...]
    source: str = sources.NOMS

    def path_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.paths)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lesion_ref": self.lesion_ref,
            "neurologic": self.neurologic.to_dict(),
            "oncologic": self.oncologic.to_dict(),
            "mechanical": self.mechanical.to_dict(),
            "systemic": self.systemic.to_dict(),
            "paths": [p.to_dict() for p in self.paths],
            "missing": list(self.missing),
            "source": self.source,
        }


def neurologic(lesion: LesionFacts) -> NomsPart:
    grade = None if lesion.epidural_compression_grade is None else str(lesion.epidural_compression_grade)
    inputs = {"epidural_compression_grade": grade}
    if grade in HIGH_GRADES:
        return NomsPart(
            "high_grade", inputs, f"ESCC {grade}: high-grade compression, urgent surgical and radiation-oncology review"
        )
    if grade in LOW_GRADES:
        return NomsPart("low_grade", inputs, f"ESCC {grade}: low grade, no cord compression")
    return NomsPart("unknown", inputs, "unknown: needs epidural_compression_grade")


def oncologic(radiosensitivity: str | None, histology: str | None) -> NomsPart:
    inputs = {"primary_histology": histology, "radiosensitivity": radiosensitivity}
    if radiosensitivity == "radiosensitive":
        return NomsPart("radiosensitive", inputs, "radiosensitive: conventional RT whatever the ESCC grade")
    if radiosensitivity == "radioresistant":
        return NomsPart("radioresistant", inputs, "radioresistant: SBRT (separation surgery first for high-grade compression)")
    if radiosensitivity == "intermediate":
        return NomsPart("intermediate", inputs, "intermediate: NOMS gives no single path, both are shown")
    needs = "primary_histology" if histology is None else "a histology whose radiosensitivity is known"
    return NomsPart("unknown", inputs, f"unknown: needs {needs}; both paths are shown")


def painful_collapse_without_deformity(lesion: LesionFacts) -> bool | None:
    """True/False, or None when collapse, alignment or pain is not recorded."""
    collapse, alignment, pain = lesion.vertebral_collapse, lesion.alignment, lesion.spinal_pain
    if collapse is None or alignment is None or pain is None:
        return None
    return str(collapse) in ("lt50_collapse", "gt50_collapse") and str(alignment) == "normal" and str(pain) != "none"


def mechanical(lesion: LesionFacts, risk: LesionRisk) -> NomsPart:
    sins = risk.sins
    inputs: dict[str, Any] = {"sins_score": sins.score, "sins_category": sins.category}
    if sins.possible_range is not None and sins.score is None:
        inputs["sins_possible_range"] = list(sins.possible_range)
    unstable = sins.at_least(SINS_UNSTABLE)
    opinion = sins.at_least(SINS_OPINION)
    if unstable:
        collapse = painful_collapse_without_deformity(lesion)
        extra = " (painful collapse without deformity: cement augmentation is an alternative)" if collapse else ""
        return NomsPart("unstable", inputs, f"{sins.label('SINS')}: unstable, stabilisation needed{extra}")
    if opinion and unstable is False:
        return NomsPart("potentially_unstable", inputs, f"{sins.label('SINS')}: potentially unstable, spine-surgery opinion")
    if opinion:
        return NomsPart(
            "potentially_unstable_or_unstable",
            inputs,
            f"{sins.label('SINS')}: at least potentially unstable, could be unstable: spine-surgery opinion",
        )
    if opinion is False:
        return NomsPart("stable", inputs, f"{sins.label('SINS')}: stable")
    return NomsPart("unknown", inputs, f"{sins.label('SINS')}: complete the SINS to decide stability")


def systemic(case: CaseFacts) -> NomsPart:
    """Fitness for surgery (see the module docstring for the cut-offs chosen)."""
    survival, ecog, kps = case.estimated_survival_months, case.ecog, case.karnofsky_performance_status
    inputs = {"estimated_survival_months": survival, "ecog": ecog, "karnofsky_performance_status": kps}
    against = []
    if survival is not None and survival <= SURGERY_MIN_SURVIVAL_MONTHS:
        against.append(f"estimated survival {survival:g} months (not > 3)")
    if ecog is not None and ecog > FIT_MAX_ECOG:
        against.append(f"ECOG {ecog}")
    if kps is not None and kps < FIT_MIN_KARNOFSKY:
        against.append(f"Karnofsky {kps}")
    if against:
        return NomsPart("not_fit", inputs, "not fit for surgery: " + ", ".join(against) + f"; {COMORBIDITY_NOTE}")
    performance_ok = (ecog is not None and ecog <= FIT_MAX_ECOG) or (
        ecog is None and kps is not None and kps >= FIT_MIN_KARNOFSKY
    )
    if survival is not None and performance_ok:
        return NomsPart(
            "fit", inputs, f"can tolerate surgery (survival > 3 months, performance status adequate); {COMORBIDITY_NOTE}"
        )
    needs = []
    if survival is None:
        needs.append("estimated_survival_months")
    if not performance_ok:
        needs.append("ecog")
    return NomsPart("unknown", inputs, "unknown: needs " + ", ".join(needs) + f"; {COMORBIDITY_NOTE}")


_CONV = ("conventional_rt", "Conventional RT")
_SBRT = ("sbrt", "SBRT")
_SEPARATION = ("separation_surgery_then_sbrt", "Separation surgery, then SBRT")


def _radioresistant_paths(neuro: str, fit: str, why: str) -> list[NomsPath]:
    if neuro == "low_grade":
        return [NomsPath(*_SBRT, f"{why}, low-grade ESCC")]
    if neuro == "high_grade":
        if fit == "fit":
            return [NomsPath(*_SEPARATION, f"{why}, high-grade ESCC, fit for surgery")]
        if fit == "not_fit":
            return [NomsPath(*_CONV, f"{why}, high-grade ESCC, not fit for surgery")]
        return [
            NomsPath(*_SEPARATION, f"{why}, high-grade ESCC", "if fit for surgery"),
            NomsPath(*_CONV, f"{why}, high-grade ESCC", "if not fit for surgery"),
        ]
    return [
        NomsPath(*_SBRT, why, "if low-grade ESCC"),
        NomsPath(*_SEPARATION, why, "if high-grade ESCC and fit for surgery"),
        NomsPath(*_CONV, why, "if high-grade ESCC and not fit for surgery"),
    ]


def noms_paths(neuro: str, onco: str, mech: str, fit: str, collapse_without_deformity: bool | None) -> tuple[NomsPath, ...]:
    """The NOMS paths for the four assessments (clinical-rules.md §11)."""
    paths: list[NomsPath] = []
    if onco == "radiosensitive":
        paths.append(NomsPath(*_CONV, "radiosensitive histology: conventional RT whatever the ESCC grade"))
    elif onco == "radioresistant":
        paths.extend(_radioresistant_paths(neuro, fit, "radioresistant histology"))
    else:
        why = "intermediate histology" if onco == "intermediate" else "radiosensitivity unknown"
        paths.append(NomsPath(*_CONV, f"{why}: the radiosensitive path", "if the tumour responds as radiosensitive"))
        for path in _radioresistant_paths(neuro, fit, f"{why}: the radioresistant path"):
            condition = "if the tumour behaves as radioresistant" + (f", {path.condition}" if path.condition else "")
            paths.append(NomsPath(path.code, path.label, path.why, condition))
    if mech == "unstable":
        paths.append(NomsPath("stabilisation", "Stabilisation (surgery)", "SINS unstable: stabilisation before or with RT"))
        if collapse_without_deformity:
            paths.append(
                NomsPath(
                    "cement_augmentation",
                    "Cement augmentation",
                    "SINS unstable with a painful collapse without deformity: cement augmentation instead of open stabilisation",
                )
            )
    elif mech in ("potentially_unstable", "potentially_unstable_or_unstable", "unknown"):
        paths.append(
            NomsPath(
                "spine_surgery_opinion",
                "Spine-surgery opinion",
                "SINS 7-12 (or could reach 13): a spine surgeon judges stability",
                "if SINS is 7 or more" if mech == "unknown" else "",
            )
        )
        if mech == "potentially_unstable_or_unstable":
            paths.append(
                NomsPath("stabilisation", "Stabilisation (surgery)", "SINS could reach 13 (unstable)", "if SINS is 13 or more")
            )
    return tuple(paths)


def noms_assessment(lesion: LesionFacts, case: CaseFacts, risk: LesionRisk, radiosensitivity: str | None) -> NomsAssessment:
    """NOMS for one spinal lesion (the caller passes spinal lesions only)."""
    histology = None if case.primary_histology is None else str(case.primary_histology)
    neuro = neurologic(lesion)
    onco = oncologic(radiosensitivity, histology)
    mech = mechanical(lesion, risk)
    fit = systemic(case)
    paths = noms_paths(
        neuro.assessment, onco.assessment, mech.assessment, fit.assessment, painful_collapse_without_deformity(lesion)
    )
    missing: list[str] = []
    if neuro.assessment == "unknown":
        missing.append("epidural_compression_grade")
    if onco.assessment == "unknown":
        missing.append("primary_histology")
    if mech.assessment == "unknown":
        missing.append("sins")
    if fit.assessment == "unknown":
        missing.extend(n for n in ("estimated_survival_months", "ecog") if n in fit.path)
    return NomsAssessment(lesion.ref, neuro, onco, mech, fit, paths, tuple(dict.fromkeys(missing)))
