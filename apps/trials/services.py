"""The only code that writes the trial registry and stored trial matches.

Registry edits run in one transaction with their audit row; every edit is a new immutable
``TrialVersion``, and after commit the open cases are re-matched (chunked Celery tasks).
Matching is idempotent: one ``TrialMatch`` row per case and trial, rewritten only when its inputs changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import F, PositiveIntegerField, Value, When
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.accounts.scoping import is_board_member, scope_by_board
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record
from apps.cases import selectors as case_selectors
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.trials.engine import ENGINE_VERSION, CriteriaValidationError, check_trial
from apps.trials.engine.digest import case_facts_digest, match_inputs_digest
from apps.trials.engine.matcher import criteria_digest
from apps.trials.models import (
    ACTIVE_REFERRAL_STATUSES,
    ENDING_REFERRAL_STATUSES,
    REFERRAL_TRANSITIONS,
    MatchFlag,
    ReferralStatus,
    Trial,
    TrialMatch,
    TrialReferral,
    TrialVersion,
)
from apps.trials.selectors import current_trials

#: Open cases re-matched per Celery task after a registry edit.
REMATCH_CHUNK_SIZE = 200

#: Matches per INSERT ... ON CONFLICT statement (a chunk against every trial is 10,000 rows).
_MATCH_UPSERT_BATCH = 1_000

_MATCH_UPDATE_FIELDS: tuple[str, ...] = (
    "trial_version",
    "eligibility",
    "payload",
    "inputs_digest",
    "case_revision",
    "engine_version",
    "computed_at",
)

#: Definition keys mirrored on ``Trial`` columns.
_TRIAL_COLUMNS: tuple[str, ...] = ("short_name", "title", "phase", "status", "sponsor", "summary")


def _require_registry_editor(actor: User) -> None:
    if not actor.has_clinical_permission(Permission.TRIAL_REGISTRY_EDIT):
        raise PermissionDenied(f"Your role ({actor.role}) may not edit the trial registry.")


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


def rematch_job_create(*, trial_id: int | None, actor: User | None, reason: str) -> Job:
    """Record a re-match of every open case (against ``trial_id``, or every trial when None) as a visible
    job (``apps.core.models.Job``, kind ``trial_rematch``); its fan-out task runs after commit."""
    identifier = None if trial_id is None else Trial.objects.values_list("identifier", flat=True).get(pk=trial_id)
    return job_create(
        kind=Job.Kind.TRIAL_REMATCH,
        task_name="trials.rematch_open_cases",
        params={"trial_id": trial_id, "trial": identifier, "reason": reason},
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
    _require_registry_editor(actor)
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
    _require_registry_editor(actor)
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


def open_case_id_chunks(chunk_size: int = REMATCH_CHUNK_SIZE) -> Iterator[list[int]]:
    """Ids of every case that is not closed, in chunks (keyset pagination on the primary key)."""
    last = 0
    while True:
        ids = list(
            Case.objects.exclude(status=CaseStatus.CLOSED)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def case_match_trials(case_id: int, *, trial_ids: Collection[int] | None = None) -> int:
    """Match one case against the current version of every trial (or of ``trial_ids``); idempotent.

    The case row is locked while matching, so a match never overwrites a newer one computed for a later
    revision. Returns the number of rows inserted or updated (0 when nothing changed or the case is gone).
    """
    return cases_match_trials([case_id], trial_ids=trial_ids)


def cases_match_trials(case_ids: Collection[int], *, trial_ids: Collection[int] | None = None) -> int:
    """Match many cases (a re-match chunk) against the current version of every trial (or of ``trial_ids``).

    One transaction with a constant number of queries whatever the chunk size: the case rows are locked in
    primary-key order (so two chunks, or a chunk and a case edit, cannot deadlock, and a match is never
    overwritten by one computed for an older revision), the cases and their lesions are read in bulk, the
    stored digests in one query, and the changed ones are written by one upsert. Idempotent: a pair whose
    inputs digest (case facts, trial version, matcher version) is unchanged is neither evaluated nor
    rewritten; only its case revision moves forward. Returns the number of rows inserted or updated;
    cases deleted meanwhile are skipped.
    """
    with transaction.atomic():
        locked = case_selectors.lock_cases(case_ids)
        if not locked:
            return 0
        cases = case_selectors.cases_for_engines(locked)
        trials = current_trials(trial_ids)
        # Only what the comparison needs: the stored revision and inputs digest of each pair (no payloads
        # read back; a re-match where nothing changed evaluates no criterion, issue 16).
        existing: dict[tuple[int, int], tuple[int, str]] = {
            # A row of another matcher version is recomputed whatever its digest says.
            (case_id, trial_id): (revision, digest if engine == ENGINE_VERSION else "")
            for case_id, trial_id, revision, digest, engine in TrialMatch.objects.filter(
                case_id__in=locked, trial_id__in=[t.trial.pk for t in trials]
            ).values_list("case_id", "trial_id", "case_revision", "inputs_digest", "engine_version")
        }
        now = timezone.now()
        rows: list[TrialMatch] = []
        moved: dict[int, int] = {}  # case id -> revision, for matches whose inputs are the same
        for case in cases:
            facts = case_selectors.case_facts(case)
            facts_digest = case_facts_digest(facts)
            for row in trials:
                digest = match_inputs_digest(facts_digest, row.version.criteria_digest, row.version.pk)
                stored = existing.get((case.pk, row.trial.pk))
                if stored is not None and stored[1] == digest:
                    if stored[0] < case.revision:
                        moved[case.pk] = case.revision  # same facts at a later revision: the match is current
                    continue
                payload = row.compiled.match(facts).to_dict()
                rows.append(
                    TrialMatch(
                        case_id=case.pk,
                        trial_id=row.trial.pk,
                        trial_version_id=row.version.pk,
                        eligibility=payload["eligibility"],
                        payload=payload,
                        inputs_digest=digest,
                        case_revision=case.revision,
                        engine_version=ENGINE_VERSION,
                        computed_at=now,
                    )
                )
        if rows:
            TrialMatch.objects.bulk_create(
                rows,
                batch_size=_MATCH_UPSERT_BATCH,
                update_conflicts=True,
                unique_fields=("case", "trial"),
                update_fields=_MATCH_UPDATE_FIELDS,
            )
        forwarded = 0
        if moved:
            # One UPDATE for every case whose facts came back unchanged at a later revision (rows just
            # rewritten already carry that revision, so including them changes nothing).
            rewritten = {(r.case_id, r.trial_id) for r in rows}
            forwarded = sum(1 for pair in existing if pair[0] in moved and pair not in rewritten)
            TrialMatch.objects.filter(case_id__in=list(moved), trial_id__in=[t.trial.pk for t in trials]).update(
                case_revision=DbCase(
                    *(When(case_id=pk, then=Value(rev)) for pk, rev in moved.items()),
                    default=F("case_revision"),
                    output_field=PositiveIntegerField(),
                )
            )
        return len(rows) + forwarded


def _require_case_permission(actor: User, permission: Permission, board_id: int) -> None:
    if not actor.has_clinical_permission(permission):
        raise PermissionDenied(f"Your role ({actor.role}) may not do this ({permission}).")
    if not is_board_member(actor, board_id):
        raise PermissionDenied("You are not a member of this case's board.")


@transaction.atomic
def referral_create(*, actor: User, case_id: int, trial_identifier: str, note: str = "") -> TrialReferral:
    """Propose a case for a trial. The case is matched now; an ineligible match cannot be referred."""
    case = Case.objects.select_for_update().get(pk=case_id)
    _require_case_permission(actor, Permission.REFERRAL_MANAGE, case.board_id)
    trial = Trial.objects.filter(identifier=trial_identifier).first()
    if trial is None:
        raise ValidationError({"trial": [f"no trial {trial_identifier!r} in the registry."]})
    if TrialReferral.objects.filter(case=case, trial=trial, status__in=ACTIVE_REFERRAL_STATUSES).exists():
        raise ValidationError({"trial": ["this case already has an open referral to this trial."]})
    (row,) = current_trials([trial.pk])
    match = row.compiled.match(case_selectors.case_facts(case_selectors.case_for_engines(case_id)))
    if match.eligibility == "ineligible":
        failed = [f"{c.code}: {c.explanation}" for c in match.criteria if c.result.value == "not_met"]
        raise ValidationError({"trial": ["the case does not meet this trial's criteria.", *failed]})
    referral = TrialReferral.objects.create(
        case=case,
        trial=trial,
        trial_version=row.version,
        eligibility_at_referral=match.eligibility.value,
        note=note,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        event=AuditEvent.REFERRAL_CREATED,
        subject=referral,
        board_id=case.board_id,
        after={
            "case": case.pk,
            "trial": trial.identifier,
            "trial_version": row.version.version,
            "eligibility": match.eligibility.value,
            "status": referral.status,
            "note": note,
        },
    )
    return referral


@transaction.atomic
def referral_transition(*, actor: User, referral_id: int, target: str, reason: str = "") -> TrialReferral:
    referral = TrialReferral.objects.select_for_update().select_related("case").get(pk=referral_id)
    _require_case_permission(actor, Permission.REFERRAL_MANAGE, referral.case.board_id)
    allowed = REFERRAL_TRANSITIONS.get(referral.status, frozenset())
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "none (final status)"
        raise ValidationError({"status": [f"a {referral.status} referral cannot become {target}; allowed: {options}."]})
    if target in ENDING_REFERRAL_STATUSES and not reason.strip():
        raise ValidationError({"reason": [f"say why the referral ends as {target}."]})
    before = referral.status
    referral.status = target
    fields = ["status", "updated_at"]
    if target == ReferralStatus.ENROLLED:
        referral.enrolled_at = timezone.now()
        fields.append("enrolled_at")
    if target in ENDING_REFERRAL_STATUSES:
        referral.ended_at = timezone.now()
        referral.end_reason = reason.strip()
        fields += ["ended_at", "end_reason"]
    referral.save(update_fields=fields)
    audit_record(
        actor=actor,
        event=AuditEvent.REFERRAL_TRANSITIONED,
        subject=referral,
        board_id=referral.case.board_id,
        before={"status": before},
        after={"status": target},
        reason=reason,
    )
    return referral


@transaction.atomic
def match_flag_create(*, actor: User, case_id: int, trial_identifier: str, reason: str, criterion_code: str = "") -> MatchFlag:
    """Record a clinician's report that the stored match of a case to a trial (or one criterion) is wrong."""
    match = (
        TrialMatch.objects.select_related("case", "trial", "trial_version")
        .filter(case_id=case_id, trial__identifier=trial_identifier)
        .first()
    )
    if match is None:
        raise TrialMatch.DoesNotExist(f"no stored match of case {case_id} to {trial_identifier}.")
    _require_case_permission(actor, Permission.MATCH_FLAG, match.case.board_id)
    if not reason.strip():
        raise ValidationError({"reason": ["say what is wrong with this match."]})
    codes = [c.get("code") for c in match.payload.get("criteria", [])]
    if criterion_code and criterion_code not in codes:
        raise ValidationError({"criterion_code": [f"{criterion_code!r} is not a criterion of this match."]})
    flag = MatchFlag.objects.create(
        match=match,
        trial_version=match.trial_version,
        criterion_code=criterion_code,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        event=AuditEvent.MATCH_FLAGGED,
        subject=flag,
        board_id=match.case.board_id,
        after={
            "case": match.case_id,
            "trial": match.trial.identifier,
            "trial_version": match.trial_version.version,
            "criterion_code": criterion_code,
            "eligibility": match.eligibility,
        },
        reason=flag.reason,
    )
    return flag


