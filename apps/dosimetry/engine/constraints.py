"""Dose constraints as data, and the check of a measured dose against one.

A :class:`Constraint` is data (organ, metric, limit, how the limit is expressed, alpha/beta, fraction
count it applies to, source); the constraint sets themselves live in ``catalogue.py``.

How a check is decided (:func:`check_constraint`):

* The comparison is made in the unit of the limit: physical Gy (``LimitUnit.GY``), EQD2 Gy at the
  constraint's alpha/beta (``LimitUnit.EQD2_GY``; the measured point dose D received in the plan's n
  fractions is converted with d = D / n, see ``lq.py``), or percent of the prescription
  (``LimitUnit.PERCENT_OF_PRESCRIPTION``; the limit becomes ``limit / 100 * prescription_gy`` in Gy, and a
  prescription is required).
* ``margin`` is signed, in the compared unit, positive on the safe side: ``limit - measured`` for a
  ``max`` constraint, ``measured - limit`` for a ``min`` constraint.
* status ``fail`` when ``margin < 0``; ``near`` when ``0 <= margin <= 5 % of the limit`` (both ends
  included: a dose exactly at the limit is ``near``, and a dose exactly 5 % inside it is ``near`` too);
  ``pass`` when ``margin > 5 % of the limit``. Comparisons absorb float noise of :data:`COMPARISON_EPS_GY`
  (1e-9 Gy), so a dose that equals the limit arithmetically is never failed by the last binary digit.
* A constraint bound to a fraction count (``fractions`` not None) is ``not_applicable`` to a plan with a
  different count: a physical limit such as "34 Gy in 10 fractions" says nothing about 5 fractions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from apps.dosimetry.engine.errors import DoseInputError, FieldError
from apps.dosimetry.engine.lq import (
    check_fractions,
    eqd2,
    maybe_round,
    maybe_round_opt,
    total_dose_for_eqd2,
)

#: Width of the "near" band, as a fraction of the limit (clinical-rules.md §7 brief: within 5 %).
NEAR_FRACTION = 0.05
#: Float tolerance of every limit comparison, in Gy.
COMPARISON_EPS_GY = 1e-9


class Metric(StrEnum):
    """Dose-volume metrics (all in Gy). ``Dx%`` / ``Dxcc``: minimum dose to the hottest x % / x cm3."""

    DMAX = "Dmax"
    DMIN = "Dmin"
    DMEAN = "Dmean"
    D0_03CC = "D0.03cc"
    D0_1CC = "D0.1cc"
    D0_5CC = "D0.5cc"
    D1CC = "D1cc"
    D2_PCT = "D2%"
    D50_PCT = "D50%"
    D95_PCT = "D95%"
    D98_PCT = "D98%"


class LimitUnit(StrEnum):
    """How a constraint's limit is expressed."""

    GY = "gy"
    EQD2_GY = "eqd2_gy"
    PERCENT_OF_PRESCRIPTION = "percent_of_prescription"


class Direction(StrEnum):
    """``max``: the measured dose must not exceed the limit; ``min``: it must reach it."""

    MAX = "max"
    MIN = "min"


