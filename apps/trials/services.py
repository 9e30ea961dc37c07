"""The only code that writes the trial registry, stored trial matches, referrals and match flags.

Registry edits (this module) run in one transaction with their audit row; every edit is a new immutable
``TrialVersion``, and after commit the open cases are re-matched (a ``trial_rematch`` job of chunked
tasks). Matching lives in ``apps.trials.matching`` and referrals and flags in ``apps.trials.referrals``
(issue 10: one concern per module); their writers are re-exported here, the app's one service entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.authorization import require
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.trials.engine import CriteriaValidationError, check_trial
from apps.trials.engine.matcher import criteria_digest
from apps.trials.matching import REMATCH_CHUNK_SIZE, case_match_trials, cases_match_trials, open_case_id_chunks, open_case_ids
from apps.trials.models import (
    Trial,
    TrialVersion,
)
from apps.trials.referrals import match_flag_create, match_flag_resolve, referral_create, referral_transition

__all__ = [
    "REMATCH_CHUNK_SIZE",
    "case_match_trials",
    "cases_match_trials",
    "match_flag_create",
    "match_flag_resolve",
    "open_case_id_chunks",
    "open_case_ids",
    "referral_create",
    "referral_transition",
    "rematch_job_create",
    "trial_create",
    "trial_definition",
    "trial_definition_check",
    "trial_update",
]

#: Definition keys mirrored on ``Trial`` columns.
_TRIAL_COLUMNS: tuple[str, ...] = ("short_name", "title", "phase", "status", "sponsor", "summary")


def _validated(definition: Mapping[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in definition.items() if k != "version"}
    try:
        check_trial(clean)
    except CriteriaValidationError as exc:
        raise ValidationError(exc.as_field_errors()) from exc
    return clean


def trial_definition_check(*, definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition as ``trial_create``/``trial_update`` would store it, or ``ValidationError`` keyed by
    JSON path (``$.criteria[1].rule.field``). Writes nothing: forms call it to show errors on the right field
    before saving; the services check again when they write."""
    return _validated(definition)


def rematch_job_create(*, trial_id: int | None, actor: User | None, reason: str, chunk_size: int | None = None) -> Job:
    """Record a re-match of every open case (against ``trial_id``, or every trial when None) as a visible
    job (``apps.core.models.Job``, kind ``trial_rematch``); its fan-out task runs after commit, in chunks
    of ``chunk_size`` open cases (``REMATCH_CHUNK_SIZE`` by default)."""
    identifier = None if trial_id is None else Trial.objects.values_list("identifier", flat=True).get(pk=trial_id)
    return job_create(
        kind=Job.Kind.TRIAL_REMATCH,
        task_name="trials.rematch_open_cases",
        params={"trial_id": trial_id, "trial": identifier, "reason": reason, "chunk_size": chunk_size or REMATCH_CHUNK_SIZE},
        created_by=actor,
    )


def _new_version(trial: Trial, definition: dict[str, Any], actor: User | None) -> TrialVersion:
    stored = {**definition, "version": trial.current_version}
    return TrialVersion.objects.create(
        trial=trial,
        version=trial.current_version,
        definition=stored,
        criteria_digest=criteria_digest(stored["criteria"]),
        created_by=actor,
    )


def trial_definition(trial: Trial) -> dict[str, Any]:
    """The current version's definition (without the version number)."""
    version = TrialVersion.objects.get(trial=trial, version=trial.current_version)
    return {k: v for k, v in version.definition.items() if k != "version"}


@transaction.atomic
def trial_create(*, actor: User, definition: Mapping[str, Any]) -> Trial:
    """Add a trial (version 1) to the registry; raises ``ValidationError`` keyed by JSON path."""
    require(actor, Permission.TRIAL_REGISTRY_EDIT)
    clean = _validated(definition)
    if Trial.objects.filter(identifier=clean["identifier"]).exists():
        raise ValidationError({"identifier": ["a trial with this identifier is already in the registry."]})
    columns = {k: clean.get(k) for k in _TRIAL_COLUMNS}
    trial = Trial(identifier=clean["identifier"], current_version=1, **columns)
    trial.full_clean()
    trial.save()
    version = _new_version(trial, clean, actor)
    audit_record(
        actor=actor,
        event=AuditEvent.TRIAL_CREATED,
        subject=trial,
        after={"identifier": trial.identifier, "version": 1, "definition": version.definition},
    )
    rematch_job_create(trial_id=trial.pk, actor=actor, reason=f"{trial.identifier} added (version 1)")
    return trial


@transaction.atomic
def trial_update(*, actor: User, trial_id: int, changes: Mapping[str, Any]) -> Trial:
    """Apply ``changes`` (top-level definition keys; ``criteria`` replaces the list) as a new version.

    An edit that changes nothing creates no version. The identifier cannot change.
    """
    require(actor, Permission.TRIAL_REGISTRY_EDIT)
    trial = Trial.objects.select_for_update().get(pk=trial_id)
    if "identifier" in changes and changes["identifier"] != trial.identifier:
        raise ValidationError({"identifier": ["cannot be changed; add a new trial instead."]})
    before = trial_definition(trial)
    after = _validated({**before, **{k: v for k, v in changes.items() if k != "version"}})
    if after == before:
        return trial
    trial.current_version += 1
    for key in _TRIAL_COLUMNS:
        setattr(trial, key, after.get(key))
    trial.full_clean()
    trial.save()
    _new_version(trial, after, actor)
    audit_record(
        actor=actor,
        event=AuditEvent.TRIAL_UPDATED,
        subject=trial,
        before={"version": trial.current_version - 1, "definition": before},
        after={"version": trial.current_version, "definition": after},
    )
    rematch_job_create(trial_id=trial.pk, actor=actor, reason=f"{trial.identifier} edited (version {trial.current_version})")
    return trial
