"""Linear-quadratic model: BED and EQD2 of a regimen, per dose level of a simultaneous integrated boost.

source: clinical-rules.md §7; 002_eaa0f11dde358788.txt (30/40 Gy SIB in 10 fractions, alpha/beta 0.87 for
the spinal cord per QUANTEC, 2 for the cauda equina).

Formulae (exact, full float precision; rounding happens only in ``to_dict(decimals=...)``)::

    d    = D / n                       dose per fraction
    BED  = n * d * (1 + d / ab)        = D * (1 + d / ab)
    EQD2 = BED / (1 + 2 / ab)          = D * ((d + ab) / (2 + ab))

The right-hand forms are algebraically identical and are what the code evaluates: they use the total
dose D directly (no ``n * (D / n)`` round trip) and make EQD2 equal D exactly when d = 2 Gy.

Validation rules (each violation is a :class:`~apps.dosimetry.engine.errors.FieldError`; all violations of
a call are reported together in one :class:`~apps.dosimetry.engine.errors.DoseInputError`):

* ``fractions``: an integer (an integral float such as ``10.0`` is accepted as 10; booleans are not) from
  1 to 50 (:data:`MAX_FRACTIONS`; no bone-metastasis regimen of the catalogue exceeds 30).
* ``total_dose_gy``: a finite number **greater than 0**. A 0 Gy course is rejected rather than computed as
  BED 0: a planned or prior course of 0 Gy is always a data-entry error, and accepting it would let an
  empty form pass as "no dose". (Measured doses to organs, which may legitimately be 0 Gy, are validated
  elsewhere: see ``constraints.py``.) No upper bound is imposed: the LQ model is less reliable above
  ~8-10 Gy per fraction, which the catalogue notes as a caution, but the figure is still computed.
* ``alpha_beta``: a finite number greater than 0.
* ``levels``: at least one level; all levels of a SIB share the same fraction count (the first level's).
* the result must be a finite number: finite inputs whose BED overflows a float (e.g. 1e300 Gy, or an
  alpha/beta of 1e-320) are rejected naming both the level's ``total_dose_gy`` and ``alpha_beta`` (it is
  their ratio d / ab that overflows), rather than answered with an infinite figure that JSON cannot carry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from apps.dosimetry.engine.errors import DoseInputError, FieldError

MIN_FRACTIONS = 1
MAX_FRACTIONS = 50
#: alpha/beta of tumour (BED10); source: clinical-rules.md §7.
TUMOUR_ALPHA_BETA = 10.0
#: Reference dose per fraction of EQD2.
REFERENCE_DOSE_PER_FRACTION = 2.0

_NUMBER_TYPES = (int, float, Decimal, Fraction)


# --------------------------------------------------------------------------- plain-float fast path


def bed(total_dose_gy: float, fractions: int, alpha_beta: float) -> float:
    """BED in Gy of ``total_dose_gy`` in ``fractions`` fractions; no validation (fast path)."""
    return total_dose_gy * (1.0 + total_dose_gy / fractions / alpha_beta)


def eqd2(total_dose_gy: float, fractions: int, alpha_beta: float) -> float:
    """EQD2 in Gy (equivalent dose in 2-Gy fractions); no validation (fast path)."""
    return total_dose_gy * ((total_dose_gy / fractions + alpha_beta) / (REFERENCE_DOSE_PER_FRACTION + alpha_beta))


def bed_eqd2(total_dose_gy: float, fractions: int, alpha_beta: float) -> tuple[float, float]:
    """``(BED, EQD2)`` in one call; no validation (fast path used by the benchmark and bulk callers)."""
    d = total_dose_gy / fractions
    return (
        total_dose_gy * (1.0 + d / alpha_beta),
        total_dose_gy * ((d + alpha_beta) / (REFERENCE_DOSE_PER_FRACTION + alpha_beta)),
    )


def eqd2_from_bed(bed_gy: float, alpha_beta: float) -> float:
    """EQD2 = BED / (1 + 2 / ab)."""
    return bed_gy / (1.0 + REFERENCE_DOSE_PER_FRACTION / alpha_beta)


def total_dose_for_eqd2(eqd2_gy: float, fractions: int, alpha_beta: float) -> float:
    """Physical total dose in ``fractions`` fractions whose EQD2 is ``eqd2_gy`` (inverse of :func:`eqd2`).

    Solves ``D**2 / n + ab * D - E * (2 + ab) = 0`` for its positive root; used to show an EQD2 limit as a
    physical dose at the plan's fraction count.
    """
    n = fractions
    ab = alpha_beta
    return n / 2.0 * (-ab + math.sqrt(ab * ab + 4.0 * eqd2_gy * (REFERENCE_DOSE_PER_FRACTION + ab) / n))


# --------------------------------------------------------------------------- rounding for display


def round_half_up(value: float, decimals: int) -> float:
    """Round half away from zero on the shortest decimal representation (``2.675 -> 2.68``).

    Python's ``round`` rounds half to even on the binary value (``round(2.675, 2) == 2.67``), which
    surprises clinicians comparing with a published table; this is used only for presentation.
    """
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def maybe_round(value: float, decimals: int | None) -> float:
    """``value`` unchanged when ``decimals`` is None, else :func:`round_half_up`."""
    return value if decimals is None else round_half_up(value, decimals)


def maybe_round_opt(value: float | None, decimals: int | None) -> float | None:
    """:func:`maybe_round` that lets None through."""
    return None if value is None else maybe_round(value, decimals)


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True, slots=True)
class DoseLevel:
    """One dose level: ``total_dose_gy`` in ``fractions`` fractions (a SIB has several with the same n).

    ``label`` optionally names the target of the level (e.g. ``"PTV30"``, ``"GTV40"``).
    Build validated instances with :func:`validate_levels`; the constructor itself does not validate.
    """

    fractions: int
    total_dose_gy: float
    label: str = ""

    @property
    def dose_per_fraction_gy(self) -> float:
        """d = D / n."""
        return self.total_dose_gy / self.fractions


class LevelResult(NamedTuple):
    """BED and EQD2 of one dose level at the regimen's alpha/beta (all in Gy, full precision).

    An immutable ``NamedTuple`` rather than a frozen dataclass: the results are built on the hot path of
    the dose calculator and the benchmark, and a frozen dataclass costs about 5 times more to construct
    (each field goes through ``object.__setattr__``).
    """

    fractions: int
    total_dose_gy: float
    dose_per_fraction_gy: float
    bed_gy: float
    eqd2_gy: float
    label: str = ""

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"fractions", "total_dose_gy", "dose_per_fraction_gy", "bed_gy", "eqd2_gy"}`` (+ ``label``
        when set); figures rounded half-up to ``decimals`` when given."""
        out: dict[str, Any] = {
            "fractions": self.fractions,
            "total_dose_gy": maybe_round(self.total_dose_gy, decimals),
            "dose_per_fraction_gy": maybe_round(self.dose_per_fraction_gy, decimals),
            "bed_gy": maybe_round(self.bed_gy, decimals),
            "eqd2_gy": maybe_round(self.eqd2_gy, decimals),
        }
        if self.label:
            out["label"] = self.label
        return out


