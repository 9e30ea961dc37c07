"""Plain, immutable snapshots of a case and its lesions: the input of every clinical engine.

The Django models are turned into these once (``apps.cases.selectors.case_facts``) and the risk engine,
the dose engine and the trial matcher read only these, so the engines stay pure Python and testable
without a database. Field names are exactly the vocabulary of ``shared/clinical-rules.md`` §1 and §1b;
``None`` means "unknown", which the engines answer with "unknown: needs <field>", never a guess.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from apps.cases.vocabulary import (
    Alignment,
    BreastSubtype,
    CastrationStatus,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    FrankelGrade,
    Laterality,
    LimbPain,
    MajorOrganMetastases,
    PosterolateralInvolvement,
    PrimaryHistology,
    PrimarySubsite,
    RadiographicType,
    ReceptorStatus,
    Site,
    SpinalPain,
    Subsite,
    SymptomBurden,
    SystemicTherapyClass,
    VertebralCollapse,
    breast_subtype,
)


@dataclass(frozen=True, slots=True)
class LesionFacts:
    """One bone metastasis as the board sees it (clinical-rules.md §1)."""

    site: Site
    subsite: Subsite | None = None
    level_from: str | None = None
    level_to: str | None = None
    radiographic_type: RadiographicType | None = None
    cortical_involvement: CorticalInvolvement | None = None
    max_diameter_mm: float | None = None
    symptomatic: bool | None = None
    pain: LimbPain | None = None
    spinal_pain: SpinalPain | None = None
    alignment: Alignment | None = None
    vertebral_collapse: VertebralCollapse | None = None
    posterolateral_involvement: PosterolateralInvolvement | None = None
    epidural_compression_grade: EpiduralCompressionGrade | None = None
    distance_to_spinal_cord_mm: float | None = None
    posterior_element_involvement: bool | None = None
    extraosseous_soft_tissue: bool | None = None
    existing_fracture: bool | None = None
    prior_surgery: bool | None = None
    prior_radiotherapy: bool | None = None
    laterality: Laterality | None = None
    #: asymptomatic / minimally symptomatic / symptomatic; ``symptomatic`` is True exactly for the last.
    symptoms: SymptomBurden | None = None
    #: Stable identifier of the stored lesion (its public UUID), so results can be attached back to it.
    ref: str = ""


@dataclass(frozen=True, slots=True)
class PriorCourseFacts:
    """A radiotherapy course the patient already received."""

    region: str
    total_dose_gy: float
    fractions: int
    date: date | None = None
    technique: str = ""
    #: The structured target re-irradiation overlap is decided on (clinical-rules.md §7); None = not recorded.
    site: Site | None = None
    level_from: str | None = None
    level_to: str | None = None
    laterality: Laterality | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """A case for the board: the patient's disease and the lesions under discussion (clinical-rules.md §1b)."""

    primary_histology: PrimaryHistology | None = None
    er_status: ReceptorStatus | None = None
    pr_status: ReceptorStatus | None = None
    her2_status: ReceptorStatus | None = None
    castration_status: CastrationStatus | None = None
    egfr_mutation: ReceptorStatus | None = None
    alk_rearrangement: ReceptorStatus | None = None
    ecog: int | None = None
    estimated_survival_months: float | None = None
    primary_diagnosis_date: date | None = None
    metastasis_diagnosis_date: date | None = None
    primary_controlled: bool | None = None
    bone_metastases_count: int | None = None
    visceral_metastases_count: int | None = None
    brain_metastases: bool | None = None
    history_polymetastatic: bool | None = None
    history_oligometastatic_treated: bool | None = None
    on_systemic_therapy: bool | None = None
    progressing_lesions_count: int | None = None
    #: None = unknown; an empty tuple = known to be on no systemic therapy class.
    systemic_therapy_classes: tuple[SystemicTherapyClass, ...] | None = None
    # Added 2026-12 (clinical-rules.md §1b).
    primary_subsite: PrimarySubsite | None = None
    karnofsky_performance_status: int | None = None
    frankel_grade: FrankelGrade | None = None
    complete_paraplegia_hours: float | None = None
    extraspinal_bone_metastases_count: int | None = None
    vertebral_metastases_count: int | None = None
    major_organ_metastases: MajorOrganMetastases | None = None
    primary_treatment_completed_date: date | None = None
    lesions: tuple[LesionFacts, ...] = ()
    prior_courses: tuple[PriorCourseFacts, ...] = ()
    date_of_birth: date | None = None
    #: The day the facts describe (the case's reference date); engines never read the wall clock.
    as_of: date | None = None
    ref: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def breast_subtype(self) -> BreastSubtype | None:
        """Derived subtype for a breast primary (None for other primaries or when receptors are unknown)."""
        if self.primary_histology != PrimaryHistology.BREAST:
            return None
        return breast_subtype(self.er_status, self.pr_status, self.her2_status)

    @property
    def metastases_count(self) -> int | None:
        """Total metastatic foci (bone + visceral), or None when either count is unknown."""
        if self.bone_metastases_count is None or self.visceral_metastases_count is None:
            return None
        return self.bone_metastases_count + self.visceral_metastases_count


CASE_FIELD_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(CaseFacts) if f.name not in {"lesions", "prior_courses", "ref", "extra"}
)
LESION_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(LesionFacts) if f.name != "ref")


#: Exact types returned as they are (an enum member is not one: its type is its enum's).
_LEAF_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None)})
#: Field names of each dataclass met, read once per type rather than per value.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    # Most facts are plain scalars: checked first, by exact type (issue 16: this runs for every fact of
    # every case of a recompute chunk).
    kind = type(value)
    if kind in _LEAF_TYPES:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(item) for item in value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def facts_digest(case: CaseFacts) -> str:
    """Hex SHA-256 of every fact of the case (lesions, prior courses, refs, date of birth and ``as_of``
    included): the trial matches' inputs digest is built on it (``apps.trials.engine.digest``), and
    ``Case.facts_digest`` stores it. Canonical JSON, so equal facts give equal digests."""
    text = json.dumps(_plain(case), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
