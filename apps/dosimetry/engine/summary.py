"""Dose summary of a planned course: BED/EQD2 per level, intent thresholds, constraint checks and
re-irradiation sums, in one JSON-serialisable result, plus an idempotency digest of the inputs.

source: clinical-rules.md §7 (and the sources carried by each threshold, constraint and organ).

Conventions (documented choices):

* Prior courses count for re-irradiation by **anatomical overlap** with the plan's structured ``target``
  (``overlap.py``: spinal level ranges that intersect, or the same site and side), never by comparing
  the free-text labels (clinical-rules.md §7). Every prior course is listed in ``prior_courses`` with
  its decision (``overlaps`` / ``separate`` / ``unknown`` and why). A course whose overlap cannot be
  decided (no structured target on it or on the plan, a spinal course without levels, a missing side)
  is counted in the cumulative sums as a worst case and a note says so; only ``separate`` courses are
  left out.
* The spinal-cord verdict (``spinal_cord_check``): with no counted prior course it is the first-course
  cord constraints (``rule`` ``first_course``). Where a prior course overlaps, it is the re-irradiation
  rule: Sahgal 2012 for a 1-5 fraction plan (``sahgal_2012_reirradiation``), else the cumulative cord
  EQD2 against the organ's limit (``cumulative_reirradiation``); the first-course cord checks are then
  moved to ``context_checks`` (shown, not a verdict). Where prior courses are only of unknown overlap,
  both rules are computed (the re-irradiation one as a worst case): the verdict is theirs when they
  agree, else ``unknown`` (it depends on the overlap), and the first-course checks are context too.
* A prior course's contribution to an organ is its **prescribed** dose (``PriorCourseFacts`` carries no
  organ dose): conservative when the organ was inside the prescription isodose at most. The planned
  course's contribution is the organ's metric from ``structures`` (``Dmax``, or ``Dmean`` for the kidney,
  see ``OrganAtRisk.dose_metric``) when given, else the highest prescribed level (noted).
* The spinal-cord SBRT re-irradiation checks (Sahgal 2012 / HyTEC) run when the plan has 1-5 fractions,
  ``spinal_cord`` or ``thecal_sac`` is among the re-irradiation organs, and there is a prior course.
* For a structured target that is not spine (a femur, the pelvis), the cord, thecal sac and cauda equina
  are summed only when the plan gives that organ's dose (the planner contoured it, e.g. a posterior rib);
  otherwise a note says they were not summed.
* Constraint sets default to the ones that fit the plan: ``seed002_sib_30_40_10fx`` for 10 fractions,
  ``sbrt_spinal_cord_pmax`` for 1-5 fractions, ``quantec_conventional_spinal_cord`` for 6 or more.
  Codes are looked up in ``constraint_catalogue`` (the copies administrators curate, supplied by the
  caller) or, without one, in the engine's built-in ``catalogue.CONSTRAINT_SETS``. A default (or
  ``additional_constraint_sets``) set missing from the catalogue is skipped with a note; an explicitly
  requested unknown code is an input error.
  The constraints themselves (not just their codes) enter the digest, so editing a limit changes it, and
  the result names every set it checked with its source.
* Target constraints given in percent of prescription use the structure's own prescription
  (``prescriptions`` in the result, each with where it came from): an explicit ``prescriptions[structure]``;
  else the dose level whose ``level_targets`` entry names the structure (a SIB's PTV boost 40 Gy, PTV
  elective 30 Gy: seed 002 checks each PTV's D98 >= 90 % and D2 <= 107 % against its own level); else a
  PTV/CTV/GTV key whose number is exactly one level's dose (``PTV40`` -> the 40 Gy level, the usual naming);
  else, for a single-level plan, that level. Otherwise the check is ``unknown`` (needs the prescription).
* Systemic-therapy cautions (``cautions``): the risk engine's ``systemic_therapy_cautions`` for the case's
  ``systemic_therapy_classes`` with the plan's ``technique`` (so T-DM1 with a stereotactic plan is a
  caution, seed 004), None classes answering "unknown: needs systemic_therapy_classes".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from apps.cases.facts import PriorCourseFacts
from apps.cases.vocabulary import SystemicTherapyClass
from apps.clinical.overlap import Overlap, OverlapResult, Target, target_errors, target_overlap
from apps.dosimetry.engine.catalogue import CONSTRAINT_SETS_BY_CODE, ORGANS_BY_CODE
from apps.dosimetry.engine.constraints import (
    CheckStatus,
    ConstraintCheck,
    ConstraintSet,
    Metric,
    check_constraint_set,
    structure_matches,
)
from apps.dosimetry.engine.errors import DoseInputError, FieldError
from apps.dosimetry.engine.lq import (
    TUMOUR_ALPHA_BETA,
    DoseLevel,
    LevelInput,
    RegimenResult,
    as_number,
    check_alpha_beta,
    collect_level_errors,
    evaluate_level,
    maybe_round,
)
from apps.dosimetry.engine.reirradiation import (
    SAHGAL_ORGANS,
    SBRT_MAX_FRACTIONS,
    Course,
    ReirradiationResult,
    SpinalCordReirradiationAssessment,
    check_date,
    collect_course_errors,
    reirradiation_sum,
    spinal_cord_sbrt_reirradiation,
)
from apps.dosimetry.engine.thresholds import ThresholdComparison, compare_regimen
from apps.dosimetry.engine.version import ENGINE_VERSION
from apps.risk.engine.cautions import systemic_therapy_cautions
from apps.risk.engine.results import CautionsResult

_METRIC_CODES = frozenset(m.value for m in Metric)
_SAHGAL_ORGANS = SAHGAL_ORGANS
_TARGET_ORGANS = ("ptv", "ctv", "gtv")
_NEURAXIS_ORGANS = ("spinal_cord", "thecal_sac", "cauda_equina")
_THERAPY_CODES = frozenset(c.value for c in SystemicTherapyClass)


@dataclass(frozen=True)
class DoseSummaryRequest:
    """Everything a dose summary depends on (and nothing else: the digest hashes exactly this).

    ``structures``: structure key -> metric code (``"Dmax"``, ``"D0.5cc"``, ``"D98%"``...) -> Gy, e.g. the
    output of ``dvh.parse_dvh_csv(...)[name].metrics``. ``prescriptions``: structure key -> prescribed total
    dose (Gy) for percent-of-prescription constraints. ``constraint_sets``: codes to check, or None for
    the defaults that fit the plan. ``constraint_catalogue``: code -> :class:`ConstraintSet` to look codes
    up in (None: the engine's built-in ``catalogue.CONSTRAINT_SETS``). ``additional_constraint_sets``: codes
    checked as well (e.g. the regimen's own set); like a default, one missing from the catalogue is noted.
    """

    levels: Sequence[LevelInput]
    alpha_beta: float = TUMOUR_ALPHA_BETA
    prior_courses: Sequence[PriorCourseFacts] = ()
    region: str | None = None
    structures: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    prescriptions: Mapping[str, float] = field(default_factory=dict)
    planned_date: date | None = None
    constraint_sets: Sequence[str] | None = None
    reirradiation_organs: Sequence[str] = ("spinal_cord",)
    constraint_catalogue: Mapping[str, ConstraintSet] | None = None
    additional_constraint_sets: Sequence[str] = ()
    #: The plan's structured target (``region`` stays its free-text label); None: not recorded.
    target: Target | None = None
    #: Per dose level (same order as ``levels``), the structure key of the volume it prescribes, or None.
    level_targets: Sequence[str | None] = ()
    #: The plan's technique code (``conventional``, ``imrt``, ``sbrt``, ``srs``...), for the cautions.
    technique: str | None = None
    #: The case's systemic-therapy classes (None: unknown; empty: none).
    systemic_therapy_classes: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class _Normalised:
    levels: tuple[DoseLevel, ...]
    alpha_beta: float
    prior_courses: tuple[Course, ...]
    region: str | None
    structures: dict[str, dict[str, float]]
    prescriptions: dict[str, float]
    planned_date: date | None
    constraint_sets: tuple[ConstraintSet, ...]
    missing_default_sets: tuple[str, ...]
    reirradiation_organs: tuple[str, ...]
    target: Target | None
    level_targets: tuple[str | None, ...]
    technique: str | None
    systemic_therapy_classes: tuple[str, ...] | None

    def canonical(self) -> dict[str, Any]:
        return {
            "engine_version": ENGINE_VERSION,
            "levels": [{"fractions": lv.fractions, "total_dose_gy": lv.total_dose_gy, "label": lv.label} for lv in self.levels],
            "alpha_beta": self.alpha_beta,
            "prior_courses": [
                {
                    "fractions": c.fractions,
                    "total_dose_gy": c.total_dose_gy,
                    "date": c.date.isoformat() if c.date else None,
                    "region": c.label,
                    "technique": c.technique,
                    "target": c.target.to_dict() if c.target else None,
                }
                for c in self.prior_courses
            ],
            "target": self.target.to_dict() if self.target else None,
            "level_targets": list(self.level_targets),
            "technique": self.technique,
            "systemic_therapy_classes": (
                None if self.systemic_therapy_classes is None else sorted(self.systemic_therapy_classes)
            ),
            "region": self.region,
            "structures": self.structures,
            "prescriptions": self.prescriptions,
            "planned_date": self.planned_date.isoformat() if self.planned_date else None,
            "constraint_sets": [cset.to_dict() for cset in sorted(self.constraint_sets, key=lambda c: c.code)],
            "reirradiation_organs": sorted(self.reirradiation_organs),
        }


def default_constraint_sets(fractions: int) -> tuple[str, ...]:
    """Codes of the constraint sets that fit a plan of ``fractions`` fractions (see the module docstring)."""
    sets: list[str] = []
    if fractions == 10:
        sets.append("seed002_sib_30_40_10fx")
    if fractions <= 5:
        sets.append("sbrt_spinal_cord_pmax")
    else:
        sets.append("quantec_conventional_spinal_cord")
    return tuple(sets)


def _normalise(request: DoseSummaryRequest) -> _Normalised:
    errors: list[FieldError] = []
    levels = collect_level_errors(list(request.levels), "levels", errors)
    ab = check_alpha_beta(request.alpha_beta, "alpha_beta", errors)
    priors = collect_course_errors(list(request.prior_courses), "prior_courses", errors)

    structures: dict[str, dict[str, float]] = {}
    for key, metrics in request.structures.items():
        if not isinstance(key, str) or not key.strip():
            errors.append(FieldError("structures", "structure names must be non-empty strings"))
            continue
        if not isinstance(metrics, Mapping):
            errors.append(FieldError(f"structures.{key}", "must map metric codes to doses"))
            continue
        clean: dict[str, float] = {}
        for metric, value in metrics.items():
            path = f"structures.{key}.{metric}"
            if metric not in _METRIC_CODES:
                errors.append(FieldError(path, f"unknown metric: must be one of {', '.join(sorted(_METRIC_CODES))}"))
                continue
            number = as_number(value)
            if number is None or not math.isfinite(number) or number < 0:
                errors.append(FieldError(path, "must be a finite dose >= 0 Gy"))
                continue
            clean[metric] = number
        structures[key] = clean

    prescriptions: dict[str, float] = {}
    for key, value in request.prescriptions.items():
        number = as_number(value)
        if number is None or not math.isfinite(number) or number <= 0:
            errors.append(FieldError(f"prescriptions.{key}", "must be a finite dose > 0 Gy"))
            continue
        prescriptions[str(key)] = number

    planned_date = check_date(request.planned_date, "planned_date", errors)

    available = CONSTRAINT_SETS_BY_CODE if request.constraint_catalogue is None else request.constraint_catalogue
    if request.constraint_sets is None:
        sets: tuple[str, ...] | None = None
    else:
        sets = tuple(dict.fromkeys(request.constraint_sets))
        for i, code in enumerate(sets):
            if code not in available:
                allowed = ", ".join(sorted(available))
                errors.append(FieldError(f"constraint_sets[{i}]", f"unknown constraint set {code!r}: must be one of {allowed}"))
    organs = tuple(request.reirradiation_organs)
    for i, code in enumerate(organs):
        if code not in ORGANS_BY_CODE:
            allowed = ", ".join(sorted(ORGANS_BY_CODE))
            errors.append(FieldError(f"reirradiation_organs[{i}]", f"unknown organ {code!r}: must be one of {allowed}"))
    if request.region is not None and not isinstance(request.region, str):
        errors.append(FieldError("region", "must be a string"))
    if request.target is not None:
        errors.extend(FieldError(path, reason) for path, reason in target_errors(request.target, "target."))
    level_targets = tuple((t.strip() or None) if isinstance(t, str) else None for t in (request.level_targets or ()))
    if request.level_targets and levels is not None and len(level_targets) != len(levels):
        errors.append(FieldError("level_targets", f"must name one target per dose level ({len(levels)})"))
    if any(t is not None and not isinstance(t, str) for t in request.level_targets or ()):
        errors.append(FieldError("level_targets", "must be structure names (strings) or null"))
    named = [t.lower() for t in level_targets if t]
    if len(named) != len(set(named)):
        errors.append(FieldError("level_targets", "each target may be prescribed by one dose level only"))
    classes: tuple[str, ...] | None = None
    if request.systemic_therapy_classes is not None:
        classes = tuple(dict.fromkeys(str(c) for c in request.systemic_therapy_classes))
        for code in classes:
            if code not in _THERAPY_CODES:
                errors.append(FieldError("systemic_therapy_classes", f"unknown class {code!r}"))

    if errors or levels is None or ab is None or priors is None:
        raise DoseInputError(errors=errors)
    base = sets if sets is not None else default_constraint_sets(levels[0].fractions)
    wanted_sets = tuple(dict.fromkeys((*base, *request.additional_constraint_sets)))
    return _Normalised(
        levels=levels,
        alpha_beta=ab,
        prior_courses=priors,
        region=request.region.strip() if request.region is not None else None,
        structures=structures,
        prescriptions=prescriptions,
        planned_date=planned_date,
        constraint_sets=tuple(available[code] for code in wanted_sets if code in available),
        missing_default_sets=tuple(code for code in wanted_sets if code not in available),
        reirradiation_organs=organs,
        target=request.target,
        level_targets=level_targets if any(level_targets) else (),
        technique=(request.technique or None),
        systemic_therapy_classes=classes,
    )


def _digest(canonical: dict[str, Any]) -> str:
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def constraint_sets_checked(request: DoseSummaryRequest) -> tuple[str, ...]:
    """Codes of the constraint sets the summary of ``request`` checks (the defaults or the requested ones,
    plus the additional ones, that the catalogue holds). Raises :class:`DoseInputError` for invalid inputs."""
    return tuple(cset.code for cset in _normalise(request).constraint_sets)


def inputs_digest(request: DoseSummaryRequest) -> str:
    """sha256 (hex) of the canonical JSON of the validated inputs and :data:`ENGINE_VERSION`.

    Equal for requests that mean the same (``30`` vs ``30.0`` Gy, ``"2026-05-01"`` vs ``date(2026, 5, 1)``,
    constraint-set order); different as soon as any input or the engine version changes. Raises
    :class:`DoseInputError` for invalid inputs.
    """
    return _digest(_normalise(request).canonical())


@dataclass(frozen=True, slots=True)
class PriorCourseOverlap:
    """One prior course, its anatomical overlap with the plan and whether the sums count it."""

    index: int
    course: Course
    overlap: OverlapResult

    @property
    def counted(self) -> bool:
        """Counted in the cumulative sums: overlapping, or of unknown overlap (worst case)."""
        return self.overlap.status is not Overlap.SEPARATE

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        c = self.course
        return {
            "index": self.index,
            "label": c.label,
            "target": c.target.to_dict() if c.target else None,
            "fractions": c.fractions,
            "total_dose_gy": maybe_round(c.total_dose_gy, decimals),
            "date": c.date.isoformat() if c.date else None,
            "technique": c.technique,
            **self.overlap.to_dict(),
            "counted": self.counted,
        }


@dataclass(frozen=True, slots=True)
class CordCheck:
    """The plan's spinal-cord verdict and the rule it comes from (see the module docstring)."""

    rule: str
    status: CheckStatus
    text: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "status": self.status.value, "text": self.text, "source": self.source}


@dataclass(frozen=True, slots=True)
class Prescription:
    """The prescribed total dose a target structure's percent-of-prescription checks use, and why."""

    structure: str
    total_dose_gy: float
    basis: str

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        return {"structure": self.structure, "total_dose_gy": maybe_round(self.total_dose_gy, decimals), "basis": self.basis}


@dataclass(frozen=True, slots=True)
class DoseSummary:
    """Aggregate dose figures of a planned course (see the module docstring)."""

    engine_version: str
    inputs_digest: str
    regimen: RegimenResult
    thresholds: tuple[ThresholdComparison, ...]
    constraint_sets: tuple[ConstraintSet, ...]
    constraint_checks: tuple[ConstraintCheck, ...]
    reirradiation: tuple[ReirradiationResult, ...]
    spinal_cord_reirradiation: SpinalCordReirradiationAssessment | None
    notes: tuple[str, ...]
    target: Target | None = None
    prior_courses: tuple[PriorCourseOverlap, ...] = ()
    spinal_cord_check: CordCheck | None = None
    context_checks: tuple[ConstraintCheck, ...] = ()
    prescriptions: tuple[Prescription, ...] = ()
    cautions: CautionsResult | None = None

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"engine_version", "inputs_digest", "regimen", "thresholds", "constraint_sets",
        "constraint_checks", "reirradiation", "spinal_cord_reirradiation", "notes", "target",
        "prior_courses", "spinal_cord_check", "context_checks", "prescriptions", "cautions"}``,
        JSON-serialisable; ``constraint_sets`` names each set checked (``code``, ``name``, ``source``)."""
        return {
            "engine_version": self.engine_version,
            "inputs_digest": self.inputs_digest,
            "regimen": self.regimen.to_dict(decimals),
            "thresholds": [t.to_dict(decimals) for t in self.thresholds],
            "constraint_sets": [{"code": cset.code, "name": cset.name, "source": cset.source} for cset in self.constraint_sets],
            "constraint_checks": [c.to_dict(decimals) for c in self.constraint_checks],
            "reirradiation": [r.to_dict(decimals) for r in self.reirradiation],
            "spinal_cord_reirradiation": (
                self.spinal_cord_reirradiation.to_dict(decimals) if self.spinal_cord_reirradiation else None
            ),
            "notes": list(self.notes),
            "target": self.target.to_dict() if self.target else None,
            "prior_courses": [p.to_dict(decimals) for p in self.prior_courses],
            "spinal_cord_check": self.spinal_cord_check.to_dict() if self.spinal_cord_check else None,
            "context_checks": [c.to_dict(decimals) for c in self.context_checks],
            "prescriptions": [p.to_dict(decimals) for p in self.prescriptions],
            "cautions": self.cautions.to_dict() if self.cautions else None,
        }


_DOSE_SUFFIX = re.compile(r"^(?:ptv|ctv|gtv)[\s_-]*(\d+(?:[.,]\d+)?)$")


def _prescriptions_for(norm: _Normalised) -> tuple[Prescription, ...]:
    """Each target structure's own prescription (see the module docstring for the order of the rules)."""
    out: dict[str, Prescription] = {key: Prescription(key, dose, "given explicitly") for key, dose in norm.prescriptions.items()}
    by_target = {target.lower(): level for target, level in zip(norm.level_targets, norm.levels, strict=False) if target}
    for key in norm.structures:
        if key in out or not any(structure_matches(organ, key) for organ in _TARGET_ORGANS):
            continue
        level = by_target.get(key.strip().lower())
        if level is not None:
            label = f" ({level.label})" if level.label else ""
            out[key] = Prescription(
                key, level.total_dose_gy, f"dose level {level.total_dose_gy:g} Gy{label} names it as its target"
            )
            continue
        match = _DOSE_SUFFIX.match(key.strip().lower())
        if match is not None:
            dose = float(match.group(1).replace(",", "."))
            levels = [lv for lv in norm.levels if math.isclose(lv.total_dose_gy, dose, abs_tol=1e-9)]
            if len(levels) == 1:
                out[key] = Prescription(key, levels[0].total_dose_gy, f"structure name {key!r} matches the {dose:g} Gy level")
                continue
        if len(norm.levels) == 1:
            out[key] = Prescription(key, norm.levels[0].total_dose_gy, "the plan's single dose level")
    return tuple(out.values())


