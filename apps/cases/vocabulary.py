"""The product's controlled clinical vocabulary.

Every code here is the one written in ``shared/clinical-rules.md`` sections 1 and 1b: models use these
as ``choices``, the API accepts and returns them, and the pure clinical engines take them as inputs, so
every part of the system (and every outside client) speaks the same words.

This module is plain Python on purpose (no Django imports): the clinical engines import it.
"""

from __future__ import annotations

from enum import StrEnum


class Site(StrEnum):
    """Bone site of a lesion (clinical-rules.md §1)."""

    SKULL = "skull"
    CERVICAL_SPINE = "cervical_spine"
    THORACIC_SPINE = "thoracic_spine"
    LUMBAR_SPINE = "lumbar_spine"
    SACRUM = "sacrum"
    RIB = "rib"
    STERNUM = "sternum"
    CLAVICLE = "clavicle"
    SCAPULA = "scapula"
    PELVIS = "pelvis"
    HUMERUS = "humerus"
    RADIUS = "radius"
    ULNA = "ulna"
    FEMUR = "femur"
    TIBIA = "tibia"
    FIBULA = "fibula"
    METACARPAL = "metacarpal"
    METATARSAL = "metatarsal"
    PHALANX = "phalanx"
    OTHER = "other"


#: Sites that carry vertebral levels and the spine-only fields (SINS, ESCC).
SPINAL_SITES: frozenset[Site] = frozenset({Site.CERVICAL_SPINE, Site.THORACIC_SPINE, Site.LUMBAR_SPINE, Site.SACRUM})

#: Long bones and the small tubular bones of hand and foot, which carry a ``subsite`` and limb ``pain``.
LIMB_SITES: frozenset[Site] = frozenset(
    {
        Site.CLAVICLE,
        Site.HUMERUS,
        Site.RADIUS,
        Site.ULNA,
        Site.FEMUR,
        Site.TIBIA,
        Site.FIBULA,
        Site.METACARPAL,
        Site.METATARSAL,
        Site.PHALANX,
    }
)

#: Vertebral levels in cranio-caudal order; the index is the anatomical order used for ``level_from`` <=
#: ``level_to`` checks.
VERTEBRAL_LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
    "coccyx",
)
LEVEL_INDEX: dict[str, int] = {level: i for i, level in enumerate(VERTEBRAL_LEVELS)}

#: The region each spinal site code covers, so that a lesion's levels must belong to its site.
SITE_LEVELS: dict[Site, frozenset[str]] = {
    Site.CERVICAL_SPINE: frozenset(f"C{i}" for i in range(1, 8)),
    Site.THORACIC_SPINE: frozenset(f"T{i}" for i in range(1, 13)),
    Site.LUMBAR_SPINE: frozenset(f"L{i}" for i in range(1, 6)),
    Site.SACRUM: frozenset({*(f"S{i}" for i in range(1, 6)), "coccyx"}),
}


def levels_between(level_from: str, level_to: str | None = None) -> tuple[str, ...]:
    """Every vertebral level from ``level_from`` to ``level_to`` inclusive (one level when ``level_to`` is None).

    Raises ``ValueError`` for an unknown level or a reversed span.
    """
    start = LEVEL_INDEX[level_from]
    end = LEVEL_INDEX[level_to] if level_to else start
    if end < start:
        raise ValueError(f"level_to {level_to} lies above level_from {level_from}")
    return VERTEBRAL_LEVELS[start : end + 1]


class Laterality(StrEnum):
    """Side of a lesion or a treated region (clinical-rules.md §1, added 2026-12).

    Re-irradiation needs it: a course to the left femur did not reach the right one.
    """

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    MIDLINE = "midline"


#: Midline structures: spine, sternum and skull take only ``midline``; every other named site is paired
#: (or, for ribs and the pelvis, has sides) and takes left, right or bilateral. ``other`` takes any.
MIDLINE_SITES: frozenset[Site] = frozenset({*SPINAL_SITES, Site.STERNUM, Site.SKULL})


def lateralities_for(site: Site) -> frozenset[Laterality]:
    """The lateralities that describe ``site``."""
    if site in MIDLINE_SITES:
        return frozenset({Laterality.MIDLINE})
    if site == Site.OTHER:
        return frozenset(Laterality)
    return frozenset({Laterality.LEFT, Laterality.RIGHT, Laterality.BILATERAL})


class SymptomBurden(StrEnum):
    """How symptomatic a lesion is (clinical-rules.md §1 and §5).

    The prophylactic-RT trial (Gillespie, NCT03523351; seed 000) enrolled "asymptomatic or minimally
    symptomatic" lesions, which the contract's ``symptomatic`` bool cannot say. ``symptomatic`` stays and
    is kept coherent: True exactly when the burden is ``symptomatic``.
    """

    ASYMPTOMATIC = "asymptomatic"
    MINIMALLY_SYMPTOMATIC = "minimally_symptomatic"
    SYMPTOMATIC = "symptomatic"


