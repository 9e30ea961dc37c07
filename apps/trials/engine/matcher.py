"""Match a case against a trial version: every criterion met, failed or undecided, and why.

A trial definition (a JSON object, see ``schema.TRIAL_SCHEMA`` and ``docs/trial-criteria.md``) is validated
and compiled once with ``compile_trial``; the ``CompiledTrial`` then matches any number of cases without
touching the schema again.

Eligibility (clinical-rules.md §9, §1b "unknown is a value, not a guess"):

* ``ineligible`` - at least one criterion is ``not_met``;
* ``possibly_eligible`` - none failed, at least one is ``unknown``: ``missing_fields`` lists what to ask;
* ``eligible`` - every criterion is ``met``.

A criterion's ``kind`` (``inclusion`` / ``exclusion``) is a label for readers: its rule is always written
so that ``met`` means "the case passes this criterion" (an exclusion is written with ``no_lesion`` /
``not``), so eligibility is simply the Kleene conjunction of the criteria.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from apps.cases.facts import CaseFacts
from apps.trials.engine.explain import dedup
from apps.trials.engine.language import (
    MET,
    NOT_MET,
    RESULT_OF,
    UNKNOWN,
    Compiled,
    Outcome,
    Result,
    compile_expression,
)
from apps.trials.engine.schema import check_trial
from apps.trials.engine.version import ENGINE_VERSION

_RESULT_CACHE_SIZE = 1024


class Eligibility(StrEnum):
    ELIGIBLE = "eligible"
    POSSIBLY_ELIGIBLE = "possibly_eligible"
    INELIGIBLE = "ineligible"


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """How one case fares on one criterion."""

    code: str
    text: str
    kind: CriterionKind
    result: Result
    explanation: str
    #: Fields that would decide an ``unknown`` result (empty otherwise).
    missing: tuple[str, ...]
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "kind": self.kind.value,
            "result": self.result.value,
            "explanation": self.explanation,
            "missing": list(self.missing),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class TrialMatch:
    """The match of one case against one trial version."""

    trial_identifier: str
    trial_version: int
    #: sha256 of the canonical JSON of the criteria evaluated: identifies them even across registry edits.
    criteria_digest: str
    eligibility: Eligibility
    criteria: tuple[CriterionResult, ...]
    #: What to ask to decide a ``possibly_eligible`` match (empty for the other two outcomes).
    missing_fields: tuple[str, ...]
    engine_version: str = ENGINE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "trial_identifier": self.trial_identifier,
            "trial_version": self.trial_version,
            "criteria_digest": self.criteria_digest,
            "engine_version": self.engine_version,
            "eligibility": self.eligibility.value,
            "criteria": [c.to_dict() for c in self.criteria],
            "missing_fields": list(self.missing_fields),
        }


@dataclass(frozen=True, slots=True)
class CompiledCriterion:
    code: str
    text: str
    kind: CriterionKind
    source: str
    rule: Compiled
    #: Results are immutable and determined by the rule's outcome, which recurs from case to case: reuse
    #: them (bounded; cleared when full).
    _results: dict[Outcome, CriterionResult] = field(default_factory=dict, compare=False, repr=False)

    def evaluate(self, facts: CaseFacts) -> CriterionResult:
        outcome = self.rule.evaluate(facts, -1)
        results = self._results
        result = results.get(outcome)
        if result is None:
            if len(results) >= _RESULT_CACHE_SIZE:
                results.clear()
            truth, explanation, missing = outcome
            result = results[outcome] = CriterionResult(
                self.code, self.text, self.kind, RESULT_OF[truth], explanation, missing, self.source
            )
        return result


def criteria_digest(criteria: Any) -> str:
    canonical = json.dumps(criteria, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CompiledTrial:
    """A validated, compiled trial version; ``match`` is the hot path."""

    identifier: str
    version: int
    short_name: str
    status: str
    criteria: tuple[CompiledCriterion, ...]
    criteria_digest: str
    definition: Mapping[str, Any]

    def match(self, facts: CaseFacts) -> TrialMatch:
        """Evaluate every criterion (no short-circuit: the board sees each one) and aggregate."""
        results = tuple(criterion.evaluate(facts) for criterion in self.criteria)
        worst = MET
        for r in results:
            if r.result is Result.NOT_MET:
                worst = NOT_MET
                break
            if r.result is Result.UNKNOWN:
                worst = UNKNOWN
        if worst == MET:
            return TrialMatch(self.identifier, self.version, self.criteria_digest, Eligibility.ELIGIBLE, results, ())
        if worst == NOT_MET:
            return TrialMatch(self.identifier, self.version, self.criteria_digest, Eligibility.INELIGIBLE, results, ())
        missing = dedup(name for r in results for name in r.missing)
        return TrialMatch(
            self.identifier,
            self.version,
            self.criteria_digest,
            Eligibility.POSSIBLY_ELIGIBLE,
            results,
            missing,
        )


def aggregate(results: Iterable[Result]) -> Eligibility:
    """Trial eligibility from criterion results (the rule ``CompiledTrial.match`` applies)."""
    seen = set(results)
    if Result.NOT_MET in seen:
        return Eligibility.INELIGIBLE
    if Result.UNKNOWN in seen:
        return Eligibility.POSSIBLY_ELIGIBLE
    return Eligibility.ELIGIBLE


#: Registry listing order, "recruiting ones first" (api-contract.md, trial-matches): open trials, then those
#: that may open or are following up, then closed ones.
STATUS_ORDER: tuple[str, ...] = (
    "recruiting",
    "enrolling_by_invitation",
    "not_yet_recruiting",
    "active_not_recruiting",
    "suspended",
    "unknown",
    "completed",
    "terminated",
    "withdrawn",
)
_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def status_rank(status: str) -> int:
    """Sort key for listing trials, recruiting ones first (an unrecognised status sorts last)."""
    return _STATUS_RANK.get(status, len(STATUS_ORDER))


#: What each registry status means for a referral today (ClinicalTrials.gov overall status definitions). Only
#: ``recruiting`` is open to the board's patients; ``enrolling_by_invitation`` enrols a population the
#: investigators chose in advance; ``unknown`` means the registry has not confirmed the status lately.
_RECRUITMENT_NOTES: dict[str, str] = {
    "recruiting": "Recruiting.",
    "enrolling_by_invitation": "Not recruiting openly: enrolling by invitation only.",
    "not_yet_recruiting": "Not recruiting yet.",
    "active_not_recruiting": "Not recruiting: active, no longer enrolling.",
    "suspended": "Not recruiting: suspended.",
    "terminated": "Not recruiting: terminated.",
    "completed": "Not recruiting: completed.",
    "withdrawn": "Not recruiting: withdrawn.",
    "unknown": "Recruitment status unknown: confirm on the trial's registry record.",
}


def is_recruiting(status: str) -> bool | None:
    """True when a trial is recruiting, False when it is not, None when its status is ``unknown``.

    A trial that is not recruiting is still matched (its eligibility is shown) and every view says it is
    not recruiting (issue 9): a board may want to know that a patient would have qualified, or watch for a
    trial that has not opened yet.
    """
    if status == "unknown" or status not in _RECRUITMENT_NOTES:
        return None
    return status == "recruiting"


def recruitment_note(status: str) -> str:
    """One line for every view of a trial: "Recruiting." or why it is not ("Not recruiting: completed.")."""
    return _RECRUITMENT_NOTES.get(status, _RECRUITMENT_NOTES["unknown"])


def compile_trial(definition: Mapping[str, Any], *, validate: bool = True) -> CompiledTrial:
    """Validate (unless ``validate`` is False, for definitions already checked) and compile a trial.

    Raises ``schema.CriteriaValidationError`` naming the JSON path of every problem.
    """
    if validate:
        check_trial(definition)
    criteria = tuple(
        CompiledCriterion(
            code=c["code"],
            text=c["text"],
            kind=CriterionKind(c["kind"]),
            source=c["source"],
            rule=compile_expression(c["rule"]),
        )
        for c in definition["criteria"]
    )
    return CompiledTrial(
        identifier=definition["identifier"],
        version=int(definition.get("version", 1)),
        short_name=definition["short_name"],
        status=definition["status"],
        criteria=criteria,
        criteria_digest=criteria_digest(definition["criteria"]),
        definition=definition,
    )


def match_trial(trial: CompiledTrial | Mapping[str, Any], facts: CaseFacts) -> TrialMatch:
    """Match one case against one trial (a compiled trial, or a definition compiled on the spot)."""
    compiled = trial if isinstance(trial, CompiledTrial) else compile_trial(trial)
    return compiled.match(facts)


def match_trials(trials: Iterable[CompiledTrial], facts: CaseFacts) -> list[TrialMatch]:
    """Match one case against several compiled trials, in the order given."""
    return [trial.match(facts) for trial in trials]