_STATUS_ORDER = {CheckStatus.FAIL: 0, CheckStatus.UNKNOWN: 1, CheckStatus.NEAR: 2, CheckStatus.PASS: 3}


def _worst(statuses: Sequence[CheckStatus]) -> CheckStatus:
    return min(statuses, key=lambda st: _STATUS_ORDER.get(st, 1))


def _cord_check(
    cord_checks: Sequence[ConstraintCheck],
    overlaps: Sequence[PriorCourseOverlap],
    reirradiation: Sequence[ReirradiationResult],
    sahgal: SpinalCordReirradiationAssessment | None,
    fractions: int,
) -> CordCheck | None:
    """The spinal-cord verdict (module docstring): first course, Sahgal 2012, or the cumulative sum."""
    applicable = [c for c in cord_checks if c.status is not CheckStatus.NOT_APPLICABLE]
    first: CordCheck | None = None
    if applicable:
        status = _worst([c.status for c in applicable])
        first = CordCheck(
            "first_course",
            status,
            f"first-course cord limits: {status.value} ({', '.join(c.constraint_code for c in applicable)})",
            "; ".join(dict.fromkeys(c.source for c in applicable)),
        )
    counted = [p for p in overlaps if p.counted]
    if not counted:
        return first
    reirr: CordCheck | None = None
    if sahgal is not None:
        reirr = CordCheck(
            "sahgal_2012_reirradiation",
            sahgal.status,
            "SBRT re-irradiation of the cord (Sahgal 2012): " + "; ".join(f"{c.code} {c.status.value}" for c in sahgal.checks),
            sahgal.checks[0].source,
        )
    else:
        cord_sum = next((r for r in reirradiation if r.organ in _SAHGAL_ORGANS), None)
        if cord_sum is not None:
            reirr = CordCheck(
                "cumulative_reirradiation",
                CheckStatus.PASS if cord_sum.within_limit else CheckStatus.FAIL,
                cord_sum.text,
                cord_sum.limit_source,
            )
    if reirr is None:
        return first
    if any(p.overlap.status is Overlap.OVERLAPS for p in counted):
        return reirr
    # Only courses of unknown overlap: the rule itself depends on the overlap.
    status = reirr.status if first is not None and first.status is reirr.status else CheckStatus.UNKNOWN
    needs = sorted({n for p in counted for n in p.overlap.needs})
    return CordCheck(
        reirr.rule,
        status,
        f"overlap of {len(counted)} prior course(s) unknown"
        + (f" (needs {', '.join(needs)})" if needs else "")
        + f": if it overlaps, {reirr.text}; if not, "
        + (first.text if first else "no first-course cord check applies"),
        reirr.source,
    )


