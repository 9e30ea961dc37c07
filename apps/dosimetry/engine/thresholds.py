"""Intent thresholds on BED, answered as comparisons (figure, threshold, operator, met), never verdicts.

source: clinical-rules.md §7. Every threshold carries its own alpha/beta: the figure is recomputed at that
alpha/beta from the regimen, whatever alpha/beta the caller used for the regimen itself.

Seed 001 Table 1 writes "BED10 >= 100 Gy (e.g., 24 Gy/2#)" for oligometastatic SBRT, but 24 Gy/2 gives a
BED10 of 52.8 Gy: the threshold is kept as written, the example is not, and the user always sees both the
computed figure and the threshold (``test_thresholds.py`` pins that 24 Gy/2 does not meet it).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from apps.dosimetry.engine.lq import RegimenResult, bed, maybe_round


class Operator(StrEnum):
    """Comparison operator of a threshold."""

    GT = ">"
    GE = ">="


_OPS: dict[Operator, Callable[[float, float], bool]] = {Operator.GT: operator.gt, Operator.GE: operator.ge}


@dataclass(frozen=True, slots=True)
class Threshold:
    """A BED threshold stated by a source (data). ``code`` is stable."""

    code: str
    name: str
    alpha_beta: float
    operator: Operator
    value_gy: float
    context: str
    source: str
    note: str = ""

    @property
    def quantity(self) -> str:
        """``BED10`` style name of the compared quantity."""
        return f"BED{self.alpha_beta:g}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the data (fixtures, data migrations)."""
        return {
            "code": self.code,
            "name": self.name,
            "alpha_beta": self.alpha_beta,
            "operator": self.operator.value,
            "value_gy": self.value_gy,
            "context": self.context,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ThresholdComparison:
    """The regimen's computed BED compared with a threshold (``met`` is the comparison, not a verdict)."""

    threshold_code: str
    quantity: str
    figure_gy: float
    operator: str
    threshold_gy: float
    met: bool
    alpha_beta: float
    level_index: int
    fractions: int
    total_dose_gy: float
    context: str
    source: str
    text: str

    def to_dict(self, decimals: int | None = None) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return {
            "threshold_code": self.threshold_code,
            "quantity": self.quantity,
            "figure_gy": maybe_round(self.figure_gy, decimals),
            "operator": self.operator,
            "threshold_gy": self.threshold_gy,
            "met": self.met,
            "alpha_beta": self.alpha_beta,
            "level_index": self.level_index,
            "fractions": self.fractions,
            "total_dose_gy": maybe_round(self.total_dose_gy, decimals),
            "context": self.context,
            "source": self.source,
            "text": self.text,
        }


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        code="bed10_gt_39_lung_bone_local_control",
        name="Moderate dose escalation in lung-cancer bone metastases",
        alpha_beta=10.0,
        operator=Operator.GT,
        value_gy=39.0,
        context="BED10 > 39 Gy associated with better local control of lung-cancer osteolytic bone metastases (Makita et al.)",
        source="001_bdf9dfdfeafdf0a0.txt §8.2; clinical-rules.md §7",
        note="Strictly greater: 30 Gy/10 (BED10 exactly 39.0) does not meet it. Seed 002 reports the same "
        "39.0 Gy boundary for 10 x 3 Gy.",
    ),
    Threshold(
        code="bed_ge_75_radical_oligomet_breast",
        name="Radical intent in oligometastatic breast cancer",
        alpha_beta=10.0,
        operator=Operator.GE,
        value_gy=75.0,
        context="BED of at least 75 Gy for radical (ablative) treatment of oligometastatic breast cancer",
        source="004_87b49d5180a7d9e0.txt (Dose and volumes; refs 45, 48, 49); clinical-rules.md §7",
        note="The seed writes both 'BED > 75 Gy' and 'at least 75 Gy' and does not state alpha/beta; "
        "clinical-rules.md §7 fixes '>= 75' and the tumour alpha/beta 10 is used.",
    ),
    Threshold(
        code="bed10_ge_48_nct03808337_minimum",
        name="Trial minimum NCT03808337 (SBRT to all sites, NSCLC or TNBC)",
        alpha_beta=10.0,
        operator=Operator.GE,
        value_gy=48.0,
        context="SBRT with a minimum BED >= 48 Gy10 to all metastatic sites in trial NCT03808337",
        source="004_87b49d5180a7d9e0.txt (Table 2); clinical-rules.md §7, §9",
    ),
    Threshold(
        code="bed10_ge_100_oligomet_sbrt_seed001",
        name="Oligometastatic SBRT (seed 001 Table 1)",
        alpha_beta=10.0,
        operator=Operator.GE,
        value_gy=100.0,
        context="Seed 001 Table 1: oligometastatic disease, SBRT, 'BED10 >= 100 Gy'",
        source="001_bdf9dfdfeafdf0a0.txt Table 1; clinical-rules.md §7",
        note="The table's example '24 Gy/2#' computes to BED10 52.8 Gy and does not meet this threshold; "
        "the example is not used.",
    ),
)

THRESHOLDS_BY_CODE: dict[str, Threshold] = {t.code: t for t in THRESHOLDS}


def compare(threshold: Threshold, total_dose_gy: float, fractions: int, *, level_index: int = 0) -> ThresholdComparison:
    """Compare the BED (at the threshold's alpha/beta) of ``total_dose_gy`` in ``fractions`` fractions.

    Inputs are assumed validated (use :func:`compare_regimen` on a validated regimen).
    """
    figure = bed(total_dose_gy, fractions, threshold.alpha_beta)
    met = _OPS[threshold.operator](figure, threshold.value_gy)
    text = (
        f"{threshold.quantity} {maybe_round(figure, 2):g} Gy ({total_dose_gy:g} Gy in {fractions} fx) vs "
        f"{threshold.operator.value} {threshold.value_gy:g} Gy: {'met' if met else 'not met'} - "
        f"{threshold.context} (source: {threshold.source})"
    )
    return ThresholdComparison(
        threshold_code=threshold.code,
        quantity=threshold.quantity,
        figure_gy=figure,
        operator=threshold.operator.value,
        threshold_gy=threshold.value_gy,
        met=met,
        alpha_beta=threshold.alpha_beta,
        level_index=level_index,
        fractions=fractions,
        total_dose_gy=total_dose_gy,
        context=threshold.context,
        source=threshold.source,
        text=text,
    )


def compare_regimen(regimen: RegimenResult, thresholds: tuple[Threshold, ...] = THRESHOLDS) -> tuple[ThresholdComparison, ...]:
    """Every threshold against every level of the regimen (a SIB gives one comparison per level)."""
    return tuple(
        compare(t, level.total_dose_gy, level.fractions, level_index=i)
        for t in thresholds
        for i, level in enumerate(regimen.levels)
    )
