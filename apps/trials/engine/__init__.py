"""Clinical-trial eligibility: the criteria language, its JSON Schema, the matcher and the seed registry.

Pure Python (no Django): the input is ``apps.cases.facts.CaseFacts``; the output is frozen dataclasses with
``to_dict()``. Reference: ``docs/trial-criteria.md``.

Typical use::

    from apps.trials.engine import compile_trial, load_seed_trials

    trials = [compile_trial(definition) for definition in load_seed_trials()]  # validate + compile once
    matches = [trial.match(facts) for trial in trials]                          # hot path
    matches[0].to_dict()  # {"eligibility", "criteria": [...], "missing_fields": [...], ...}
"""

from apps.trials.engine.fields import FIELDS, FieldSpec, Kind, Scope, fields_in
from apps.trials.engine.language import (
    Compiled,
    Result,
    RuleOutcome,
    compile_expression,
    evaluate_rule,
    kleene_all,
    kleene_any,
    kleene_not,
)
from apps.trials.engine.matcher import (
    STATUS_ORDER,
    CompiledTrial,
    CriterionKind,
    CriterionResult,
    Eligibility,
    TrialMatch,
    aggregate,
    compile_trial,
    is_recruiting,
    match_trial,
    match_trials,
    recruitment_note,
    status_rank,
)
from apps.trials.engine.schema import (
    CRITERIA_SCHEMA,
    RULE_SCHEMA,
    TRIAL_SCHEMA,
    TRIAL_STATUSES,
    CriteriaValidationError,
    ValidationIssue,
    check_criteria,
    check_rule,
    check_trial,
    validate_criteria,
    validate_rule,
    validate_trial,
)
from apps.trials.engine.seed_trials import REGISTRY_VERSION, SEED_TRIALS, load_seed_trials
from apps.trials.engine.version import ENGINE_VERSION

__all__ = [
    "CRITERIA_SCHEMA",
    "ENGINE_VERSION",
    "FIELDS",
    "REGISTRY_VERSION",
    "RULE_SCHEMA",
    "SEED_TRIALS",
    "STATUS_ORDER",
    "TRIAL_SCHEMA",
    "TRIAL_STATUSES",
    "Compiled",
    "CompiledTrial",
    "CriteriaValidationError",
    "CriterionKind",
    "CriterionResult",
    "Eligibility",
    "FieldSpec",
    "Kind",
    "Result",
    "RuleOutcome",
    "Scope",
    "TrialMatch",
    "ValidationIssue",
    "aggregate",
    "check_criteria",
    "check_rule",
    "check_trial",
    "compile_expression",
    "compile_trial",
    "evaluate_rule",
    "fields_in",
    "is_recruiting",
    "kleene_all",
    "kleene_any",
    "kleene_not",
    "load_seed_trials",
    "match_trial",
    "match_trials",
    "recruitment_note",
    "status_rank",
    "validate_criteria",
    "validate_rule",
    "validate_trial",
]