class Subsite(StrEnum):
    """Region of a long bone, including the joint-adjacent regions (clinical-rules.md §1)."""

    PROXIMAL = "proximal"
    SHAFT = "shaft"
    DISTAL = "distal"
    PERITROCHANTERIC = "peritrochanteric"
    ACETABULUM = "acetabulum"
    FEMORAL_HEAD = "femoral_head"
    FEMORAL_NECK = "femoral_neck"
    ACROMION = "acromion"
    GLENOID = "glenoid"
    HUMERAL_HEAD = "humeral_head"
    SACROILIAC_JOINT = "sacroiliac_joint"


#: Which subsites make sense on which site; anything else is a data-entry error.
SUBSITES_BY_SITE: dict[Site, frozenset[Subsite]] = {
    **{site: frozenset({Subsite.PROXIMAL, Subsite.SHAFT, Subsite.DISTAL}) for site in LIMB_SITES},
    Site.FEMUR: frozenset(
        {
            Subsite.PROXIMAL,
            Subsite.SHAFT,
            Subsite.DISTAL,
            Subsite.PERITROCHANTERIC,
            Subsite.FEMORAL_HEAD,
            Subsite.FEMORAL_NECK,
        }
    ),
    Site.HUMERUS: frozenset({Subsite.PROXIMAL, Subsite.SHAFT, Subsite.DISTAL, Subsite.HUMERAL_HEAD}),
    Site.PELVIS: frozenset({Subsite.ACETABULUM, Subsite.SACROILIAC_JOINT}),
    Site.SACRUM: frozenset({Subsite.SACROILIAC_JOINT}),
    Site.SCAPULA: frozenset({Subsite.ACROMION, Subsite.GLENOID}),
}


class RadiographicType(StrEnum):
    """Radiographic appearance (seed 001 §4)."""

    LYTIC = "lytic"
    BLASTIC = "blastic"
    MIXED = "mixed"


class CorticalInvolvement(StrEnum):
    """Fraction of cortical thickness / bone diameter destroyed (Mirels' size component)."""

    LT_ONE_THIRD = "lt_one_third"
    ONE_THIRD_TO_TWO_THIRDS = "one_third_to_two_thirds"
    GT_TWO_THIRDS = "gt_two_thirds"