class CheckStatus(StrEnum):
    """Outcome of one check. ``unknown``: a figure the check needs is missing (it says which)."""

    PASS = "pass"  # noqa: S105 - a check outcome, not a password
    NEAR = "near"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Constraint:
    """One dose constraint (data). ``code`` is stable and unique across all constraint sets.

    ``organ`` is a structure code (``spinal_cord``, ``cauda_equina``, ``kidney``, ``ptv``...).
    ``alpha_beta`` is required for ``EQD2_GY`` limits and optional otherwise (then used to report EQD2
    equivalents of a physical limit). ``fractions`` None means the limit applies at any fraction count.
    """

    code: str
    organ: str
    metric: Metric
    limit: float
    unit: LimitUnit
    direction: Direction
    source: str
    alpha_beta: float | None = None
    fractions: int | None = None
    note: str = ""

    def applies_to(self, fractions: int) -> bool:
        """True when the constraint holds for a plan in ``fractions`` fractions."""
        return self.fractions is None or self.fractions == fractions

    @property
    def comparison(self) -> str:
        """``"<="`` for a maximum, ``">="`` for a minimum."""
        return "<=" if self.direction is Direction.MAX else ">="

    def describe(self) -> str:
        """Human-readable statement, e.g. ``spinal_cord Dmax <= 34 Gy (10 fx)``."""
        if self.unit is LimitUnit.EQD2_GY:
            unit = f"Gy EQD2 (alpha/beta {self.alpha_beta:g})" if self.alpha_beta else "Gy EQD2"
        elif self.unit is LimitUnit.PERCENT_OF_PRESCRIPTION:
            unit = "% of prescription"
        else:
            unit = "Gy"
        fx = f" in {self.fractions} fx" if self.fractions is not None else ""
        return f"{self.organ} {self.metric.value} {self.comparison} {self.limit:g} {unit}{fx}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict of the data (for fixtures and data migrations)."""
        return {
            "code": self.code,
            "organ": self.organ,
            "metric": self.metric.value,
            "limit": self.limit,
            "unit": self.unit.value,
            "direction": self.direction.value,
            "alpha_beta": self.alpha_beta,
            "fractions": self.fractions,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ConstraintSet:
    """A named list of constraints used together (e.g. seed 002's 30/40 Gy SIB plan constraints)."""

    code: str
    name: str
    constraints: tuple[Constraint, ...]
    source: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with the constraints' dicts."""
        return {
            "code": self.code,
            "name": self.name,
            "source": self.source,
            "description": self.description,
            "constraints": [c.to_dict() for c in self.constraints],
        }


@dataclass(frozen=True, slots=True)
class ConstraintCheck:
    """A measured dose against one constraint, with every figure used.

    ``measured_gy`` / ``limit_gy``: physical dose in the plan's fractions (for an EQD2 limit, ``limit_gy``
    is the physical dose in these fractions whose EQD2 equals the limit). ``measured_eqd2_gy`` /
    ``limit_eqd2_gy``: EQD2 at ``alpha_beta`` when the constraint has one (None otherwise).
    ``compared_in`` is the unit of the decisive comparison; ``margin`` (signed, positive = safe side) and
    ``margin_pct`` (of the limit) are in that unit.
    """

    constraint_code: str
    organ: str
    metric: str
    direction: str
    comparison: str
    status: CheckStatus
    measured_gy: float | None
    limit_gy: float | None
    measured_eqd2_gy: float | None
    limit_eqd2_gy: float | None
    compared_in: str
    margin: float | None
    margin_pct: float | None
    fractions: int
    alpha_beta: float | None
    prescription_gy: float | None
    source: str
    text: str
    structure: str = ""

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """JSON-serialisable dict; figures rounded half-up to ``decimals`` when given."""
        return {
            "constraint_code": self.constraint_code,
            "structure": self.structure or self.organ,
            "organ": self.organ,
            "metric": self.metric,
            "direction": self.direction,
            "comparison": self.comparison,
            "status": self.status.value,
            "measured_gy": maybe_round_opt(self.measured_gy, decimals),
            "limit_gy": maybe_round_opt(self.limit_gy, decimals),
            "measured_eqd2_gy": maybe_round_opt(self.measured_eqd2_gy, decimals),
            "limit_eqd2_gy": maybe_round_opt(self.limit_eqd2_gy, decimals),
            "compared_in": self.compared_in,
            "margin": maybe_round_opt(self.margin, decimals),
            "margin_pct": maybe_round_opt(self.margin_pct, decimals),
            "fractions": self.fractions,
            "alpha_beta": self.alpha_beta,
            "prescription_gy": maybe_round_opt(self.prescription_gy, decimals),
            "source": self.source,
            "text": self.text,
        }


def classify_margin(margin: float, limit: float) -> CheckStatus:
    """``fail`` / ``near`` / ``pass`` from a signed margin and the limit (see the module docstring)."""
    if margin < -COMPARISON_EPS_GY:
        return CheckStatus.FAIL
    if margin <= NEAR_FRACTION * abs(limit) + COMPARISON_EPS_GY:
        return CheckStatus.NEAR
    return CheckStatus.PASS


def _check_measured(value: object, field: str, errors: list[FieldError]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append(FieldError(field, "must be a number (Gy)"))
        return None
    number = float(value)
    if not math.isfinite(number):
        errors.append(FieldError(field, "must be a finite number"))
        return None
    if number < 0.0:
        errors.append(FieldError(field, "must not be negative"))
        return None
    return number


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{maybe_round(value, 2):g}"


def check_constraint(
    constraint: Constraint,
    measured_gy: float,
    *,
    fractions: int,
    prescription_gy: float | None = None,
    structure: str = "",
) -> ConstraintCheck:
    """Check ``measured_gy`` (the constraint's metric, physical Gy, whole course in ``fractions``).

    ``prescription_gy`` (the total prescribed dose of the structure's level) is required for
    percent-of-prescription limits; without it the status is ``unknown``. Raises
    :class:`DoseInputError` for a negative/NaN measured dose or an invalid fraction count.
    """
    errors: list[FieldError] = []
    measured = _check_measured(measured_gy, "measured_gy", errors)
    n = check_fractions(fractions, "fractions", errors)
    if prescription_gy is not None:
        rx = _check_measured(prescription_gy, "prescription_gy", errors)
        if rx is not None and rx <= 0.0:
            errors.append(FieldError("prescription_gy", "must be greater than 0 Gy"))
    if errors or measured is None or n is None:
        raise DoseInputError(errors=errors)

    ab = constraint.alpha_beta
    measured_eqd2 = eqd2(measured, n, ab) if ab is not None else None
    base: dict[str, Any] = {
        "constraint_code": constraint.code,
        "organ": constraint.organ,
        "metric": constraint.metric.value,
        "direction": constraint.direction.value,
        "comparison": constraint.comparison,
        "measured_gy": measured,
        "measured_eqd2_gy": measured_eqd2,
        "fractions": n,
        "alpha_beta": ab,
        "prescription_gy": prescription_gy,
        "source": constraint.source,
        "structure": structure,
    }
    label = structure or constraint.organ

    if not constraint.applies_to(n):
        return ConstraintCheck(
            **base,
            status=CheckStatus.NOT_APPLICABLE,
            limit_gy=None,
            limit_eqd2_gy=None,
            compared_in=constraint.unit.value,
            margin=None,
            margin_pct=None,
            text=f"{constraint.describe()}: not applicable to a plan in {n} fractions",
        )

    if constraint.unit is LimitUnit.PERCENT_OF_PRESCRIPTION:
        if prescription_gy is None:
            return ConstraintCheck(
                **base,
                status=CheckStatus.UNKNOWN,
                limit_gy=None,
                limit_eqd2_gy=None,
                compared_in=LimitUnit.GY.value,
                margin=None,
                margin_pct=None,
                text=f"{constraint.describe()}: unknown: needs prescription_gy",
            )
        limit_gy = constraint.limit / 100.0 * prescription_gy
        limit_eqd2 = eqd2(limit_gy, n, ab) if ab is not None else None
        compared, limit_cmp, measured_cmp = LimitUnit.GY, limit_gy, measured
    elif constraint.unit is LimitUnit.EQD2_GY:
        if ab is None:  # pragma: no cover - catalogue data is validated by tests
            raise ValueError(f"constraint {constraint.code} has an EQD2 limit without alpha/beta")
        limit_eqd2 = constraint.limit
        limit_gy = total_dose_for_eqd2(limit_eqd2, n, ab)
        compared, limit_cmp, measured_cmp = LimitUnit.EQD2_GY, limit_eqd2, eqd2(measured, n, ab)
    else:
        limit_gy = constraint.limit
        limit_eqd2 = eqd2(limit_gy, n, ab) if ab is not None else None
        compared, limit_cmp, measured_cmp = LimitUnit.GY, limit_gy, measured

    margin = limit_cmp - measured_cmp if constraint.direction is Direction.MAX else measured_cmp - limit_cmp
    status = classify_margin(margin, limit_cmp)
    unit_txt = "Gy EQD2" if compared is LimitUnit.EQD2_GY else "Gy"
    text = (
        f"{label} {constraint.metric.value} {_fmt(measured_cmp)} {unit_txt} {constraint.comparison} "
        f"{_fmt(limit_cmp)} {unit_txt}"
        + (
            f" ({constraint.limit:g} % of {_fmt(prescription_gy)} Gy)"
            if prescription_gy is not None and constraint.unit is LimitUnit.PERCENT_OF_PRESCRIPTION
            else ""
        )
        + f": {status.value}, margin {_fmt(margin)} {unit_txt} (source: {constraint.source})"
    )
    return ConstraintCheck(
        **base,
        status=status,
        limit_gy=limit_gy,
        limit_eqd2_gy=limit_eqd2,
        compared_in=compared.value,
        margin=margin,
        margin_pct=(100.0 * margin / limit_cmp) if limit_cmp else None,
        text=text,
    )


def structure_matches(organ: str, structure: str) -> bool:
    """Whether a structure key answers a constraint's organ code.

    Exact match (case-insensitive), or for targets the organ ``ptv``/``gtv``/``ctv`` followed by a
    level suffix (``ptv30``, ``ptv_40``, ``PTV-30``), so each PTV of a SIB is checked against its own
    prescription.
    """
    s = structure.strip().lower()
    o = organ.lower()
    if s == o:
        return True
    if o in {"ptv", "ctv", "gtv"} and s.startswith(o):
        rest = s[len(o) :]
        return bool(rest) and (rest[0] in "_- " or rest[0].isdigit())
    return False


def check_constraint_set(
    constraints: tuple[Constraint, ...],
    structures: dict[str, dict[str, float]],
    *,
    fractions: int,
    prescriptions: dict[str, float] | None = None,
) -> tuple[ConstraintCheck, ...]:
    """Check every applicable constraint against the structures that answer it.

    ``structures`` maps a structure key to its metrics (``{"spinal_cord": {"Dmax": 31.2}}``).
    Constraints that do not apply at ``fractions`` are skipped. A constraint whose organ has a structure
    but not the metric gives an ``unknown`` check ("needs <metric>"); a constraint with no matching
    structure is skipped (the plan has no such organ contoured). ``prescriptions`` maps a structure key
    to its prescribed total dose, for percent-of-prescription limits.
    """
    out: list[ConstraintCheck] = []
    for constraint in constraints:
        if not constraint.applies_to(fractions):
            continue
        for key, metrics in structures.items():
            if not structure_matches(constraint.organ, key):
                continue
            value = metrics.get(constraint.metric.value)
            rx = (prescriptions or {}).get(key)
            if value is None:
                out.append(
                    ConstraintCheck(
                        constraint_code=constraint.code,
                        organ=constraint.organ,
                        metric=constraint.metric.value,
                        direction=constraint.direction.value,
                        comparison=constraint.comparison,
                        status=CheckStatus.UNKNOWN,
                        measured_gy=None,
                        limit_gy=None,
                        measured_eqd2_gy=None,
                        limit_eqd2_gy=None,
                        compared_in=constraint.unit.value,
                        margin=None,
                        margin_pct=None,
                        fractions=fractions,
                        alpha_beta=constraint.alpha_beta,
                        prescription_gy=rx,
                        source=constraint.source,
                        text=f"{constraint.describe()}: unknown: needs {key} {constraint.metric.value}",
                        structure=key,
                    )
                )
                continue
            out.append(check_constraint(constraint, value, fractions=fractions, prescription_gy=rx, structure=key))
    return tuple(out)