def build_dose_summary(request: DoseSummaryRequest) -> DoseSummary:
    """Compute the :class:`DoseSummary` of ``request``; raises :class:`DoseInputError` on invalid input."""
    norm = _normalise(request)
    notes: list[str] = []
    regimen = RegimenResult(tuple(evaluate_level(lv, norm.alpha_beta) for lv in norm.levels), norm.alpha_beta)
    fractions = regimen.fractions

    constraints = tuple(c for cset in norm.constraint_sets for c in cset.constraints)
    notes.extend(
        f"constraint set {code!r} is not in the catalogue: its checks were not run" for code in norm.missing_default_sets
    )
    prescriptions = _prescriptions_for(norm)
    checks = check_constraint_set(
        constraints, norm.structures, fractions=fractions, prescriptions={p.structure: p.total_dose_gy for p in prescriptions}
    )

    planned_target = norm.target or Target(label=norm.region or "")
    overlaps: list[PriorCourseOverlap] = []
    for i, course in enumerate(norm.prior_courses):
        decision = target_overlap(planned_target, course.target or Target(label=course.label), prior_field=f"prior_courses[{i}].")
        overlaps.append(PriorCourseOverlap(i, course, decision))
        if decision.status is Overlap.UNKNOWN:
            what = f"'{course.label}'" if course.label.strip() else "(no region)"
            notes.append(
                f"prior course {what} of {course.total_dose_gy:g} Gy/{course.fractions}: overlap unknown "
                f"({decision.reason}); counted in the cumulative sums as a worst case"
            )
    relevant = [p.course for p in overlaps if p.counted]

    reirradiation: list[ReirradiationResult] = []
    sahgal: SpinalCordReirradiationAssessment | None = None
    if relevant:
        notes.append("prior courses contribute their prescribed dose (no organ dose recorded): conservative")
        max_level = max(norm.levels, key=lambda lv: lv.total_dose_gy)
        for organ_code in norm.reirradiation_organs:
            organ = ORGANS_BY_CODE[organ_code]
            metric = organ.dose_metric.value
            organ_dose: float | None = None
            for key, metrics in norm.structures.items():
                if structure_matches(organ_code, key) and metric in metrics:
                    organ_dose = max(organ_dose or 0.0, metrics[metric])
            if organ_code in _NEURAXIS_ORGANS and organ_dose is None and norm.target is not None and not norm.target.is_spinal:
                # A limb or pelvis target: the neuraxis is outside the field unless the planner entered its dose.
                notes.append(
                    f"{organ_code}: not summed: the target ({norm.target.describe()}) is not spine and no {metric} was given"
                )
                continue
            if organ_dose is None or organ_dose <= 0.0:
                planned_dose = max_level.total_dose_gy
                notes.append(f"{organ_code}: planned course counted at its prescription ({planned_dose:g} Gy): no {metric} given")
            else:
                planned_dose = organ_dose
            planned = Course(fractions, planned_dose, norm.planned_date, "planned", "")
            reirradiation.append(reirradiation_sum(organ_code, [*relevant, planned]))
            if sahgal is None and organ_code in _SAHGAL_ORGANS and fractions <= SBRT_MAX_FRACTIONS:
                sahgal = spinal_cord_sbrt_reirradiation(relevant, planned)

    cord_checks = [c for c in checks if c.organ in _SAHGAL_ORGANS]
    cord = _cord_check(cord_checks, overlaps, reirradiation, sahgal, fractions)
    context: tuple[ConstraintCheck, ...] = ()
    if cord is not None and cord.rule != "first_course" and cord_checks:
        # Re-irradiation: first-course cord limits are shown as context, never beside the verdict.
        context = tuple(cord_checks)
        checks = tuple(c for c in checks if c.organ not in _SAHGAL_ORGANS)
        notes.append("first-course spinal-cord limits are shown as context: the cord check is the re-irradiation rule")

    return DoseSummary(
        engine_version=ENGINE_VERSION,
        inputs_digest=_digest(norm.canonical()),
        regimen=regimen,
        thresholds=compare_regimen(regimen),
        constraint_sets=norm.constraint_sets,
        constraint_checks=checks,
        reirradiation=tuple(reirradiation),
        spinal_cord_reirradiation=sahgal,
        notes=tuple(notes),
        target=norm.target,
        prior_courses=tuple(overlaps),
        spinal_cord_check=cord,
        context_checks=context,
        prescriptions=prescriptions,
        cautions=systemic_therapy_cautions(norm.systemic_therapy_classes, norm.technique),
    )