class RegimenResult(NamedTuple):
    """BED/EQD2 of every level of a regimen at one alpha/beta (the ``dose`` calculator's answer).

    A ``NamedTuple`` for the same reason as :class:`LevelResult`.
    """

    levels: tuple[LevelResult, ...]
    alpha_beta: float

    @property
    def is_sib(self) -> bool:
        """True for a simultaneous integrated boost (more than one dose level)."""
        return len(self.levels) > 1

    @property
    def fractions(self) -> int:
        """The (common) fraction count."""
        return self.levels[0].fractions

    @property
    def max_level(self) -> LevelResult:
        """The level with the highest BED (the boost of a SIB)."""
        return max(self.levels, key=lambda level: level.bed_gy)

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """``{"levels": [LevelResult.to_dict()...], "alpha_beta"}``."""
        return {
            "levels": [level.to_dict(decimals) for level in self.levels],
            "alpha_beta": maybe_round(self.alpha_beta, decimals),
        }


LevelInput = DoseLevel | Mapping[str, Any]


# --------------------------------------------------------------------------- validation


def as_number(value: object) -> float | None:
    """``value`` as a float if it is a real number (not a bool, not a string), else None."""
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def check_fractions(value: object, field: str, errors: list[FieldError]) -> int | None:
    """Validate a fraction count; append to ``errors`` and return None when invalid."""
    number = as_number(value)
    if number is None:
        errors.append(FieldError(field, "must be an integer number of fractions"))
        return None
    if not math.isfinite(number):
        errors.append(FieldError(field, "must be a finite number"))
        return None
    if number != int(number):
        errors.append(FieldError(field, "must be an integer number of fractions"))
        return None
    n = int(number)
    if not MIN_FRACTIONS <= n <= MAX_FRACTIONS:
        errors.append(FieldError(field, f"must be between {MIN_FRACTIONS} and {MAX_FRACTIONS}"))
        return None
    return n


