"""Trial referrals and "flag as wrong" on a match: each in one transaction with its audit row.

Split from the registry edits and the matching (issue 10); ``apps.trials.services`` re-exports these.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.authorization import require, restrict
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record
from apps.cases import selectors as case_selectors
from apps.cases.models import Case
from apps.trials.models import (
    ACTIVE_REFERRAL_STATUSES,
    ENDING_REFERRAL_STATUSES,
    REFERRAL_TRANSITIONS,
    MatchFlag,
    ReferralStatus,
    Trial,
    TrialMatch,
    TrialReferral,
)
from apps.trials.selectors import current_trials


@transaction.atomic
def referral_create(*, actor: User, case_id: int, trial_identifier: str, note: str = "") -> TrialReferral:
    """Propose a case for a trial. The case is matched now; an ineligible match cannot be referred."""
    case = Case.objects.select_for_update().get(pk=case_id)
    require(actor, Permission.REFERRAL_MANAGE, case.board_id)
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
    require(actor, Permission.REFERRAL_MANAGE, referral.case.board_id)
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
    require(actor, Permission.MATCH_FLAG, match.case.board_id)
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
    require(actor, Permission.TRIAL_REGISTRY_EDIT)
    visible = restrict(MatchFlag.objects.filter(pk=flag_id), actor, "match__case__board_id")
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
