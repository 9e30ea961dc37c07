"""Reference data of the dose engine: regimen catalogue, organs at risk, constraint sets.

Everything here is data (tuples of frozen dataclasses) with a stable ``code`` per entry, so a data
migration can load it into the database and later migrations can update rows by code. To iterate::

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

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from apps.dosimetry.engine.constraints import Constraint, ConstraintSet, Direction, LimitUnit, Metric
from apps.dosimetry.engine.lq import TUMOUR_ALPHA_BETA, DoseLevel, RegimenResult, eqd2, evaluate

SEED_000 = "000_76782ef81e029740.txt"
SEED_001 = "001_bdf9dfdfeafdf0a0.txt"
SEED_002 = "002_eaa0f11dde358788.txt"
SEED_004 = "004_87b49d5180a7d9e0.txt"
RULES_7 = "clinical-rules.md §7"
RULES_8 = "clinical-rules.md §8"

SAHGAL_2012 = "Sahgal et al., Int J Radiat Oncol Biol Phys 2012;82(1):107-116 (re-irradiation)"
SAHGAL_2013 = "Sahgal et al., Int J Radiat Oncol Biol Phys 2013;85(2):341-347 (de novo SBRT)"
HYTEC_2021 = "HyTEC spinal cord, Sahgal et al., Int J Radiat Oncol Biol Phys 2021;110(1):124-136"


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


ORGANS: tuple[OrganAtRisk, ...] = (
    OrganAtRisk(
        code="spinal_cord",
        name="Spinal cord",
        alpha_beta=2.0,
        alpha_beta_source=f"{RULES_7} (spinal cord 2 by default); {SAHGAL_2012}",
        cumulative_limit_eqd2_gy=70.0,
        limit_source=f"{SAHGAL_2012}; {HYTEC_2021}; {RULES_7}",
        note="Sahgal's cumulative limit is on the thecal-sac point maximum EQD2 (alpha/beta 2) as the cord "
        "surrogate: enter each course's cord/thecal-sac point-maximum dose. Seed 002 used alpha/beta 0.87 "
        "for its single-course cord constraint; pass alpha_beta=0.87 to reproduce it.",
    ),
    OrganAtRisk(
        code="thecal_sac",
        name="Thecal sac (spinal cord surrogate)",
        alpha_beta=2.0,
        alpha_beta_source=f"{SAHGAL_2012}; {RULES_7}",
        cumulative_limit_eqd2_gy=70.0,
        limit_source=f"{SAHGAL_2012}; {HYTEC_2021}; {RULES_7}",
        note="Point maximum EQD2 (alpha/beta 2) of the thecal sac, as in Sahgal 2012.",
    ),
    OrganAtRisk(
        code="cauda_equina",
        name="Cauda equina",
        alpha_beta=2.0,
        alpha_beta_source=f"{SEED_002}; {RULES_7}",
        cumulative_limit_eqd2_gy=60.0,
        limit_source=f"{SEED_002} (maximum EQD2 60 Gy, alpha/beta 2); {RULES_7}",
        note="Seed 002 states 60 Gy EQD2 as the limit of one 10-fraction course; used as the cumulative "
        "default, which is conservative. Enter point-maximum doses.",
    ),
    OrganAtRisk(
        code="kidney",
        name="Kidney",
        alpha_beta=3.0,
        alpha_beta_source=f"{RULES_7} (late-responding normal tissue 3)",
        # Seed 002's Dmean <= 12 Gy in 10 fractions, converted to EQD2 at alpha/beta 3 (computed: 10.08 Gy).
        cumulative_limit_eqd2_gy=eqd2(12.0, 10, 3.0),
        limit_source=f"{SEED_002} (kidney Dmean <= 12 Gy in 10 fractions) converted to EQD2 at alpha/beta 3",
        dose_metric=Metric.DMEAN,
        note="A mean-dose limit: enter each course's mean kidney dose, not a point dose. Derived from a "
        "single-course constraint, so conservative as a cumulative limit.",
    ),
)
"""Brachial and sacral plexus are not included: no seed or clinical-rules source states their limits."""

ORGANS_BY_CODE: dict[str, OrganAtRisk] = {o.code: o for o in ORGANS}


# =========================================================================== constraint sets

SEED002_SET = ConstraintSet(
    code="seed002_sib_30_40_10fx",
    name="30/40 Gy SIB in 10 fractions (seed 002)",
    source=f"{SEED_002}; {RULES_7}",
    description="Plan constraints of the 30/40 Gy SIB study: spinal cord, cauda equina, kidneys, PTV coverage and maximum dose.",
    constraints=(
        Constraint(
            code="seed002_spinal_cord_dmax_34gy_10fx",
            organ="spinal_cord",
            metric=Metric.DMAX,
            limit=34.0,
            unit=LimitUnit.GY,
            direction=Direction.MAX,
            alpha_beta=0.87,
            fractions=10,
            source=f"{SEED_002}; {RULES_7}",
            note="Seed 002 states 34 Gy = 50 Gy EQD2 (alpha/beta 0.87, QUANTEC); the LQ model gives 50.6 Gy.",
        ),
        Constraint(
            code="seed002_cauda_equina_eqd2_60gy",
            organ="cauda_equina",
            metric=Metric.DMAX,
            limit=60.0,
            unit=LimitUnit.EQD2_GY,
            direction=Direction.MAX,
            alpha_beta=2.0,
            fractions=None,
            source=f"{SEED_002}; {RULES_7}",
            note="Maximum EQD2 60 Gy at alpha/beta 2 (40 Gy in 10 fractions).",
        ),
        Constraint(
            code="seed002_kidney_dmean_12gy_10fx",
            organ="kidney",
            metric=Metric.DMEAN,
            limit=12.0,
            unit=LimitUnit.GY,
            direction=Direction.MAX,
            alpha_beta=3.0,
            fractions=10,
            source=f"{SEED_002}; {RULES_7}",
            note="Mean kidney dose limited to 12 Gy in the 10-fraction SIB; alpha/beta 3 (late-responding "
            "tissue, clinical-rules.md §7) only for the EQD2 shown alongside.",
        ),
        Constraint(
            code="seed002_ptv_d98_ge_90pct",
            organ="ptv",
            metric=Metric.D98_PCT,
            limit=90.0,
            unit=LimitUnit.PERCENT_OF_PRESCRIPTION,
            direction=Direction.MIN,
            source=f"{SEED_002}; {RULES_7}",
            note="D98 >= 90 % of the PTV's own prescribed dose (in a SIB, each PTV with its level).",
        ),
        Constraint(
            code="seed002_ptv_d2_le_107pct",
            organ="ptv",
            metric=Metric.D2_PCT,
            limit=107.0,
            unit=LimitUnit.PERCENT_OF_PRESCRIPTION,
            direction=Direction.MAX,
            source=f"{SEED_002}; {RULES_7}",
        ),
        Constraint(
            code="seed002_ptv_dmax_le_107pct",
            organ="ptv",
            metric=Metric.DMAX,
            limit=107.0,
            unit=LimitUnit.PERCENT_OF_PRESCRIPTION,
            direction=Direction.MAX,
            source=f"{SEED_002} (maximal tolerated dose 107 %, ICRU 50); {RULES_7}",
        ),
    ),
)

_SBRT_CORD_PMAX: tuple[tuple[int, float], ...] = ((1, 12.4), (2, 17.0), (3, 20.3), (4, 23.0), (5, 25.3))

SBRT_CORD_SET = ConstraintSet(
    code="sbrt_spinal_cord_pmax",
    name="Spinal cord point maximum for de novo SBRT (Sahgal 2013, HyTEC)",
    source=f"{SAHGAL_2013}; {HYTEC_2021}; {RULES_7}",
    description="<= 5 % risk of radiation myelopathy; each limit is about 44.6 Gy EQD2 at alpha/beta 2.",
    constraints=tuple(
        Constraint(
            code=f"sbrt_spinal_cord_pmax_{n}fx",
            organ="spinal_cord",
            metric=Metric.DMAX,
            limit=limit,
            unit=LimitUnit.GY,
            direction=Direction.MAX,
            alpha_beta=2.0,
            fractions=n,
            source=f"{SAHGAL_2013}; {HYTEC_2021}; {RULES_7}",
            note="Point maximum (thecal sac as cord surrogate in Sahgal 2013)."
            + (" HyTEC allows up to 14 Gy in 1 fraction." if n == 1 else ""),
        )
        for n, limit in _SBRT_CORD_PMAX
    ),
)

QUANTEC_CORD_SET = ConstraintSet(
    code="quantec_conventional_spinal_cord",
    name="Spinal cord, conventional fractionation (QUANTEC)",
    source=f"QUANTEC, Kirkpatrick et al., Int J Radiat Oncol Biol Phys 2010;76(3 Suppl):S42-S49; {RULES_7}",
    description="< 1 % myelopathy at 54 Gy in 1.8-2 Gy fractions, expressed as EQD2 at alpha/beta 2.",
    constraints=(
        Constraint(
            code="quantec_spinal_cord_dmax_eqd2_54gy",
            organ="spinal_cord",
            metric=Metric.DMAX,
            limit=54.0,
            unit=LimitUnit.EQD2_GY,
            direction=Direction.MAX,
            alpha_beta=2.0,
            source=f"QUANTEC (Kirkpatrick 2010); {RULES_7}",
            note="QUANTEC states 54 Gy in 1.8-2 Gy fractions; 54 Gy EQD2 is the 2-Gy equivalent.",
        ),
    ),
)

CONSTRAINT_SETS: tuple[ConstraintSet, ...] = (SEED002_SET, SBRT_CORD_SET, QUANTEC_CORD_SET)
CONSTRAINT_SETS_BY_CODE: dict[str, ConstraintSet] = {s.code: s for s in CONSTRAINT_SETS}
CONSTRAINTS_BY_CODE: dict[str, Constraint] = {c.code: c for s in CONSTRAINT_SETS for c in s.constraints}


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


def _one(dose: float) -> tuple[RegimenLevel, ...]:
    return (RegimenLevel(dose),)


_CAUTION_RTOG0631 = (
    "16-18 Gy/1 not generally recommended for spine: RTOG 0631 found no superior pain relief (worse in the "
    "first 3 months) and no better control of radioresistant tumours (seed 000)."
)
_CAUTION_SC24_1FX = (
    "24 Gy/1: vertebral compression fracture risk 28 % vs 5 % with 30 Gy/10 (Sprave et al.); use with caution (seed 000)."
)
_CAUTION_ESTRO_ACROP = (
    "ESTRO-ACROP guidelines do not support routine SBRT for uncomplicated bone metastases; consider in "
    "selected patients (seed 000)."
)
_CAUTION_SABR_COMET = "SABR-COMET excluded femoral bone metastases and lesions within 3 mm of the spinal cord (seed 000)."
_CAUTION_GUCKENBERGER = (
    "Seed 000 describes Guckenberger's regimens as 48.5 Gy/10 or 35 Gy/5, seed 002 as SIB 48.5/30 or "
    "35/20 Gy in 10 fractions: check the original (Guckenberger et al., Cancer 2018;124:2001-9)."
)
_CAUTION_SINGLE_FX_RETREAT = "Retreatment rate about 2.5-fold higher than with multiple fractions (seed 004, Chow meta-analysis)."
_CAUTION_SCORAD = (
    "Spinal cord compression: SCORAD did not confirm non-inferiority of 8 Gy/1 vs 20 Gy/5; use only with "
    "very limited life expectancy (seed 000)."
)

_UNCOMPLICATED = "uncomplicated painful bone metastasis"
_MESCC_SHORT = "metastatic spinal cord compression, not a surgical candidate, life expectancy < 6 months"

REGIMENS: tuple[Regimen, ...] = (
    # ------------------------------------------------------------------ conventional (seeds 000, 001, 004)
    Regimen(
        code="conv_8gy_1fx",
        name="8 Gy in 1 fraction",
        category=RegimenCategory.CONVENTIONAL,
        fractions=1,
        levels=_one(8.0),
        technique=Technique.CONVENTIONAL,
        intent=Intent.PALLIATIVE,
        indications=(_UNCOMPLICATED, "limited life expectancy", _MESCC_SHORT + " (SCORAD)"),
        source=f"{SEED_000}; {SEED_001} Table 1; {SEED_004} Table 1a; {RULES_8}",
        trial="Randomized fractionation trials (Chow meta-analyses); SCORAD",
        cautions=(_CAUTION_SINGLE_FX_RETREAT, _CAUTION_SCORAD),
    ),
    Regimen(
        code="conv_20gy_5fx",
        name="20 Gy in 5 fractions",
        category=RegimenCategory.CONVENTIONAL,
        fractions=5,
        levels=_one(20.0),
        technique=Technique.CONVENTIONAL,
        intent=Intent.PALLIATIVE,
        indications=(_UNCOMPLICATED, _MESCC_SHORT + " (SCORE-2, SCORAD)"),
        source=f"{SEED_000}; {SEED_001} Table 1; {SEED_004} Table 1a; {RULES_8}",
        trial="Randomized fractionation trials; SCORE-2; SCORAD",
    ),
    Regimen(
        code="conv_24gy_6fx",
        name="24 Gy in 6 fractions",
        category=RegimenCategory.CONVENTIONAL,
        fractions=6,
        levels=_one(24.0),
        technique=Technique.CONVENTIONAL,
        intent=Intent.PALLIATIVE,
        indications=(_UNCOMPLICATED,),
        source=f"{SEED_000}; {RULES_8}",
        trial="Randomized fractionation trials (seed 000)",
    ),
    Regimen(
        code="conv_30gy_10fx",
        name="30 Gy in 10 fractions",
        category=RegimenCategory.CONVENTIONAL,
        fractions=10,
        levels=_one(30.0),
        technique=Technique.CONVENTIONAL,
        intent=Intent.PALLIATIVE,
        indications=(
            _UNCOMPLICATED,
            "metastatic spinal cord compression with longer life expectancy (SCORE-2)",
            "after decompressive surgery (Patchell)",
        ),
        source=f"{SEED_000}; {SEED_001} Table 1; {SEED_004} Table 1a; {RULES_8}",
        trial="Randomized fractionation trials; Patchell et al.; SCORE-2",
    ),
    Regimen(
        code="conv_25gy_5fx_premode",
        name="25 Gy in 5 fractions (PRE-MODE)",
        category=RegimenCategory.CONVENTIONAL,
        fractions=5,
        levels=_one(25.0),
        technique=Technique.SBRT_OR_IMRT,
        intent=Intent.PALLIATIVE,
        indications=("metastatic spinal cord compression, not a surgical candidate",),
        source=f"{SEED_000}; {RULES_8}",
        trial="PRE-MODE (phase II, Rades et al.)",
        cautions=(
            "Phase II against historical controls; overall survival about 3 months in PRE-MODE: "
            "applicability to longer life expectancy unclear (seed 000).",
        ),
    ),
    # ------------------------------------------------------------------ SBRT spine (seed 000)
    *(
        Regimen(
            code=f"sbrt_spine_{dose:g}gy_1fx",
            name=f"{dose:g} Gy in 1 fraction (spine SBRT)",
            category=RegimenCategory.SBRT_SPINE,
            fractions=1,
            levels=_one(dose),
            technique=Technique.SBRT,
            intent=Intent.ABLATIVE,
            indications=("spinal metastasis without spinal cord compression",),
            source=f"{SEED_000}; {RULES_8}",
            trial=trial,
            cautions=cautions,
            dose_range_gy=(16.0, 24.0),
            range_label="16-24 Gy/1",
            constraint_set=SBRT_CORD_SET.code,
        )
        for dose, trial, cautions in (
            (16.0, "RTOG 0631", (_CAUTION_RTOG0631,)),
            (18.0, "RTOG 0631; VERTICAL", (_CAUTION_RTOG0631,)),
            (20.0, "ROBOMET (ongoing, 20 Gy/1 SBRT vs 8 Gy/1)", ()),
            (24.0, "Sprave et al. (phase II)", (_CAUTION_SC24_1FX,)),
        )
    ),
    Regimen(
        code="sbrt_spine_24gy_2fx",
        name="24 Gy in 2 fractions (SC24)",
        category=RegimenCategory.SBRT_SPINE,
        fractions=2,
        levels=_one(24.0),
        technique=Technique.SBRT,
        intent=Intent.ABLATIVE,
        indications=(
            "spinal metastasis without spinal cord compression (best randomized evidence)",
            "extraosseous extension ('mass' type)",
        ),
        source=f"{SEED_000}; {RULES_8}",
        trial="SC24 (Sahgal et al., phase II/III)",
        constraint_set=SBRT_CORD_SET.code,
    ),
    Regimen(
        code="sbrt_spine_28gy_2fx",
        name="28 Gy in 2 fractions",
        category=RegimenCategory.SBRT_SPINE,
        fractions=2,
        levels=_one(28.0),
        technique=Technique.SBRT,
        intent=Intent.ABLATIVE,
        indications=("spinal metastasis, dose escalation for local control",),
        source=f"{SEED_000}; {RULES_8}",
        trial="Zeng et al. 2023 (28 vs 24 Gy in 2 fractions)",
        cautions=("Vertebral compression fracture 10.7 % at 2 years (seed 000).",),
        constraint_set=SBRT_CORD_SET.code,
    ),
    *(
        Regimen(
            code=f"sbrt_spine_{dose:g}gy_3fx",
            name=f"{dose:g} Gy in 3 fractions (spine SBRT)",
            category=RegimenCategory.SBRT_SPINE,
            fractions=3,
            levels=_one(dose),
            technique=Technique.SBRT,
            intent=Intent.ABLATIVE,
            indications=("spinal metastasis without spinal cord compression",),
            source=f"{SEED_000}; {RULES_8}",
            dose_range_gy=(24.0, 30.0),
            range_label="24-30 Gy/3",
            constraint_set=SBRT_CORD_SET.code,
        )
        for dose in (24.0, 27.0, 30.0)
    ),
    *(
        Regimen(
            code=f"sbrt_spine_{dose:g}gy_5fx",
            name=f"{dose:g} Gy in 5 fractions (spine SBRT)",
            category=RegimenCategory.SBRT_SPINE,
            fractions=5,
            levels=_one(dose),
            technique=Technique.SBRT,
            intent=Intent.ABLATIVE,
            indications=("spinal metastasis without spinal cord compression",),
            source=f"{SEED_000}; {RULES_8}",
            trial=trial,
            cautions=cautions,
            dose_range_gy=(30.0, 40.0),
            range_label="30-40 Gy/5",
            constraint_set=SBRT_CORD_SET.code,
        )
        for dose, trial, cautions in (
            (30.0, "", ()),
            (35.0, "Guckenberger et al. (phase II)", (_CAUTION_GUCKENBERGER,)),
            (40.0, "", ()),
        )
    ),
    Regimen(
        code="sbrt_spine_48p5gy_10fx",
        name="48.5 Gy in 10 fractions (spine SBRT)",
        category=RegimenCategory.SBRT_SPINE,
        fractions=10,
        levels=_one(48.5),
        technique=Technique.SBRT,
        intent=Intent.ABLATIVE,
        indications=("painful spinal metastasis, dose-intensified SBRT",),
        source=f"{SEED_000}; {RULES_8}",
        trial="Guckenberger et al. (phase II)",
        cautions=(_CAUTION_GUCKENBERGER,),
    ),
    # ------------------------------------------------------------------ non-spine SBRT (seed 000)
    *(
        Regimen(
            code=f"sbrt_nonspine_{dose:g}gy_1fx",
            name=f"{dose:g} Gy in 1 fraction (non-spine SBRT)",
            category=RegimenCategory.SBRT_NON_SPINE,
            fractions=1,
            levels=_one(dose),
            technique=Technique.SBRT,
            intent=Intent.ABLATIVE,
            indications=("painful non-spine bone metastasis, good performance status, long life expectancy",),
            source=f"{SEED_000}; {RULES_8}",
            trial="Nguyen et al. (phase II; 12-16 Gy by lesion size)",
            cautions=(
                _CAUTION_ESTRO_ACROP,
                "Pain response 62 % with 16 Gy vs 30 % with 12 Gy (seed 000).",
            ),
            dose_range_gy=(12.0, 16.0),
            range_label="12-16 Gy/1",
        )
        for dose in (12.0, 16.0)
    ),
    *(
        Regimen(
            code=f"sbrt_nonspine_{dose:g}gy_{n}fx",
            name=f"{dose:g} Gy in {n} fraction{'s' if n > 1 else ''} (non-spine SBRT)",
            category=RegimenCategory.SBRT_NON_SPINE,
            fractions=n,
            levels=_one(dose),
            technique=Technique.SBRT,
            intent=Intent.ABLATIVE,
            indications=("painful bone metastasis (spine or non-spine)",),
            source=f"{SEED_000}; {RULES_8}",
            trial="VERTICAL (phase II)",
            cautions=(
                _CAUTION_ESTRO_ACROP,
                "VERTICAL found no difference in pain response vs conventional RT (seed 000).",
            ),
        )
        for dose, n in ((18.0, 1), (30.0, 3), (35.0, 5))
    ),
    # ------------------------------------------------------------------ oligometastatic (seeds 000, 004)
    *(
        Regimen(
            code=f"oligomet_{dose:g}gy_{n}fx",
            name=f"{dose:g} Gy in {n} fractions (oligometastatic SABR)",
            category=RegimenCategory.OLIGOMETASTATIC,
            fractions=n,
            levels=_one(dose),
            technique=Technique.SBRT,
            intent=Intent.RADICAL,
            indications=("oligometastatic disease, controlled primary, 1-5 metastases",),
            source=f"{SEED_000}; {RULES_8}",
            trial="SABR-COMET (NCT01446744)",
            cautions=(_CAUTION_SABR_COMET,),
        )
        for dose, n in ((35.0, 5), (60.0, 8), (54.0, 3))
    ),
    Regimen(
        code="oligomet_30gy_3fx",
        name="30 Gy in 3 fractions (oligometastatic SBRT)",
        category=RegimenCategory.OLIGOMETASTATIC,
        fractions=3,
        levels=_one(30.0),
        technique=Technique.SBRT,
        intent=Intent.RADICAL,
        indications=(
            "oligometastatic prostate cancer, <= 3 metastases (STOMP)",
            "oligometastatic breast cancer (Trovò 2017, 30-45 Gy/3)",
            "oligoprogressive NSCLC or triple-negative breast cancer (NCT03808662, 10 Gy x 3)",
        ),
        source=f"{SEED_000}; {SEED_004} Table 1b; {RULES_8}",
        trial="STOMP (NCT01558427); Trovò et al. 2017; NCT03808662",
        dose_range_gy=(30.0, 45.0),
        range_label="30-45 Gy/3",
    ),
    Regimen(
        code="oligomet_45gy_3fx",
        name="45 Gy in 3 fractions (oligometastatic SBRT)",
        category=RegimenCategory.OLIGOMETASTATIC,
        fractions=3,
        levels=_one(45.0),
        technique=Technique.SBRT,
        intent=Intent.RADICAL,
        indications=("oligometastatic breast cancer",),
        source=f"{SEED_004} Table 1b; {RULES_8}",
        trial="Trovò et al. 2017 (phase II)",
        dose_range_gy=(30.0, 45.0),
        range_label="30-45 Gy/3",
    ),
    Regimen(
        code="oligomet_27gy_3fx",
        name="27 Gy in 3 fractions (9 Gy x 3)",
        category=RegimenCategory.OLIGOMETASTATIC,
        fractions=3,
        levels=_one(27.0),
        technique=Technique.SBRT,
        intent=Intent.RADICAL,
        indications=("oligoprogressive NSCLC or triple-negative breast cancer",),
        source=f"{SEED_004} (NCT03808662: 9-10 Gy x 3 or 10 Gy x 5); {RULES_8}",
        trial="NCT03808662",
        dose_range_gy=(27.0, 30.0),
        range_label="9-10 Gy x 3",
    ),
    Regimen(
        code="oligomet_50gy_5fx",
        name="50 Gy in 5 fractions (10 Gy x 5)",
        category=RegimenCategory.OLIGOMETASTATIC,
        fractions=5,
        levels=_one(50.0),
        technique=Technique.SBRT,
        intent=Intent.RADICAL,
        indications=(
            "oligometastatic breast cancer, non-spinal bone lesion (Kam 2019)",
            "oligoprogressive NSCLC or triple-negative breast cancer (NCT03808662)",
        ),
        source=f"{SEED_004} Table 1b and Table 2; {RULES_8}",
        trial="Kam et al. 2019; NCT03808662",
        cautions=("Kam 2019 used 50 Gy/5 for non-spinal lesions and 35 Gy/5 for spinal lesions (seed 004).",),
    ),
    # ------------------------------------------------------------------ SIB
    Regimen(
        code="sib_30_40gy_10fx",
        name="30/40 Gy SIB in 10 fractions",
        category=RegimenCategory.SIB,
        fractions=10,
        levels=(RegimenLevel(30.0, "PTV30 (involved bone)"), RegimenLevel(40.0, "GTV40/PTV40 (boost)")),
        technique=Technique.IMRT,
        intent=Intent.RADICAL,
        indications=(
            "oligometastatic or oligoprogressive bone metastasis not suitable for SBRT (proximity to organs "
            "at risk, size, poorly definable target)",
            "radioresistant histology (e.g. renal cell carcinoma, pheochromocytoma)",
            "vertebral body metastasis with intraspinal component",
        ),
        source=f"{SEED_002}; {RULES_8}",
        trial="Retrospective study, seed 002",
        cautions=("Spinal cord constraint has priority over GTV40 coverage (seed 002).",),
        constraint_set=SEED002_SET.code,
    ),
    Regimen(
        code="sib_wv30_40gy_10fx",
        name="30/40 Gy SIB in 10 fractions, whole vertebra",
        category=RegimenCategory.SIB,
        fractions=10,
        levels=(RegimenLevel(30.0, "whole vertebra"), RegimenLevel(40.0, "GTV")),
        technique=Technique.IMRT,
        intent=Intent.RADICAL,
        indications=("spinal metastasis, > 3 lesions or close to the spinal canal, not a candidate for SRS",),
        source=f"{SEED_004} Table 1b; {RULES_8}",
        trial="Farooqi et al. 2018",
        constraint_set=SEED002_SET.code,
    ),
    Regimen(
        code="sib_48p5_30gy_10fx",
        name="48.5/30 Gy SIB in 10 fractions (Guckenberger)",
        category=RegimenCategory.SIB,
        fractions=10,
        levels=(RegimenLevel(48.5, "GTV (boost)"), RegimenLevel(30.0, "PTV")),
        technique=Technique.SBRT,
        intent=Intent.ABLATIVE,
        indications=("painful spinal metastasis, dose-intensified SBRT",),
        source=f"{SEED_002}; {RULES_8}",
        trial="Guckenberger et al. (prospective)",
        cautions=(_CAUTION_GUCKENBERGER,),
    ),
    Regimen(
        code="sib_35_20gy_10fx",
        name="35/20 Gy SIB in 10 fractions (Guckenberger)",
        category=RegimenCategory.SIB,
        fractions=10,
        levels=(RegimenLevel(35.0, "GTV (boost)"), RegimenLevel(20.0, "PTV")),
        technique=Technique.SBRT,
        intent=Intent.ABLATIVE,
        indications=("painful spinal metastasis, dose-intensified SBRT",),
        source=f"{SEED_002}; {RULES_8}",
        trial="Guckenberger et al. (prospective)",
        cautions=(_CAUTION_GUCKENBERGER,),
    ),
    # ------------------------------------------------------------------ postoperative (seeds 000, 001, 004)
    *(
        Regimen(
            code=f"postop_{dose:g}gy_{n}fx",
            name=f"{dose:g} Gy in {n} fractions (postoperative)",
            category=RegimenCategory.POSTOPERATIVE,
            fractions=n,
            levels=_one(dose),
            technique=Technique.CONVENTIONAL,
            intent=Intent.POSTOPERATIVE,
            indications=("after surgical stabilization (reduces recurrence around hardware)",)
            + (("after decompressive surgery for spinal cord compression (Patchell)",) if n == 10 else ()),
            source=f"{SEED_001} Table 1; {SEED_004} Table 1a" + (f"; {SEED_000}" if n == 10 else "") + f"; {RULES_8}",
            trial="Patchell et al.; Rades 2004" if n == 10 else "",
            dose_range_gy=(20.0, 30.0),
            range_label="20-30 Gy in 5-10 fractions",
        )
        for dose, n in ((20.0, 5), (30.0, 10))
    ),
    Regimen(
        code="postop_spine_sbrt_35gy_5fx",
        name="35 Gy in 5 fractions (postoperative spine SBRT)",
        category=RegimenCategory.POSTOPERATIVE,
        fractions=5,
        levels=_one(35.0),
        technique=Technique.SBRT,
        intent=Intent.POSTOPERATIVE,
        indications=("after spinal surgery, within 16 weeks: limited disease, radioresistant tumour, salvage or re-irradiation",),
        source=f"{SEED_000}; {RULES_8}",
        trial="Redmond et al.",
        constraint_set=SBRT_CORD_SET.code,
    ),
    # ------------------------------------------------------------------ prophylactic (clinical-rules §5)
    *(
        Regimen(
            code=f"prophylactic_{dose:g}gy_{n}fx",
            name=f"{dose:g} Gy in {n} fraction{'s' if n > 1 else ''} (prophylactic)",
            category=RegimenCategory.PROPHYLACTIC,
            fractions=n,
            levels=_one(dose),
            technique=Technique.CONVENTIONAL_OR_SBRT,
            intent=Intent.PROPHYLACTIC,
            indications=("high-risk asymptomatic bone metastasis (clinical-rules.md §5)",),
            source=f"{SEED_000}; clinical-rules.md §5",
            trial="Gillespie et al. (NCT03523351)",
        )
        for dose, n in ((30.0, 10), (27.0, 3), (20.0, 5), (8.0, 1))
    ),
)

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
