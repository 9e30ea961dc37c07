"""Clinically sane bounds of every dose figure a person types (calculators, plans, prior courses,
re-irradiation limits, organ-at-risk metrics). Pure Python: no Django.

The LQ functions themselves stay general (they compute any finite input); these bounds are applied where
input enters the system, so an absurd figure (``1e14`` Gy, an alpha/beta of ``1e30``) is a 400 naming the
field instead of a 500, and a plan that could never be computed never reaches the worker.

* ``total_dose_gy`` of a course: > 0 and at most :data:`MAX_TOTAL_DOSE_GY` = 200 Gy. The highest external
  beam prescriptions in use are about 80 Gy (curative prostate, 78-80 Gy in 39-40 fractions, CHHiP /
  Dearnaley et al., Lancet Oncol 2016); bone-metastasis regimens stop at 40 Gy (clinical-rules.md §7).
  200 Gy is more than twice anything real, and is the bound the case intake already applies to prior
  radiotherapy (``apps.cases.api.serializers.PriorRadiotherapySerializer``).
* dose per fraction: at most :data:`MAX_DOSE_PER_FRACTION_GY` = 30 Gy. The largest single fractions given
  are 24 Gy spine radiosurgery (Yamada et al., IJROBP 2008;71:484) and 24 Gy cranial radiosurgery margin
  doses (RTOG 90-05, Shaw et al., IJROBP 2000;47:291); the LQ model is not credible far above them.
* ``fractions``: 1 to 50 (``apps.dosimetry.engine.lq.MAX_FRACTIONS``; the longest courses in use are 39-44
  fractions).
* ``alpha_beta``: :data:`MIN_ALPHA_BETA` 0.5 to :data:`MAX_ALPHA_BETA` 50 Gy. The lowest ratios in use are
  0.87 Gy (spinal cord, QUANTEC, Kirkpatrick et al., IJROBP 2010;76:S42) and ~1.5 Gy (prostate); early
  effects and most tumours are 10 Gy, the highest published estimates about 20-25 Gy (head and neck); at
  50 Gy EQD2 is within 4 % of the physical dose, so a larger ratio changes nothing a board would read.
* a cumulative EQD2 limit or an organ-at-risk metric (Gy): 0 to :data:`MAX_EQD2_GY` = 300 Gy, above the
  largest cumulative re-irradiation sums discussed (~150 Gy EQD2 for tumour).

Non-finite numbers (NaN, Infinity) are refused everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from apps.dosimetry.engine.errors import FieldError
from apps.dosimetry.engine.lq import MAX_FRACTIONS, MIN_FRACTIONS, as_number

MAX_TOTAL_DOSE_GY = 200.0
MAX_DOSE_PER_FRACTION_GY = 30.0
MIN_ALPHA_BETA = 0.5
MAX_ALPHA_BETA = 50.0
MAX_EQD2_GY = 300.0


def _finite(value: object, field: str, errors: list[FieldError]) -> float | None:
    number = as_number(value)
    if number is None:
        return None  # the engine names a non-number in its own words
    if not math.isfinite(number):
        errors.append(FieldError(field, "must be a finite number"))
        return None
    return number


def dose_bound_errors(total_dose_gy: object, fractions: object, field: str) -> list[FieldError]:
    """Errors of one course or dose level (``field`` is its path, e.g. ``levels[0]``)."""
    errors: list[FieldError] = []
    dose = _finite(total_dose_gy, f"{field}.total_dose_gy", errors)
    n = _finite(fractions, f"{field}.fractions", errors)
    if dose is not None and dose > MAX_TOTAL_DOSE_GY:
        errors.append(FieldError(f"{field}.total_dose_gy", f"must be at most {MAX_TOTAL_DOSE_GY:g} Gy (no course is larger)"))
    elif dose is not None and n is not None and MIN_FRACTIONS <= n <= MAX_FRACTIONS and dose / n > MAX_DOSE_PER_FRACTION_GY:
        errors.append(
            FieldError(
                f"{field}.total_dose_gy",
                f"gives {dose / n:g} Gy per fraction; at most {MAX_DOSE_PER_FRACTION_GY:g} Gy per fraction is accepted",
            )
        )
    return errors


def alpha_beta_bound_errors(value: object, field: str = "alpha_beta") -> list[FieldError]:
    errors: list[FieldError] = []
    ab = _finite(value, field, errors)
    if ab is not None and ab > 0 and not MIN_ALPHA_BETA <= ab <= MAX_ALPHA_BETA:
        errors.append(FieldError(field, f"must be between {MIN_ALPHA_BETA:g} and {MAX_ALPHA_BETA:g} Gy"))
    return errors


def eqd2_bound_errors(value: object, field: str) -> list[FieldError]:
    errors: list[FieldError] = []
    gy = _finite(value, field, errors)
    if gy is not None and not 0 <= gy <= MAX_EQD2_GY:
        errors.append(FieldError(field, f"must be between 0 and {MAX_EQD2_GY:g} Gy"))
    return errors


def levels_bound_errors(levels: object, field: str = "levels") -> list[FieldError]:
    """Errors of a list of ``{"fractions", "total_dose_gy"}`` mappings; other shapes are the engine's to name."""
    if isinstance(levels, str | bytes | Mapping) or not isinstance(levels, Sequence):
        return []
    errors: list[FieldError] = []
    for index, level in enumerate(levels):
        if isinstance(level, Mapping):
            errors += dose_bound_errors(level.get("total_dose_gy"), level.get("fractions"), f"{field}[{index}]")
    return errors


def oar_metric_bound_errors(metrics: Any, field: str = "oar_metrics") -> list[FieldError]:
    """Errors of ``{"structure": {"Dmax": Gy, ...}}``: every figure finite and within 0-300 Gy."""
    errors: list[FieldError] = []
    if not isinstance(metrics, Mapping):
        return errors
    for structure, values in metrics.items():
        if isinstance(values, Mapping):
            for metric, value in values.items():
                if as_number(value) is not None:
                    errors += eqd2_bound_errors(value, f"{field}.{structure}.{metric}")
    return errors
