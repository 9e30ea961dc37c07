"""Re-irradiation: cumulative EQD2 of every course to an organ; the spinal-cord SBRT re-irradiation checks.

source: clinical-rules.md §7; organ defaults in ``catalogue.ORGANS`` (each with its source).

Cumulative sum (:func:`reirradiation_sum`): each course's EQD2 at the organ's alpha/beta (``lq.py``), their
sum, each course's share of the sum, and the comparison with the organ's cumulative limit
(``within_limit`` is ``cumulative <= limit``, the limit itself included). The comparison is made at the
precision the figures are reported with (:data:`LIMIT_DECIMALS`, 2 decimals, api-contract.md): a sum shown
as 44.65 Gy against a limit shown as 44.65 Gy is within it, so the verdict never contradicts the figures
beside it. The difference this can absorb (< 0.005 Gy EQD2) is far below the precision of any delivered or
planned dose and of the LQ model itself. When the caller overrides the alpha/beta but not the limit, the
organ's default limit is still used, and a warning says that the limit is an EQD2 at the organ's own
alpha/beta (e.g. Sahgal's 70 Gy at alpha/beta 2), so the sum and the limit are on different scales. The
dose of each course is the
dose *the organ* received in that course (point maximum for cord / thecal sac / cauda equina, mean dose for
kidney); when only the prescription is known, entering it is conservative as long as the organ received
no more than the prescription.

Spinal-cord SBRT re-irradiation (:func:`spinal_cord_sbrt_reirradiation`; Sahgal et al. IJROBP 2012;82:107-116,
restated by HyTEC, Sahgal et al. IJROBP 2021;110:124-136), EQD2 at alpha/beta 2 of the thecal-sac point
maximum, four separate checks, each ``pass``/``fail``/``unknown``:

1. ``cumulative_eqd2_le_70``: prior courses + SBRT course <= 70 Gy;
2. ``sbrt_course_eqd2_le_25``: the SBRT course <= 25 Gy;
3. ``sbrt_share_le_50pct``: the SBRT course <= 50 % of the cumulative EQD2;
4. ``interval_ge_5_months``: at least 5 months between the previous course and the SBRT course.

Boundaries are inclusive (exactly 70 Gy, 25 Gy, 50 % and 5 months pass). Like ``within_limit``, the dose
and share checks are decided at the precision the figures are reported with (:data:`LIMIT_DECIMALS`, half
up), so a check never contradicts the value shown beside it: 25.004 Gy is shown as 25.00 and passes,
25.005 is shown as 25.01 and fails. Each check also has the contract's short code
(:data:`SAHGAL_CHECK_KINDS`: ``cumulative``, ``sbrt_course``, ``share``, ``interval``).

Months are *calendar* months: the interval is met when the SBRT date is on or after the previous course's
date moved 5 calendar months later, keeping the day of the month and clamping it to the month's
last day (2026-06-23 -> 2026-11-23; 2026-01-31 -> 2026-06-30). The previous course is the latest-dated prior
course; the check is ``unknown`` when the SBRT date or any prior course's date is missing (an undated course
might be the most recent). Each course has one recorded date: enter the date the course ended.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from apps.cases.facts import PriorCourseFacts
from apps.clinical.dates import add_months, complete_months_between
from apps.dosimetry.engine.catalogue import HYTEC_2021, ORGANS_BY_CODE, RULES_7, SAHGAL_2012
from apps.dosimetry.engine.constraints import CheckStatus
from apps.dosimetry.engine.errors import DoseInputError, FieldError
from apps.dosimetry.engine.lq import (
    as_number,
    check_alpha_beta,
    check_fractions,
    check_positive_dose,
    is_finite_result,
    maybe_round,
    overflow_errors,
    round_half_up,
)
from apps.dosimetry.engine.overlap import Target, target_errors

SAHGAL_SOURCE = f"{SAHGAL_2012}; {HYTEC_2021}; {RULES_7}"
SAHGAL_ALPHA_BETA = 2.0
SAHGAL_CUMULATIVE_LIMIT_EQD2_GY = 70.0
SAHGAL_SBRT_COURSE_LIMIT_EQD2_GY = 25.0
SAHGAL_SBRT_SHARE_LIMIT_PCT = 50.0
SAHGAL_MIN_INTERVAL_MONTHS = 5
#: Organs whose point-maximum doses the Sahgal 2012 checks read (thecal sac as the cord surrogate).
SAHGAL_ORGANS: tuple[str, ...] = ("spinal_cord", "thecal_sac")
#: SBRT for the Sahgal checks: 1-5 fractions (clinical-rules.md §7; api-contract.md, second part).
SBRT_MAX_FRACTIONS = 5
#: Decimals of the reported figures; ``within_limit`` compares the cumulative EQD2 with the limit at them.
LIMIT_DECIMALS = 2
#: The contract's short code of each Sahgal check (api-contract.md, second part: ``checks[].code``).
SAHGAL_CHECK_KINDS: dict[str, str] = {
    "cumulative_eqd2_le_70": "cumulative",
    "sbrt_course_eqd2_le_25": "sbrt_course",
    "sbrt_share_le_50pct": "share",
    "interval_ge_5_months": "interval",
}


def within_reported_limit(cumulative_eqd2_gy: float, limit_eqd2_gy: float) -> bool:
    """``cumulative <= limit`` as reported (both rounded half-up to :data:`LIMIT_DECIMALS`); the limit is within.

    Rounding is monotone, so every sum within the limit at full precision is within here too; the only
    sums added are those less than 0.005 Gy above the limit, which are reported equal to it.
    """
    return round_half_up(cumulative_eqd2_gy, LIMIT_DECIMALS) <= round_half_up(limit_eqd2_gy, LIMIT_DECIMALS)


# --------------------------------------------------------------------------- calendar months


# ``add_months`` and ``complete_months_between`` are the engines' shared calendar (``apps.clinical.dates``).


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Course:
    """A radiotherapy course to an organ: its dose to the organ, fractions and (optional) date."""

    fractions: int
    total_dose_gy: float
    date: date | None = None
    label: str = ""
    technique: str = ""
    #: The structured treated region (None: not recorded), for the anatomical overlap of ``overlap.py``.
    target: Target | None = None


_TARGET_FIELDS = ("site", "level_from", "level_to", "laterality")


def _target_of(raw: Mapping[str, Any] | object, label: str) -> Target | None:
    """The structured target of a course given as a mapping or as facts (prior courses recorded before
    structured targets have none of these fields: None)."""
    values = {name: (raw.get(name) if isinstance(raw, Mapping) else getattr(raw, name, None)) for name in _TARGET_FIELDS}
    cleaned = {name: (None if value in (None, "") else str(value)) for name, value in values.items()}
    if all(value is None for value in cleaned.values()):
        return None
    return Target(label=label, **cleaned)


CourseInput = Course | PriorCourseFacts | Mapping[str, Any]


def check_date(value: object, field: str, errors: list[FieldError]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors.append(FieldError(field, "must be a date YYYY-MM-DD"))
            return None
    errors.append(FieldError(field, "must be a date YYYY-MM-DD"))
    return None


def collect_course_errors(courses: object, field: str, errors: list[FieldError]) -> tuple[Course, ...] | None:
    """Validate a list of courses into ``errors``; return them when all are valid."""
    if isinstance(courses, (str, bytes, Mapping)) or not isinstance(courses, Sequence):
        errors.append(FieldError(field, "must be a list of courses"))
        return None
    before = len(errors)
    parsed: list[Course] = []
    for i, course in enumerate(courses):
        prefix = f"{field}[{i}]"
        target: Target | None
        if isinstance(course, (Course, PriorCourseFacts)):
            raw: Mapping[str, Any] = {
                "fractions": course.fractions,
                "total_dose_gy": course.total_dose_gy,
                "date": course.date,
                "label": course.label if isinstance(course, Course) else course.region,
                "technique": course.technique,
            }
            target = course.target if isinstance(course, Course) else _target_of(course, course.region or "")
        elif isinstance(course, Mapping):
            raw = course
            target = _target_of(course, str(course.get("label") or course.get("region") or ""))
        else:
            errors.append(FieldError(prefix, "must be an object with fractions and total_dose_gy"))
            continue
        n: int | None = None
        d: float | None = None
        if raw.get("fractions") is None:
            errors.append(FieldError(f"{prefix}.fractions", "is required"))
        else:
            n = check_fractions(raw["fractions"], f"{prefix}.fractions", errors)
        if raw.get("total_dose_gy") is None:
            errors.append(FieldError(f"{prefix}.total_dose_gy", "is required"))
        else:
            d = check_positive_dose(raw["total_dose_gy"], f"{prefix}.total_dose_gy", errors)
        when = check_date(raw.get("date"), f"{prefix}.date", errors)
        label = raw.get("label") or raw.get("region") or ""
        technique = raw.get("technique") or ""
        if target is not None:
            for path, reason in target_errors(target, f"{prefix}."):
                errors.append(FieldError(path, reason))
        if n is not None and d is not None:
            parsed.append(Course(n, d, when, str(label), str(technique), target))
    if len(errors) != before:
        return None
    return tuple(parsed)


# --------------------------------------------------------------------------- cumulative sum


@dataclass(frozen=True, slots=True)
class CourseContribution:
    """One course's EQD2 to the organ and its share of the cumulative EQD2 (percent)."""

    index: int
    fractions: int
    total_dose_gy: float
    dose_per_fraction_gy: float
    date: date | None
    label: str
    technique: str
    bed_gy: float
    eqd2_gy: float
    share_of_cumulative_pct: float

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """Input echo plus ``dose_per_fraction_gy``, ``bed_gy``, ``eqd2_gy``, ``share_of_cumulative_pct``."""
        return {
            "fractions": self.fractions,
            "total_dose_gy": maybe_round(self.total_dose_gy, decimals),
            "date": self.date.isoformat() if self.date else None,
            "label": self.label,
            "technique": self.technique,
            "dose_per_fraction_gy": maybe_round(self.dose_per_fraction_gy, decimals),
            "bed_gy": maybe_round(self.bed_gy, decimals),
            "eqd2_gy": maybe_round(self.eqd2_gy, decimals),
            "share_of_cumulative_pct": maybe_round(self.share_of_cumulative_pct, decimals),
        }


