"""Reference data of the dose engine: regimen catalogue, organs at risk, constraint sets.

The entries are data in ``catalogue.json`` beside this module (issue 10: seed data as data, not Python),
read here into frozen dataclasses with a stable ``code`` per entry, so a data migration can load them into
the database and later migrations can update rows by code. To iterate::

    from apps.dosimetry.engine import catalogue
    for regimen in catalogue.REGIMENS:           # Regimen; regimen.to_dict() -> plain JSON-able dict
        ...
    for organ in catalogue.ORGANS:               # OrganAtRisk
        ...
    for cset in catalogue.CONSTRAINT_SETS:       # ConstraintSet, cset.constraints -> Constraint
        ...
    catalogue.as_data()                          # all of it as one JSON-serialisable dict

Codes never change once published; a regimen that is withdrawn should be marked inactive in the database,
not recoded. Sources cite the seed papers (``/work/shared/seeds``) and ``clinical-rules.md``.

Ranges in the sources (e.g. "16-24 Gy/1") are expanded into one entry per dose that a source names, each
keeping the published range in ``dose_range_gy`` / ``range_label``; the same schedule may appear in
several categories (35 Gy/5 is spine SBRT, non-spine SBRT, oligometastatic and postoperative spine SBRT)
with different codes, indications and sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from apps.dosimetry.engine.constraints import Constraint, ConstraintSet, Direction, LimitUnit, Metric
from apps.dosimetry.engine.lq import TUMOUR_ALPHA_BETA, DoseLevel, RegimenResult, evaluate

SEED_000 = "000_76782ef81e029740.txt"
SEED_001 = "001_bdf9dfdfeafdf0a0.txt"
SEED_002 = "002_eaa0f11dde358788.txt"
SEED_004 = "004_87b49d5180a7d9e0.txt"
RULES_7 = "clinical-rules.md §7"
RULES_8 = "clinical-rules.md §8"

SAHGAL_2012 = "Sahgal et al., Int J Radiat Oncol Biol Phys 2012;82(1):107-116 (re-irradiation)"
SAHGAL_2013 = "Sahgal et al., Int J Radiat Oncol Biol Phys 2013;85(2):341-347 (de novo SBRT)"
HYTEC_2021 = "HyTEC spinal cord, Sahgal et al., Int J Radiat Oncol Biol Phys 2021;110(1):124-136"

#: The catalogue itself is data (issue 10): ``catalogue.json`` beside this module.
DATA_FILE = Path(__file__).with_name("catalogue.json")
_DATA: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))


# =========================================================================== organs at risk


@dataclass(frozen=True, slots=True)
class OrganAtRisk:
    """An organ for re-irradiation sums: its alpha/beta and cumulative EQD2 limit, each with a source."""

    code: str
    name: str
    alpha_beta: float
    alpha_beta_source: str
    cumulative_limit_eqd2_gy: float
    limit_source: str
    #: The metric whose dose each course contributes (point maximum, or mean for a parallel organ).
    dose_metric: Metric = Metric.DMAX
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the data."""
        return {
            "code": self.code,
            "name": self.name,
            "alpha_beta": self.alpha_beta,
            "alpha_beta_source": self.alpha_beta_source,
            "cumulative_limit_eqd2_gy": self.cumulative_limit_eqd2_gy,
            "limit_source": self.limit_source,
            "dose_metric": self.dose_metric.value,
            "note": self.note,
        }


def _organ(row: dict[str, Any]) -> OrganAtRisk:
    return OrganAtRisk(**{**row, "dose_metric": Metric(row["dose_metric"])})


def _constraint_set(row: dict[str, Any]) -> ConstraintSet:
    return ConstraintSet(
        code=row["code"],
        name=row["name"],
        source=row["source"],
        description=row["description"],
        constraints=tuple(
            Constraint(
                **{
                    **item,
                    "metric": Metric(item["metric"]),
                    "unit": LimitUnit(item["unit"]),
                    "direction": Direction(item["direction"]),
                }
            )
            for item in row["constraints"]
        ),
    )


#: Brachial and sacral plexus are not included: no seed or clinical-rules source states their limits.
ORGANS: tuple[OrganAtRisk, ...] = tuple(_organ(row) for row in _DATA["organs"])
ORGANS_BY_CODE: dict[str, OrganAtRisk] = {o.code: o for o in ORGANS}


# =========================================================================== constraint sets

CONSTRAINT_SETS: tuple[ConstraintSet, ...] = tuple(_constraint_set(row) for row in _DATA["constraint_sets"])
CONSTRAINT_SETS_BY_CODE: dict[str, ConstraintSet] = {s.code: s for s in CONSTRAINT_SETS}
CONSTRAINTS_BY_CODE: dict[str, Constraint] = {c.code: c for s in CONSTRAINT_SETS for c in s.constraints}
#: Seed 002's 30/40 Gy SIB plan constraints and the de novo SBRT cord limits, named for their callers.
SEED002_SET = CONSTRAINT_SETS_BY_CODE["seed002_sib_30_40_10fx"]
SBRT_CORD_SET = CONSTRAINT_SETS_BY_CODE["sbrt_spinal_cord_pmax"]
QUANTEC_CORD_SET = CONSTRAINT_SETS_BY_CODE["quantec_conventional_spinal_cord"]


