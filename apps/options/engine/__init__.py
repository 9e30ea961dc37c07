"""The prognosis and treatment-options engine: pure Python (no Django), deterministic.

Public API: :func:`tokuhashi_score`, :func:`tomita_score`, :func:`case_prognosis` (clinical-rules.md §10),
:func:`noms_assessment` (§11), :func:`treatment_options` (§12), the findings it reads
(:func:`risk_from_payload`, :class:`OptionInputs`), :func:`options_inputs_digest` and
:data:`ENGINE_VERSION`. Every rule cites its source in its module docstring.
"""

from apps.options.engine.digest import options_inputs_digest
from apps.options.engine.findings import (
    CaseRisk,
    LesionRisk,
    PlanEntry,
    RegimenEntry,
    RegimenLevelEntry,
    ScoreFinding,
    TrialEntry,
    risk_from_payload,
)
from apps.options.engine.noms import NomsAssessment, noms_assessment
from apps.options.engine.options import CaseOptions, LesionOptions, OptionInputs, TreatmentOption, treatment_options
from apps.options.engine.prognosis import CasePrognosis, PrognosisResult, case_prognosis, tokuhashi_score, tomita_score
from apps.options.engine.version import ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "CaseOptions",
    "CasePrognosis",
    "CaseRisk",
    "LesionOptions",
    "LesionRisk",
    "NomsAssessment",
    "OptionInputs",
    "PlanEntry",
    "PrognosisResult",
    "RegimenEntry",
    "RegimenLevelEntry",
    "ScoreFinding",
    "TreatmentOption",
    "TrialEntry",
    "case_prognosis",
    "noms_assessment",
    "options_inputs_digest",
    "risk_from_payload",
    "tokuhashi_score",
    "tomita_score",
    "treatment_options",
]