def _positive_number(value: object, field: str, errors: list[FieldError], *, above: str) -> float | None:
    number = as_number(value)
    if number is None:
        errors.append(FieldError(field, "must be a number (Gy)"))
        return None
    if not math.isfinite(number):
        errors.append(FieldError(field, "must be a finite number"))
        return None
    if number <= 0.0:
        errors.append(FieldError(field, f"must be greater than {above}"))
        return None
    return number


def check_positive_dose(value: object, field: str, errors: list[FieldError]) -> float | None:
    """Validate a course's total dose: finite and > 0 Gy (0 Gy is rejected, see the module docstring)."""
    return _positive_number(value, field, errors, above="0 Gy")


def check_alpha_beta(value: object, field: str, errors: list[FieldError]) -> float | None:
    """Validate an alpha/beta ratio: finite and > 0 Gy."""
    return _positive_number(value, field, errors, above="0")


def _level_parts(level: object) -> tuple[object, object, str, bool]:
    """``(fractions, total_dose_gy, label, present)`` of a DoseLevel or a mapping."""
    if isinstance(level, DoseLevel):
        return level.fractions, level.total_dose_gy, level.label, True
    if isinstance(level, Mapping):
        label = level.get("label", "")
        return (
            level.get("fractions"),
            level.get("total_dose_gy"),
            label if isinstance(label, str) else "",
            True,
        )
    return None, None, "", False


def collect_level_errors(levels: object, field: str, errors: list[FieldError]) -> tuple[DoseLevel, ...] | None:
    """Validate a list of dose levels into ``errors``; return the levels when all are valid."""
    if isinstance(levels, (str, bytes, Mapping)) or not isinstance(levels, Sequence):
        errors.append(FieldError(field, "must be a list of dose levels"))
        return None
    if not levels:
        errors.append(FieldError(field, "must contain at least one dose level"))
        return None
    before = len(errors)
    parsed: list[DoseLevel] = []
    first_n: int | None = None
    for i, level in enumerate(levels):
        prefix = f"{field}[{i}]"
        raw_n, raw_d, label, present = _level_parts(level)
        if not present:
            errors.append(FieldError(prefix, "must be an object with fractions and total_dose_gy"))
            continue
        n: int | None = None
        d: float | None = None
        if raw_n is None:
            errors.append(FieldError(f"{prefix}.fractions", "is required"))
        else:
            n = check_fractions(raw_n, f"{prefix}.fractions", errors)
        if raw_d is None:
            errors.append(FieldError(f"{prefix}.total_dose_gy", "is required"))
        else:
            d = check_positive_dose(raw_d, f"{prefix}.total_dose_gy", errors)
        if n is not None:
            if first_n is None:
                first_n = n
            elif n != first_n:
                errors.append(
                    FieldError(
                        f"{prefix}.fractions",
                        f"must equal {field}[0].fractions ({first_n}): every level of a simultaneous "
                        "integrated boost is given in the same fractions",
                    )
                )
        if n is not None and d is not None:
            parsed.append(DoseLevel(n, d, label))
    if len(errors) != before:
        return None
    return tuple(parsed)


def validate_levels(
    levels: object, alpha_beta: object = TUMOUR_ALPHA_BETA, *, field: str = "levels"
) -> tuple[tuple[DoseLevel, ...], float]:
    """Validated ``(levels, alpha_beta)``; raises :class:`DoseInputError` listing every problem."""
    errors: list[FieldError] = []
    parsed = collect_level_errors(levels, field, errors)
    ab = check_alpha_beta(alpha_beta, "alpha_beta", errors)
    if errors or parsed is None or ab is None:
        raise DoseInputError(errors=errors)
    return parsed, ab


# --------------------------------------------------------------------------- evaluation


def evaluate_level(level: DoseLevel, alpha_beta: float) -> LevelResult:
    """BED/EQD2 of an already validated level."""
    total = level.total_dose_gy
    d = total / level.fractions
    return LevelResult(
        level.fractions,
        total,
        d,
        total * (1.0 + d / alpha_beta),
        total * ((d + alpha_beta) / (REFERENCE_DOSE_PER_FRACTION + alpha_beta)),
        level.label,
    )