# =========================================================================== regimen catalogue


class Intent(StrEnum):
    """Aim of a regimen."""

    PALLIATIVE = "palliative"
    ABLATIVE = "ablative"
    RADICAL = "radical"
    PROPHYLACTIC = "prophylactic"
    POSTOPERATIVE = "postoperative"


class Technique(StrEnum):
    """Delivery technique."""

    CONVENTIONAL = "conventional"  # 2D / 3D-conformal external beam (cEBRT)
    IMRT = "imrt"  # IMRT / VMAT
    SBRT = "sbrt"
    SBRT_OR_IMRT = "sbrt_or_imrt"
    CONVENTIONAL_OR_SBRT = "conventional_or_sbrt"


class RegimenCategory(StrEnum):
    """Section of clinical-rules.md §8 (and §5 for prophylactic RT)."""

    CONVENTIONAL = "conventional"
    SBRT_SPINE = "sbrt_spine"
    SBRT_NON_SPINE = "sbrt_non_spine"
    OLIGOMETASTATIC = "oligometastatic"
    SIB = "sib"
    POSTOPERATIVE = "postoperative"
    PROPHYLACTIC = "prophylactic"


@dataclass(frozen=True, slots=True)
class RegimenLevel:
    """One prescribed dose level of a regimen; ``target`` names the volume (SIB levels)."""

    total_dose_gy: float
    target: str = ""


@dataclass(frozen=True, slots=True)
class Regimen:
    """A catalogue regimen (data). All levels share ``fractions``; one level unless it is a SIB."""

    code: str
    name: str
    category: RegimenCategory
    fractions: int
    levels: tuple[RegimenLevel, ...]
    technique: Technique
    intent: Intent
    indications: tuple[str, ...]
    source: str
    trial: str = ""
    cautions: tuple[str, ...] = ()
    dose_range_gy: tuple[float, float] | None = None
    range_label: str = ""
    constraint_set: str = ""

    @property
    def is_sib(self) -> bool:
        """True when the regimen has several dose levels."""
        return len(self.levels) > 1

    def dose_levels(self) -> tuple[DoseLevel, ...]:
        """The levels as engine :class:`DoseLevel` objects."""
        return tuple(DoseLevel(self.fractions, level.total_dose_gy, level.target) for level in self.levels)

    def evaluate(self, alpha_beta: float = TUMOUR_ALPHA_BETA) -> RegimenResult:
        """BED/EQD2 of every level (validated like any user input)."""
        return evaluate(self.dose_levels(), alpha_beta)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict (for the data migration)."""
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category.value,
            "fractions": self.fractions,
            "levels": [{"total_dose_gy": lv.total_dose_gy, "target": lv.target} for lv in self.levels],
            "technique": self.technique.value,
            "intent": self.intent.value,
            "indications": list(self.indications),
            "source": self.source,
            "trial": self.trial,
            "cautions": list(self.cautions),
            "dose_range_gy": list(self.dose_range_gy) if self.dose_range_gy else None,
            "range_label": self.range_label,
            "constraint_set": self.constraint_set,
        }


def _regimen(row: dict[str, Any]) -> Regimen:
    dose_range = row["dose_range_gy"]
    return Regimen(
        code=row["code"],
        name=row["name"],
        category=RegimenCategory(row["category"]),
        fractions=int(row["fractions"]),
        levels=tuple(RegimenLevel(float(lv["total_dose_gy"]), lv["target"]) for lv in row["levels"]),
        technique=Technique(row["technique"]),
        intent=Intent(row["intent"]),
        indications=tuple(row["indications"]),
        source=row["source"],
        trial=row["trial"],
        cautions=tuple(row["cautions"]),
        dose_range_gy=(float(dose_range[0]), float(dose_range[1])) if dose_range else None,
        range_label=row["range_label"],
        constraint_set=row["constraint_set"],
    )


REGIMENS: tuple[Regimen, ...] = tuple(_regimen(row) for row in _DATA["regimens"])
REGIMENS_BY_CODE: dict[str, Regimen] = {r.code: r for r in REGIMENS}


def organ(code: str) -> OrganAtRisk:
    """The organ with this code; ``KeyError`` when unknown (callers validate first)."""
    return ORGANS_BY_CODE[code]


def as_data() -> dict[str, Any]:
    """Every catalogue as one JSON-serialisable dict (regimens, organs, constraint sets, thresholds)."""
    from apps.dosimetry.engine.thresholds import THRESHOLDS

    return {
        "regimens": [r.to_dict() for r in REGIMENS],
        "organs": [o.to_dict() for o in ORGANS],
        "constraint_sets": [s.to_dict() for s in CONSTRAINT_SETS],
        "thresholds": [t.to_dict() for t in THRESHOLDS],
    }