@dataclass(frozen=True, slots=True)
class ReirradiationResult:
    """Cumulative EQD2 of all courses to one organ against its cumulative limit."""

    organ: str
    alpha_beta: float
    courses: tuple[CourseContribution, ...]
    cumulative_eqd2_gy: float
    limit_eqd2_gy: float
    within_limit: bool
    limit_source: str
    alpha_beta_source: str
    #: Cautions about the comparison itself (e.g. a sum at another alpha/beta than the default limit's).
    warnings: tuple[str, ...] = ()

    @property
    def margin_eqd2_gy(self) -> float:
        """``limit - cumulative`` (negative when over the limit)."""
        return self.limit_eqd2_gy - self.cumulative_eqd2_gy

    @property
    def text(self) -> str:
        """One-line summary for display."""
        parts = " + ".join(f"{maybe_round(c.eqd2_gy, 2):g}" for c in self.courses)
        verdict = "within" if self.within_limit else "exceeds"
        return (
            f"{self.organ}: cumulative EQD2 (alpha/beta {self.alpha_beta:g}) {parts} = "
            f"{maybe_round(self.cumulative_eqd2_gy, 2):g} Gy, {verdict} the limit of "
            f"{maybe_round(self.limit_eqd2_gy, 2):g} Gy (source: {self.limit_source})"
        )

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"organ", "alpha_beta", "courses": [...], "cumulative_eqd2_gy", "limit_eqd2_gy", "within_limit",
        "margin_eqd2_gy", "limit_source", "alpha_beta_source", "warnings", "text"}``."""
        return {
            "organ": self.organ,
            "alpha_beta": maybe_round(self.alpha_beta, decimals),
            "courses": [c.to_dict(decimals) for c in self.courses],
            "cumulative_eqd2_gy": maybe_round(self.cumulative_eqd2_gy, decimals),
            "limit_eqd2_gy": maybe_round(self.limit_eqd2_gy, decimals),
            "within_limit": self.within_limit,
            "margin_eqd2_gy": maybe_round(self.margin_eqd2_gy, decimals),
            "limit_source": self.limit_source,
            "alpha_beta_source": self.alpha_beta_source,
            "warnings": list(self.warnings),
            "text": self.text,
        }


def _organ_error(code: object) -> FieldError:
    allowed = ", ".join(sorted(ORGANS_BY_CODE))
    return FieldError("organ", f"unknown organ {code!r}: must be one of {allowed}")


def _contributions(
    courses: Sequence[Course], ab: float, *, field: str = "courses", alpha_beta_field: str | None = "alpha_beta"
) -> tuple[tuple[CourseContribution, ...], float]:
    """Each course's BED/EQD2 and the cumulative EQD2; :class:`DoseInputError` when a figure overflows.

    ``alpha_beta_field`` names the alpha/beta in an overflow error (None when it is the organ's default,
    which the caller did not give).
    """
    values = []
    for course in courses:
        d = course.total_dose_gy / course.fractions
        values.append(
            (
                course,
                d,
                course.total_dose_gy * (1.0 + d / ab),
                course.total_dose_gy * ((d + ab) / (2.0 + ab)),
            )
        )
    overflow = [f"{field}[{i}].total_dose_gy" for i, v in enumerate(values) if not is_finite_result(v[2], v[3])]
    if overflow:
        raise DoseInputError(errors=overflow_errors(overflow, alpha_beta_field))
    cumulative = math.fsum(v[3] for v in values)
    if not math.isfinite(cumulative):
        raise DoseInputError(field, "the cumulative EQD2 of these courses cannot be represented")
    out = tuple(
        CourseContribution(
            index=i,
            fractions=course.fractions,
            total_dose_gy=course.total_dose_gy,
            dose_per_fraction_gy=d,
            date=course.date,
            label=course.label,
            technique=course.technique,
            bed_gy=bed_gy,
            eqd2_gy=eqd2_gy,
            share_of_cumulative_pct=100.0 * eqd2_gy / cumulative,
        )
        for i, (course, d, bed_gy, eqd2_gy) in enumerate(values)
    )
    return out, cumulative


def reirradiation_sum(
    organ: str,
    courses: Sequence[CourseInput],
    *,
    alpha_beta: float | None = None,
    limit_eqd2_gy: float | None = None,
) -> ReirradiationResult:
    """Sum the EQD2 (organ's alpha/beta unless given) of ``courses`` (prior courses and the planned one).

    ``organ`` is a code of ``catalogue.ORGANS`` (``spinal_cord``, ``thecal_sac``, ``cauda_equina``,
    ``kidney``); ``limit_eqd2_gy`` defaults to the organ's cumulative limit. Raises
    :class:`DoseInputError` (all problems at once) for an unknown organ, no course, invalid courses or an
    invalid alpha/beta or limit.
    """
    errors: list[FieldError] = []
    organ_data = ORGANS_BY_CODE.get(organ) if isinstance(organ, str) else None
    if organ_data is None:
        errors.append(_organ_error(organ))
    parsed = collect_course_errors(courses, "courses", errors)
    if parsed is not None and not parsed:
        errors.append(FieldError("courses", "must contain at least one course"))
    ab = check_alpha_beta(alpha_beta, "alpha_beta", errors) if alpha_beta is not None else None
    limit: float | None = None
    if limit_eqd2_gy is not None:
        limit = as_number(limit_eqd2_gy)
        if limit is None or not math.isfinite(limit) or limit <= 0:
            errors.append(FieldError("limit_eqd2_gy", "must be a finite number greater than 0 Gy"))
    if errors or organ_data is None or not parsed:
        raise DoseInputError(errors=errors)
    ab_used = ab if ab is not None else organ_data.alpha_beta
    limit_used = limit if limit is not None else organ_data.cumulative_limit_eqd2_gy
    contributions, cumulative = _contributions(parsed, ab_used, alpha_beta_field=None if ab is None else "alpha_beta")
    warnings: tuple[str, ...] = ()
    if limit is None and not math.isclose(ab_used, organ_data.alpha_beta, rel_tol=0.0, abs_tol=1e-12):
        warnings = (
            f"The default limit of {maybe_round(limit_used, LIMIT_DECIMALS):g} Gy is an EQD2 at alpha/beta "
            f"{organ_data.alpha_beta:g} ({organ_data.limit_source}); the courses were summed at alpha/beta "
            f"{ab_used:g}, so the sum and the limit are on different scales: give limit_eqd2_gy at alpha/beta "
            f"{ab_used:g}, or sum at {organ_data.alpha_beta:g}.",
        )
    return ReirradiationResult(
        organ=organ_data.code,
        alpha_beta=ab_used,
        courses=contributions,
        cumulative_eqd2_gy=cumulative,
        limit_eqd2_gy=limit_used,
        within_limit=within_reported_limit(cumulative, limit_used),
        limit_source=organ_data.limit_source if limit is None else "given by the user",
        alpha_beta_source=organ_data.alpha_beta_source if ab is None else "given by the user",
        warnings=warnings,
    )


# --------------------------------------------------------------------------- Sahgal / HyTEC checks


@dataclass(frozen=True, slots=True)
class ReirradiationCheck:
    """One Sahgal/HyTEC criterion with its figures (``measured`` None when ``unknown``)."""

    code: str
    status: CheckStatus
    measured: float | None
    operator: str
    limit: float
    unit: str
    text: str
    source: str

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "code": self.code,
            "kind": SAHGAL_CHECK_KINDS.get(self.code, self.code),
            "status": self.status.value,
            "measured": None if self.measured is None else maybe_round(self.measured, decimals),
            "operator": self.operator,
            "limit": self.limit,
            "unit": self.unit,
            "text": self.text,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class SpinalCordReirradiationAssessment:
    """The four Sahgal/HyTEC checks and the cumulative sum they use (prior courses first, SBRT last).

    ``status`` is derived: ``fail`` if any check fails, else ``unknown`` if any is unknown, else ``pass``.
    """

    summation: ReirradiationResult
    checks: tuple[ReirradiationCheck, ...]

    @property
    def status(self) -> CheckStatus:
        """Aggregate of the checks (see the class docstring)."""
        statuses = {c.status for c in self.checks}
        if CheckStatus.FAIL in statuses:
            return CheckStatus.FAIL
        if CheckStatus.UNKNOWN in statuses:
            return CheckStatus.UNKNOWN
        return CheckStatus.PASS

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"status", "checks": [...], "summation": {...}}``."""
        return {
            "status": self.status.value,
            "checks": [c.to_dict(decimals) for c in self.checks],
            "summation": self.summation.to_dict(decimals),
        }


def _le(measured: float, limit: float) -> CheckStatus:
    """``measured <= limit`` as reported (see the module docstring: never contradicts the figures shown)."""
    return CheckStatus.PASS if within_reported_limit(measured, limit) else CheckStatus.FAIL


def spinal_cord_sbrt_reirradiation(
    prior_courses: Sequence[CourseInput],
    sbrt_course: CourseInput,
    *,
    alpha_beta: float = SAHGAL_ALPHA_BETA,
    strict_chronology: bool = True,
) -> SpinalCordReirradiationAssessment:
    """The Sahgal 2012 / HyTEC checks for SBRT re-irradiation of the spine (see the module docstring).

    Doses are thecal-sac (cord) point maxima of each course. Raises :class:`DoseInputError` when there is
    no prior course, a course is invalid, or (``strict_chronology``, the default) the SBRT course is dated
    before a prior course; without ``strict_chronology`` that contradiction makes the interval check
    ``unknown`` and says which course is dated after the SBRT course.
    """
    errors: list[FieldError] = []
    priors = collect_course_errors(prior_courses, "prior_courses", errors)
    if priors is not None and not priors:
        errors.append(FieldError("prior_courses", "must contain at least one course: this is re-irradiation"))
    sbrt_parsed = collect_course_errors([sbrt_course], "sbrt_course", errors)
    ab = check_alpha_beta(alpha_beta, "alpha_beta", errors)
    if errors or not priors or not sbrt_parsed or ab is None:
        raise DoseInputError(errors=[FieldError(e.field.replace("sbrt_course[0]", "sbrt_course"), e.reason) for e in errors])
    sbrt = sbrt_parsed[0]
    late: list[int] = []
    if sbrt.date is not None:
        late = [i for i, c in enumerate(priors) if c.date is not None and c.date > sbrt.date]
        if late and strict_chronology:
            raise DoseInputError(
                errors=[FieldError(f"prior_courses[{i}].date", "must not be after the SBRT course's date") for i in late]
            )

    try:
        contributions, cumulative = _contributions((*priors, sbrt), ab)
    except DoseInputError as exc:  # name the inputs as the caller gave them
        raise DoseInputError(errors=[FieldError(_sahgal_field(e.field, len(priors)), e.reason) for e in exc.errors]) from exc
    sbrt_eqd2 = contributions[-1].eqd2_gy
    share = 100.0 * sbrt_eqd2 / cumulative
    summation = ReirradiationResult(
        organ="thecal_sac",
        alpha_beta=ab,
        courses=contributions,
        cumulative_eqd2_gy=cumulative,
        limit_eqd2_gy=SAHGAL_CUMULATIVE_LIMIT_EQD2_GY,
        within_limit=within_reported_limit(cumulative, SAHGAL_CUMULATIVE_LIMIT_EQD2_GY),
        limit_source=SAHGAL_SOURCE,
        alpha_beta_source=SAHGAL_SOURCE,
    )

    def r2(x: float) -> str:
        return f"{maybe_round(x, 2):g}"

    checks = [
        ReirradiationCheck(
            code="cumulative_eqd2_le_70",
            status=_le(cumulative, SAHGAL_CUMULATIVE_LIMIT_EQD2_GY),
            measured=cumulative,
            operator="<=",
            limit=SAHGAL_CUMULATIVE_LIMIT_EQD2_GY,
            unit="Gy EQD2",
            text=f"Cumulative thecal-sac point-max EQD2 {r2(cumulative)} Gy <= 70 Gy",
            source=SAHGAL_SOURCE,
        ),
        ReirradiationCheck(
            code="sbrt_course_eqd2_le_25",
            status=_le(sbrt_eqd2, SAHGAL_SBRT_COURSE_LIMIT_EQD2_GY),
            measured=sbrt_eqd2,
            operator="<=",
            limit=SAHGAL_SBRT_COURSE_LIMIT_EQD2_GY,
            unit="Gy EQD2",
            text=f"SBRT course thecal-sac point-max EQD2 {r2(sbrt_eqd2)} Gy <= 25 Gy",
            source=SAHGAL_SOURCE,
        ),
        ReirradiationCheck(
            code="sbrt_share_le_50pct",
            status=_le(share, SAHGAL_SBRT_SHARE_LIMIT_PCT),
            measured=share,
            operator="<=",
            limit=SAHGAL_SBRT_SHARE_LIMIT_PCT,
            unit="% of cumulative EQD2",
            text=f"SBRT course is {r2(share)} % of the cumulative EQD2 (<= 50 %)",
            source=SAHGAL_SOURCE,
        ),
        _interval_check(priors, sbrt, late),
    ]
    return SpinalCordReirradiationAssessment(summation=summation, checks=tuple(checks))


def _sahgal_field(name: str, prior_count: int) -> str:
    """``courses[i].x`` of the combined list as ``prior_courses[i].x`` or ``sbrt_course.x``."""
    match = re.fullmatch(r"courses\[(\d+)\]\.(.+)", name)
    if match is None:
        return name
    index, rest = int(match.group(1)), match.group(2)
    return f"prior_courses[{index}].{rest}" if index < prior_count else f"sbrt_course.{rest}"


def _interval_check(priors: Sequence[Course], sbrt: Course, late: Sequence[int] = ()) -> ReirradiationCheck:
    common: dict[str, Any] = {
        "code": "interval_ge_5_months",
        "operator": ">=",
        "limit": float(SAHGAL_MIN_INTERVAL_MONTHS),
        "unit": "calendar months",
        "source": SAHGAL_SOURCE,
    }
    if late:
        which = ", ".join(f"prior_courses[{i}].date" for i in late)
        return ReirradiationCheck(
            **common,
            status=CheckStatus.UNKNOWN,
            measured=None,
            text=f"unknown: {which} is after the SBRT course's date (which course is the SBRT re-irradiation?)",
        )
    undated = [i for i, c in enumerate(priors) if c.date is None]
    if sbrt.date is None or undated:
        needs = "sbrt_course.date" if sbrt.date is None else ", ".join(f"prior_courses[{i}].date" for i in undated)
        return ReirradiationCheck(**common, status=CheckStatus.UNKNOWN, measured=None, text=f"unknown: needs {needs}")
    previous = max(c.date for c in priors if c.date is not None)
    months = complete_months_between(previous, sbrt.date)
    earliest = add_months(previous, SAHGAL_MIN_INTERVAL_MONTHS)
    status = CheckStatus.PASS if sbrt.date >= earliest else CheckStatus.FAIL
    days = (sbrt.date - add_months(previous, months)).days
    return ReirradiationCheck(
        **common,
        status=status,
        measured=float(months),
        text=(
            f"{months} months {days} days from the previous course ({previous.isoformat()}) to the SBRT "
            f"course ({sbrt.date.isoformat()}); 5 months are reached on {earliest.isoformat()}"
        ),
    )