def evaluate(levels: object, alpha_beta: object = TUMOUR_ALPHA_BETA) -> RegimenResult:
    """Validate and evaluate a regimen (one level) or a SIB (several levels with the same fractions).

    ``levels`` is a sequence of :class:`DoseLevel` or mappings ``{"fractions", "total_dose_gy"[, "label"]}``
    (the API body). Raises :class:`DoseInputError` on invalid input.
    source: clinical-rules.md §7.

    Plain input (a list or tuple of DoseLevel or dict with int fractions and int/float doses, a float or
    int alpha/beta) is checked and computed inline; anything else, or anything invalid, goes through
    :func:`validate_levels`, which accepts the same values and reports every error. Both paths give
    identical results (``test_lq.py`` pins it).
    """
    try:
        fast = _evaluate_plain(levels, alpha_beta)
    except OverflowError:  # an int too large for a float: the full path reports it as not finite
        fast = None
    if fast is not None:
        return fast
    parsed, ab = validate_levels(levels, alpha_beta)
    results = tuple(evaluate_level(level, ab) for level in parsed)
    overflow = [i for i, result in enumerate(results) if not is_finite_result(result.bed_gy, result.eqd2_gy)]
    if overflow:
        raise DoseInputError(errors=overflow_errors([f"levels[{i}].total_dose_gy" for i in overflow], "alpha_beta"))
    return RegimenResult(results, ab)


def is_finite_result(*values: float) -> bool:
    """True when every computed figure is a finite float (no overflow to infinity)."""
    return all(math.isfinite(value) for value in values)


def overflow_errors(dose_fields: Sequence[str], alpha_beta_field: str | None) -> list[FieldError]:
    """Errors for finite inputs whose BED/EQD2 overflow: the doses named, and the alpha/beta when given."""
    reason = "is too large for the alpha/beta given: the BED (D (1 + d / ab)) cannot be represented"
    errors = [FieldError(field, reason) for field in dose_fields]
    if alpha_beta_field is not None:
        errors.append(
            FieldError(alpha_beta_field, "is too small for the dose given: the BED (D (1 + d / ab)) cannot be represented")
        )
    return errors


_INF = math.inf
#: ``tuple.__new__`` builds a NamedTuple without its generated ``__new__`` wrapper (twice as fast).
_tuple_new = tuple.__new__


def _evaluate_plain(levels: object, alpha_beta: object) -> RegimenResult | None:
    """Inline validation + evaluation of plain, valid input; None sends the caller to the full path."""
    ab_type = type(alpha_beta)
    if (ab_type is not float and ab_type is not int) or (type(levels) is not list and type(levels) is not tuple):
        return None
    ab = float(alpha_beta)  # type: ignore[arg-type]
    if not 0.0 < ab < _INF or not levels:
        return None
    out: list[LevelResult] = []
    first_n = 0
    ab2 = REFERENCE_DOSE_PER_FRACTION + ab
    for level in levels:
        level_type = type(level)
        if level_type is DoseLevel:
            n: object = level.fractions
            total: object = level.total_dose_gy
            label: object = level.label
        elif level_type is dict:
            n = level.get("fractions")
            total = level.get("total_dose_gy")
            label = level.get("label", "")
        else:
            return None
        total_type = type(total)
        if (
            type(n) is not int
            or not MIN_FRACTIONS <= n <= MAX_FRACTIONS
            or (total_type is not float and total_type is not int)
            or not 0.0 < total < _INF  # type: ignore[operator]
            or (first_n and n != first_n)
            or type(label) is not str
        ):
            return None
        first_n = n
        dose = float(total)  # type: ignore[arg-type]
        d = dose / n
        bed_gy = dose * (1.0 + d / ab)
        eqd2_gy = dose * ((d + ab) / ab2)
        if not (bed_gy < _INF and eqd2_gy < _INF):  # overflow: the full path reports it
            return None
        out.append(_tuple_new(LevelResult, (n, dose, d, bed_gy, eqd2_gy, label)))
    return _tuple_new(RegimenResult, (tuple(out), ab))


def evaluate_regimen(fractions: int, *total_doses_gy: float, alpha_beta: float = TUMOUR_ALPHA_BETA) -> RegimenResult:
    """Convenience: ``evaluate_regimen(10, 30, 40)`` is the 30/40 Gy SIB in 10 fractions."""
    return evaluate([DoseLevel(fractions, dose) for dose in total_doses_gy], alpha_beta)
