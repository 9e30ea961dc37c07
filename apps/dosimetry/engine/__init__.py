"""Radiotherapy dose engine: pure Python (no Django), full float precision, every rule cited.

Public API (see each module's docstring for the rules and sources):

* ``lq``: :func:`evaluate` (validated BED/EQD2 per level, SIB), :func:`bed`, :func:`eqd2`,
  :func:`bed_eqd2` (unvalidated fast path), :class:`DoseLevel`, :class:`RegimenResult`.
* ``reirradiation``: :func:`reirradiation_sum`, :func:`spinal_cord_sbrt_reirradiation`,
  :data:`SAHGAL_CHECK_KINDS`, :data:`SAHGAL_ORGANS`.
* ``overlap``: :class:`Target`, :func:`target_overlap` (anatomical overlap of courses), :func:`target_errors`.
* ``constraints``: :class:`Constraint`, :func:`check_constraint`, :func:`check_constraint_set`.
* ``thresholds``: :data:`THRESHOLDS`, :func:`compare_regimen`.
* ``catalogue``: :data:`REGIMENS`, :data:`ORGANS`, :data:`CONSTRAINT_SETS` (data for the data migration).
* ``summary``: :class:`DoseSummaryRequest`, :func:`build_dose_summary`, :func:`inputs_digest`,
  :func:`default_constraint_sets`, :func:`constraint_sets_checked`.
* ``dvh``: :func:`parse_dvh_csv`, :func:`dicom_rt_metrics` (dicompyler-core is imported lazily).
* ``errors``: :class:`DoseInputError` (``field``, ``reason``, ``errors``, ``as_dict()``),
  :class:`DVHParseError`, :class:`DicomInputError`.
"""

from apps.clinical.overlap import LATERALITIES, Overlap, OverlapResult, Target, target_errors, target_overlap
from apps.dosimetry.engine.catalogue import (
    CONSTRAINT_SETS,
    CONSTRAINT_SETS_BY_CODE,
    CONSTRAINTS_BY_CODE,
    ORGANS,
    ORGANS_BY_CODE,
    REGIMENS,
    REGIMENS_BY_CODE,
    Intent,
    OrganAtRisk,
    Regimen,
    RegimenCategory,
    RegimenLevel,
    Technique,
    as_data,
)
from apps.dosimetry.engine.constraints import (
    CheckStatus,
    Constraint,
    ConstraintCheck,
    ConstraintSet,
    Direction,
    LimitUnit,
    Metric,
    check_constraint,
    check_constraint_set,
)
from apps.dosimetry.engine.dvh import StructureMetrics, dicom_rt_metrics, parse_dvh_csv
from apps.dosimetry.engine.errors import (
    DicomInputError,
    DoseInputError,
    DosimetryError,
    DVHParseError,
    FieldError,
)
from apps.dosimetry.engine.lq import (
    MAX_FRACTIONS,
    TUMOUR_ALPHA_BETA,
    DoseLevel,
    LevelResult,
    RegimenResult,
    bed,
    bed_eqd2,
    eqd2,
    eqd2_from_bed,
    evaluate,
    evaluate_regimen,
    total_dose_for_eqd2,
)
from apps.dosimetry.engine.reirradiation import (
    SAHGAL_CHECK_KINDS,
    SAHGAL_ORGANS,
    Course,
    CourseContribution,
    ReirradiationCheck,
    ReirradiationResult,
    SpinalCordReirradiationAssessment,
    reirradiation_sum,
    spinal_cord_sbrt_reirradiation,
)
from apps.dosimetry.engine.summary import (
    CordCheck,
    DoseSummary,
    DoseSummaryRequest,
    Prescription,
    PriorCourseOverlap,
    build_dose_summary,
    constraint_sets_checked,
    default_constraint_sets,
    inputs_digest,
)
from apps.dosimetry.engine.thresholds import THRESHOLDS, Threshold, ThresholdComparison, compare_regimen
from apps.dosimetry.engine.version import ENGINE_VERSION

__all__ = [
    "CONSTRAINTS_BY_CODE",
    "CONSTRAINT_SETS",
    "CONSTRAINT_SETS_BY_CODE",
    "ENGINE_VERSION",
    "LATERALITIES",
    "MAX_FRACTIONS",
    "ORGANS",
    "ORGANS_BY_CODE",
    "REGIMENS",
    "REGIMENS_BY_CODE",
    "SAHGAL_CHECK_KINDS",
    "SAHGAL_ORGANS",
    "THRESHOLDS",
    "TUMOUR_ALPHA_BETA",
    "CheckStatus",
    "Constraint",
    "ConstraintCheck",
    "ConstraintSet",
    "CordCheck",
    "Course",
    "CourseContribution",
    "DVHParseError",
    "DicomInputError",
    "Direction",
    "DoseInputError",
    "DoseLevel",
    "DoseSummary",
    "DoseSummaryRequest",
    "DosimetryError",
    "FieldError",
    "Intent",
    "LevelResult",
    "LimitUnit",
    "Metric",
    "OrganAtRisk",
    "Overlap",
    "OverlapResult",
    "Prescription",
    "PriorCourseOverlap",
    "Regimen",
    "RegimenCategory",
    "RegimenLevel",
    "RegimenResult",
    "ReirradiationCheck",
    "ReirradiationResult",
    "SpinalCordReirradiationAssessment",
    "StructureMetrics",
    "Target",
    "Technique",
    "Threshold",
    "ThresholdComparison",
    "as_data",
    "bed",
    "bed_eqd2",
    "build_dose_summary",
    "check_constraint",
    "check_constraint_set",
    "compare_regimen",
    "constraint_sets_checked",
    "default_constraint_sets",
    "dicom_rt_metrics",
    "eqd2",
    "eqd2_from_bed",
    "evaluate",
    "evaluate_regimen",
    "inputs_digest",
    "parse_dvh_csv",
    "reirradiation_sum",
    "spinal_cord_sbrt_reirradiation",
    "target_errors",
    "target_overlap",
    "total_dose_for_eqd2",
]
