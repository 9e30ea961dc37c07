"""Dose summary of a planned course: BED/EQD2 per level, intent thresholds, constraint checks and
re-irradiation sums, in one JSON-serialisable result, plus an idempotency digest of the inputs.

source: clinical-rules.md §7 (and the sources carried by each threshold, constraint and organ).

Conventions (documented choices):

* Prior courses count for re-irradiation when their ``region`` equals the request's ``region``
  (case-insensitive, trimmed); a prior course with an empty region is counted too (conservative) and a
  note says so. With ``region=None`` every prior course counts.
* A prior course's contribution to an organ is its **prescribed** dose (``PriorCourseFacts`` carries no
  organ dose): conservative when the organ was inside the prescription isodose at most. The planned
  course's contribution is the organ's metric from ``structures`` (``Dmax``, or ``Dmean`` for the kidney,
  see ``OrganAtRisk.dose_metric``) when given, else the highest prescribed level (noted).
* The spinal-cord SBRT re-irradiation checks (Sahgal 2012 / HyTEC) run when the plan has 1-5 fractions,
  ``spinal_cord`` or ``thecal_sac`` is among the re-irradiation organs, and there is a prior course.
* Constraint sets default to the ones that fit the plan: ``seed002_sib_30_40_10fx`` for 10 fractions,
  ``sbrt_spinal_cord_pmax`` for 1-5 fractions, ``quantec_conventional_spinal_cord`` for 6 or more.
  Codes are looked up in ``constraint_catalogue`` (the copies administrators curate, supplied by the
  caller) or, without one, in the engine's built-in ``catalogue.CONSTRAINT_SETS``. A default (or
  ``additional_constraint_sets``) set missing from the catalogue is skipped with a note; an explicitly
  requested unknown code is an input error.
  The constraints themselves (not just their codes) enter the digest, so editing a limit changes it, and
  the result names every set it checked with its source.
* Target constraints given in percent of prescription use ``prescriptions[structure]``; when absent and
  the plan has a single level, that level's total dose; otherwise the check is ``unknown``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from apps.cases.facts import PriorCourseFacts
from apps.dosimetry.engine.catalogue import CONSTRAINT_SETS_BY_CODE, ORGANS_BY_CODE
from apps.dosimetry.engine.constraints import (
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
)
from apps.dosimetry.engine.reirradiation import (
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

_METRIC_CODES = frozenset(m.value for m in Metric)
_SAHGAL_ORGANS = ("spinal_cord", "thecal_sac")


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
                }
                for c in self.prior_courses
            ],
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

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"engine_version", "inputs_digest", "regimen", "thresholds", "constraint_sets",
        "constraint_checks", "reirradiation", "spinal_cord_reirradiation", "notes"}``, JSON-serialisable;
        ``constraint_sets`` names each set checked (``code``, ``name``, ``source``)."""
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
        }


def _prescriptions_for(norm: _Normalised) -> dict[str, float]:
    rx = dict(norm.prescriptions)
    if len(norm.levels) == 1:
        for key in norm.structures:
            rx.setdefault(key, norm.levels[0].total_dose_gy)
    return rx


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
    checks = check_constraint_set(constraints, norm.structures, fractions=fractions, prescriptions=_prescriptions_for(norm))

    wanted = norm.region.lower() if norm.region is not None else None
    relevant: list[Course] = []
    for course in norm.prior_courses:
        course_region = course.label.strip().lower()
        if wanted is None or course_region == wanted:
            relevant.append(course)
        elif not course_region:
            relevant.append(course)
            notes.append(
                f"prior course of {course.total_dose_gy:g} Gy/{course.fractions} has no region: counted "
                "as if to the same region (conservative)"
            )

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
            if organ_dose is None or organ_dose <= 0.0:
                planned_dose = max_level.total_dose_gy
                notes.append(f"{organ_code}: planned course counted at its prescription ({planned_dose:g} Gy): no {metric} given")
            else:
                planned_dose = organ_dose
            planned = Course(fractions, planned_dose, norm.planned_date, "planned", "")
            reirradiation.append(reirradiation_sum(organ_code, [*relevant, planned]))
            if sahgal is None and organ_code in _SAHGAL_ORGANS and fractions <= 5:
                sahgal = spinal_cord_sbrt_reirradiation(relevant, planned)

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
    )