class LimbPain(StrEnum):
    """Pain of a limb lesion, as Mirels grades it; ``functional`` is pain aggravated by function."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    FUNCTIONAL = "functional"


class SpinalPain(StrEnum):
    """Pain of a spinal lesion, as SINS grades it."""

    NONE = "none"
    OCCASIONAL_NON_MECHANICAL = "occasional_non_mechanical"
    MECHANICAL = "mechanical"


class Alignment(StrEnum):
    NORMAL = "normal"
    DE_NOVO_DEFORMITY = "de_novo_deformity"
    SUBLUXATION_TRANSLATION = "subluxation_translation"


class VertebralCollapse(StrEnum):
    NONE = "none"
    NO_COLLAPSE_GT50_INVOLVED = "no_collapse_gt50_involved"
    LT50_COLLAPSE = "lt50_collapse"
    GT50_COLLAPSE = "gt50_collapse"


class PosterolateralInvolvement(StrEnum):
    NONE = "none"
    UNILATERAL = "unilateral"
    BILATERAL = "bilateral"


class EpiduralCompressionGrade(StrEnum):
    """Bilsky ESCC grade (clinical-rules.md §4)."""

    G0 = "0"
    G1A = "1a"
    G1B = "1b"
    G1C = "1c"
    G2 = "2"
    G3 = "3"


class PrimaryHistology(StrEnum):
    """Primary tumour histology (clinical-rules.md §1b)."""

    BREAST = "breast"
    PROSTATE = "prostate"
    NSCLC = "nsclc"
    SCLC = "sclc"
    RENAL_CELL = "renal_cell"
    THYROID = "thyroid"
    MELANOMA = "melanoma"
    COLORECTAL = "colorectal"
    HEPATOCELLULAR = "hepatocellular"
    UROTHELIAL = "urothelial"
    PANCREATIC = "pancreatic"
    ESOPHAGEAL_SQUAMOUS = "esophageal_squamous"
    GASTRIC = "gastric"
    HEAD_NECK_SQUAMOUS = "head_neck_squamous"
    SARCOMA = "sarcoma"
    MYELOMA = "myeloma"
    LYMPHOMA = "lymphoma"
    PHEOCHROMOCYTOMA = "pheochromocytoma"
    UNKNOWN_PRIMARY = "unknown_primary"
    OTHER = "other"
    # Added 2026-12 (clinical-rules.md §1b), additive: the revised Tokuhashi score weighs these primaries.
    ENDOMETRIAL = "endometrial"
    CERVICAL = "cervical"
    OVARIAN = "ovarian"
    NEUROENDOCRINE = "neuroendocrine"
    GALLBLADDER = "gallbladder"
    GERM_CELL = "germ_cell"


class PrimarySubsite(StrEnum):
    """Where within a primary the tumour arose, where the prognosis depends on it (clinical-rules.md §1b).

    Revised Tokuhashi (§10) scores rectal cancer 4 and colon cancer 2, osteosarcoma 0 and other sarcomas 2.
    """

    COLON = "colon"
    RECTUM = "rectum"
    OSTEOSARCOMA = "osteosarcoma"
    OTHER = "other"


#: Which subsites belong to which primary; a subsite on any other histology is a data-entry error.
PRIMARY_SUBSITES: dict[PrimaryHistology, frozenset[PrimarySubsite]] = {
    PrimaryHistology.COLORECTAL: frozenset({PrimarySubsite.COLON, PrimarySubsite.RECTUM}),
    PrimaryHistology.SARCOMA: frozenset({PrimarySubsite.OSTEOSARCOMA, PrimarySubsite.OTHER}),
}


class FrankelGrade(StrEnum):
    """Frankel grade of neurological function (clinical-rules.md §1b; Tokuhashi's palsy item, §10).

    A complete (no motor or sensory function below the lesion), B sensory only, C motor useless,
    D motor useful, E normal.
    """

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


#: Frankel grades with no useful motor function: the ones ``complete_paraplegia_hours`` describes.
PARAPLEGIC_FRANKEL_GRADES: frozenset[FrankelGrade] = frozenset({FrankelGrade.A, FrankelGrade.B})


class MajorOrganMetastases(StrEnum):
    """Metastases to the major internal organs, as the revised Tokuhashi score grades them (§10)."""

    NONE = "none"
    REMOVABLE = "removable"
    UNREMOVABLE = "unremovable"


#: Karnofsky performance status: 10 to 100 in steps of 10 (clinical-rules.md §1b).
KARNOFSKY_VALUES: tuple[int, ...] = tuple(range(10, 101, 10))


class ReceptorStatus(StrEnum):
    """ER / PR / HER2 status, EGFR mutation and ALK rearrangement: ``unknown`` is a value, not a guess."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNKNOWN = "unknown"


class BreastSubtype(StrEnum):
    """Derived breast subtype (clinical-rules.md §1b)."""

    LUMINAL = "luminal"
    HER2_POSITIVE = "her2_positive"
    TRIPLE_NEGATIVE = "triple_negative"


def breast_subtype(
    er: ReceptorStatus | str | None, pr: ReceptorStatus | str | None, her2: ReceptorStatus | str | None
) -> BreastSubtype | None:
    """Derive the breast subtype from receptor status, or None when the statuses do not decide it.

    Source: clinical-rules.md §1b; seed 004 (breast subtypes). ``luminal`` = ER or PR positive and HER2
    negative; ``her2_positive`` = HER2 positive whatever the hormone receptors; ``triple_negative`` = ER,
    PR and HER2 all negative. Any other combination (an unknown that could change the answer) is None.
    """
    pos, neg = ReceptorStatus.POSITIVE, ReceptorStatus.NEGATIVE
    if her2 == pos:
        return BreastSubtype.HER2_POSITIVE
    if her2 == neg and (er == pos or pr == pos):
        return BreastSubtype.LUMINAL
    if her2 == neg and er == neg and pr == neg:
        return BreastSubtype.TRIPLE_NEGATIVE
    return None


class CastrationStatus(StrEnum):
    HORMONE_SENSITIVE = "hormone_sensitive"
    CASTRATION_RESISTANT = "castration_resistant"


class SystemicTherapyClass(StrEnum):
    CHEMOTHERAPY = "chemotherapy"
    ENDOCRINE = "endocrine"
    CDK46_INHIBITOR = "cdk46_inhibitor"
    PARP_INHIBITOR = "parp_inhibitor"
    ANTI_HER2 = "anti_her2"
    TDM1 = "tdm1"
    IMMUNOTHERAPY = "immunotherapy"
    ADT = "adt"
    ANDROGEN_RECEPTOR_INHIBITOR = "androgen_receptor_inhibitor"
    TKI = "tki"
    BONE_MODIFYING_AGENT = "bone_modifying_agent"


class RadiotherapyTechnique(StrEnum):
    """Technique of a radiotherapy course or plan."""

    CONVENTIONAL = "conventional"
    IMRT = "imrt"
    SBRT = "sbrt"
    SRS = "srs"
    OTHER = "other"


#: The clinic's names of the techniques (the model's choices and the pages show them).
RADIOTHERAPY_TECHNIQUE_LABELS: dict[RadiotherapyTechnique, str] = {
    RadiotherapyTechnique.CONVENTIONAL: "conventional (3D-CRT)",
    RadiotherapyTechnique.IMRT: "IMRT / VMAT",
    RadiotherapyTechnique.SBRT: "SBRT",
    RadiotherapyTechnique.SRS: "radiosurgery",
    RadiotherapyTechnique.OTHER: "other",
}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """Django-style ``choices`` for an enum: (code, readable label)."""
    return [(member.value, member.value.replace("_", " ")) for member in enum]