@transaction.atomic
def match_flag_resolve(*, actor: User, flag_id: int, note: str) -> MatchFlag:
    """Close a match flag, recording who, when and what was done (e.g. "criterion corrected in version 3",
    "the match is right: ECOG was 1 at the board"). Only registry editors (administrators) resolve flags;
    a flag outside the boards they see is ``MatchFlag.DoesNotExist``, a resolved one cannot be resolved again.
    """
    _require_registry_editor(actor)
    visible = scope_by_board(MatchFlag.objects.filter(pk=flag_id), actor, "match__case__board_id")
    # Lock the flag row only (not the joined case and trial), so two administrators cannot both resolve it.
    flag = visible.select_for_update(of=("self",)).select_related("match__case", "match__trial", "trial_version").get()
    if flag.resolved:
        when = flag.resolved_at.isoformat() if flag.resolved_at else "an unknown time"
        who = flag.resolved_by.get_username() if flag.resolved_by else "someone"
        raise ValidationError({"resolved": [f"this flag was already resolved by {who} at {when}."]})
    note = note.strip()
    if not note:
        raise ValidationError({"note": ["say how the flag was resolved (what changed, or why the match stands)."]})
    flag.resolved = True
    flag.resolved_at = timezone.now()
    flag.resolved_by = actor
    flag.resolution_note = note
    flag.save(update_fields=["resolved", "resolved_at", "resolved_by", "resolution_note"])
    audit_record(
        actor=actor,
        event=AuditEvent.MATCH_FLAG_RESOLVED,
        subject=flag,
        board_id=flag.match.case.board_id,
        before={"resolved": False},
        after={
            "resolved": True,
            "resolved_at": flag.resolved_at,
            "case": flag.match.case_id,
            "trial": flag.match.trial.identifier,
            "flagged_trial_version": flag.trial_version.version,
            "current_trial_version": flag.match.trial.current_version,
            "criterion_code": flag.criterion_code,
        },
        reason=note,
    )
    return flag
