"""The SRE risk engine: pure Python (no Django), deterministic, reading only ``apps.cases.facts``.

Public API: :func:`assess_lesion`, :func:`assess_case`, the single rules (:func:`mirels_score`,
:func:`sins_score`, :func:`escc_assessment`, :func:`high_risk_asymptomatic`,
:func:`oligometastatic_state`, :func:`histology_radiosensitivity`, :func:`systemic_therapy_cautions`),
the result value types, :func:`inputs_digest` / :func:`case_inputs_digest` and :data:`ENGINE_VERSION`.
Every rule cites its source in its module docstring (clinical-rules.md §1-§6 and the seed papers).
"""

from apps.risk.engine.cautions import CautionLevel, systemic_therapy_cautions
from apps.risk.engine.digest import case_inputs_digest, inputs_digest
from apps.risk.engine.escc import EsccCategory, escc_assessment, non_surgical_regimens
from apps.risk.engine.mirels import MirelsCategory, PhalanxLimb, mirels_category, mirels_score
from apps.risk.engine.oligometastatic import OligometastaticClass, de_novo_timing, oligometastatic_state
from apps.risk.engine.prophylaxis import high_risk_asymptomatic
from apps.risk.engine.radiosensitivity import (
    RADIOSENSITIVITY_TABLE,
    Radiosensitivity,
    histology_radiosensitivity,
    radiosensitivity_of,
)
from apps.risk.engine.results import (
    Caution,
    CautionsResult,
    CheckStatus,
    Component,
    CriterionCheck,
    EsccResult,
    Flag,
    HighRiskResult,
    OligometastaticResult,
    RadiosensitivityResult,
    Rule,
    RuleResult,
    ScoreResult,
    SinsResult,
)
from apps.risk.engine.sins import SinsCategory, sins_category, sins_score
from apps.risk.engine.summary import CaseRiskSummary, LesionAssessment, assess_case, assess_lesion
from apps.risk.engine.version import ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "RADIOSENSITIVITY_TABLE",
    "CaseRiskSummary",
    "Caution",
    "CautionLevel",
    "CautionsResult",
    "CheckStatus",
    "Component",
    "CriterionCheck",
    "EsccCategory",
    "EsccResult",
    "Flag",
    "HighRiskResult",
    "LesionAssessment",
    "MirelsCategory",
    "OligometastaticClass",
    "OligometastaticResult",
    "PhalanxLimb",
    "Radiosensitivity",
    "RadiosensitivityResult",
    "Rule",
    "RuleResult",
    "ScoreResult",
    "SinsCategory",
    "SinsResult",
    "assess_case",
    "assess_lesion",
    "case_inputs_digest",
    "de_novo_timing",
    "escc_assessment",
    "high_risk_asymptomatic",
    "histology_radiosensitivity",
    "inputs_digest",
    "mirels_category",
    "mirels_score",
    "non_surgical_regimens",
    "oligometastatic_state",
    "radiosensitivity_of",
    "sins_category",
    "sins_score",
    "systemic_therapy_cautions",
]
