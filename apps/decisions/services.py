"""The only code that writes decisions, signatures, amendments and implementation follow-up.

Each service is keyword-only, locks the rows it changes (``SELECT ... FOR UPDATE``: the case first, then
the decision), runs in one transaction and writes its own audit row in it. The one exception is a failed
signature: the refused attempt is audited in its own transaction, which commits, before the error is
raised, so a wrong password leaves a trace and changes nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.authorization import require
from apps.accounts.models import BoardMembership, User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record, snapshot
from apps.cases.derived import derived_sections
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.core.errors import UNKNOWN_FIELD, InvalidInput
from apps.decisions.engine import recommendation as rules
from apps.decisions.engine.recommendation import ActionKind, DecisionStatus, Implementation
from apps.decisions.models import Decision, FollowUp, FollowUpReminder
from apps.meetings.models import Meeting, MeetingStatus
from apps.meetings.selectors import quorum_met as meeting_quorum_met
from apps.meetings.selectors import with_quorum_inputs
from apps.risk.engine.cautions import systemic_therapy_cautions

#: Fields a draft's author sets (the contract's writable decision fields, plus the urgent reason).
EDITABLE_FIELDS: tuple[str, ...] = (
    "meeting",
    "urgent_reason",
    "intent",
    "actions",
    "rationale",
    "consensus",
    "dissent",
    "started_from_option",
)
#: Case statuses in which the board may record a decision (a case not yet submitted has no question).
DECIDABLE_STATUSES: frozenset[str] = frozenset(
    {CaseStatus.SUBMITTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED, CaseStatus.DECIDED}
)
#: Meetings in which a decision can be signed: the board is sitting, or has sat.
SIGNABLE_MEETING_STATUSES: frozenset[str] = frozenset({MeetingStatus.IN_PROGRESS, MeetingStatus.HELD})


class DecisionLocked(Exception):
    """The version is signed or superseded: it cannot change (a 409); a correction is an amendment."""


class DecisionConflict(Exception):
    """The case already has an open draft (or a signed version a new draft would bypass): a 409."""


def _decision_snapshot(decision: Decision) -> dict[str, Any]:
    return snapshot(
        decision,
        (
            "version",
            "status",
            "meeting_id",
            "urgent_reason",
            "intent",
            "actions",
            "rationale",
            "consensus",
            "dissent",
            "quorum_met",
            "amends_id",
            "amendment_reason",
            "started_from_option",
            "signed_by_id",
            "signed_at",
            "content_hash",
        ),
    )


def _lock_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise Case.DoesNotExist(f"no case {case_id}")
    return case


def _lock_decision(decision_id: int) -> Decision:
    # The case first, then the decision: the same order as decision_create, so two writers never deadlock.
    case_id = Decision.objects.filter(pk=decision_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Decision.DoesNotExist(f"no decision {decision_id}")
    _lock_case(case_id)
    return Decision.objects.select_for_update(of=("self",)).select_related("case", "meeting").get(pk=decision_id)


def _member_usernames(board_id: int) -> list[str]:
    return list(BoardMembership.objects.filter(board_id=board_id).values_list("user__username", flat=True))


def rt_cautions(case: Case, actions: list[Any]) -> list[dict[str, Any]]:
    """The systemic-therapy cautions (risk engine, clinical-rules §1b; source: 004_87b49d5180a7d9e0.txt) that
    apply to each recommended radiotherapy action, with the technique it names."""
    out: list[dict[str, Any]] = []
    for index, action in enumerate(actions):
        if not isinstance(action, Mapping) or action.get("kind") != ActionKind.RADIOTHERAPY:
            continue
        result = systemic_therapy_cautions(case.systemic_therapy_classes, action.get("technique") or None).to_dict()
        out.append({"action": index, **result})
    return out


def _validated(case: Case, data: Mapping[str, Any], current: Decision | None) -> dict[str, Any]:
    """The editable fields of ``data`` checked field by field (400 naming each field and why)."""
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        # The API refuses these before calling (apps.core.api.serializers.refuse_unknown_fields); the same
        # words here for any other caller.
        errors.update({name: [UNKNOWN_FIELD] for name in sorted(unknown)})
    if "meeting" in data:
        meeting = data["meeting"]
        if meeting is not None and not isinstance(meeting, Meeting):
            # Looked up among the case's board's meetings only: another board's meeting answers exactly like
            # an id naming nothing (issue 15: errors do not reveal what exists on other boards).
            if isinstance(meeting, int):
                meeting = Meeting.objects.filter(pk=meeting, board_id=case.board_id).first()
            else:
                meeting = None
            if meeting is None:
                errors["meeting"] = ["no such meeting on this case's board."]
        if isinstance(meeting, Meeting):
            if meeting.board_id != case.board_id:
                errors["meeting"] = ["the meeting is not of this case's board."]
            elif meeting.status == MeetingStatus.CANCELLED:
                errors["meeting"] = ["the meeting was cancelled."]
        clean["meeting"] = meeting
    if "intent" in data and data["intent"] not in (None, *(i.value for i in rules.Intent)):
        errors["intent"] = [f'"{data["intent"]}" is not a valid code. Allowed: {", ".join(i.value for i in rules.Intent)}.']
    if "consensus" in data and data["consensus"] not in (None, *(c.value for c in rules.Consensus)):
        errors["consensus"] = [
            f'"{data["consensus"]}" is not a valid code. Allowed: {", ".join(c.value for c in rules.Consensus)}.'
        ]
    if "actions" in data:
        errors.update(rules.action_errors(data["actions"], list(case.lesions.values_list("pk", flat=True))))
    if "dissent" in data:
        errors.update(rules.dissent_errors(data["dissent"], _member_usernames(case.board_id)))
    for text in ("rationale", "urgent_reason", "started_from_option"):
        if text in data and not isinstance(data[text], str):
            errors[text] = ["must be text."]
    if errors:
        raise InvalidInput(errors)
    clean.update({k: v for k, v in data.items() if k != "meeting"})
    meeting_after = clean.get("meeting", current.meeting if current else None)
    urgent_after = clean.get("urgent_reason", current.urgent_reason if current else "")
    if meeting_after is None and not str(urgent_after).strip():
        raise InvalidInput(
            {"urgent_reason": ["a decision outside a meeting is urgent: say why it cannot wait (or give the meeting)."]}
        )
    return clean


def _apply(decision: Decision, clean: Mapping[str, Any]) -> None:
    for name, value in clean.items():
        setattr(decision, name, value)
    decision.cautions = rt_cautions(decision.case, decision.actions)


@transaction.atomic
def decision_create(*, actor: User, case_id: int, data: Mapping[str, Any]) -> Decision:
    """A new draft of the board's decision on a case; snapshots the derived results it is based on."""
    case = _lock_case(case_id)
    require(actor, Permission.DECISION_DRAFT, case.board_id)
    if case.status not in DECIDABLE_STATUSES:
        raise InvalidInput({"case": [f"a {case.status} case cannot have a decision; submit it first."]})
    if case.decisions.filter(status=DecisionStatus.DRAFT).exists():
        raise DecisionConflict("This case already has a draft decision: edit that draft.")
    if case.decisions.filter(status=DecisionStatus.SIGNED).exists():
        raise DecisionConflict("This case has a signed decision: correct it with an amendment.")
    clean = _validated(case, data, None)
    version = (case.decisions.aggregate(v=Max("version"))["v"] or 0) + 1
    decision = Decision(case=case, version=version, created_by=actor, based_on=snapshot_basis(case))
    _apply(decision, clean)
    decision.save()
    audit_record(
        actor=actor,
        event=AuditEvent.DECISION_CREATED,
        subject=decision,
        board_id=case.board_id,
        after=_decision_snapshot(decision),
    )
    return decision


def snapshot_basis(case: Case) -> dict[str, Any]:
    """The risk, dose, trial and option sections of the case as they are now, each with its engine version."""
    return {"case_revision": case.revision, "taken_at": timezone.now().isoformat(), **derived_sections(case)}


def _basis_content(basis: Mapping[str, Any] | None) -> dict[str, Any]:
    """A basis without the time it was taken: two takes of an unchanged case compare equal."""
    return {key: value for key, value in (basis or {}).items() if key != "taken_at"}


class StaleDecision(Exception):
    """The caller edited a state of the draft that is no longer the current one (a stale ``If-Match``)."""


def decision_etag(decision: Decision) -> str:
    """The draft's ETag: its version and the time of its last change (microseconds), which every edit moves."""
    return f"{decision.version}.{int(decision.updated_at.timestamp() * 1_000_000)}"


@transaction.atomic
def decision_update(*, actor: User, decision_id: int, data: Mapping[str, Any], expected_etag: str | None = None) -> Decision:
    """Edit a draft. A signed or superseded version raises ``DecisionLocked``; an ``expected_etag`` that
    is no longer the draft's (re-checked under the lock) raises ``StaleDecision`` and nothing is written."""
    decision = _lock_decision(decision_id)
    require(actor, Permission.DECISION_DRAFT, decision.case.board_id)
    if expected_etag is not None and expected_etag != decision_etag(decision):
        raise StaleDecision(
            "The draft changed since you read it (its ETag is no longer the one you sent): reload it, redo your "
            "edit and save again."
        )
    if decision.status != DecisionStatus.DRAFT:
        raise DecisionLocked(f"Version {decision.version} is {decision.status}; a correction is an amendment.")
    clean = _validated(decision.case, data, decision)
    before = _decision_snapshot(decision)
    based_on_before = decision.based_on
    _apply(decision, clean)
    # The basis is re-taken at each edit: the draft is based on what the board sees while writing it.
    decision.based_on = snapshot_basis(decision.case)
    if _decision_snapshot(decision) == before and _basis_content(decision.based_on) == _basis_content(based_on_before):
        # An empty PATCH, or one repeating the stored values, writes nothing (issue 15): the ETag stays,
        # so another client's If-Match is not made stale by a no-op, and no audit row says "updated".
        return decision
    decision.save()
    audit_record(
        actor=actor,
        event=AuditEvent.DECISION_UPDATED,
        subject=decision,
        board_id=decision.case.board_id,
        before=before,
        after=_decision_snapshot(decision),
    )
    return decision


def signer_may_sign(actor: User, decision: Decision) -> bool:
    """The meeting's chair signs; an urgent decision outside a meeting is signed by the board's chair."""
    if decision.meeting_id is not None:
        assert decision.meeting is not None
        return decision.meeting.chair_id == actor.pk
    return BoardMembership.objects.filter(board_id=decision.case.board_id, user_id=actor.pk, is_chair=True).exists()


def signed_content(decision: Decision) -> dict[str, Any]:
    """What the signature seals: the clinical content, the version chain and the signature itself."""
    return {
        "decision": str(decision.uuid),
        "case": decision.case_id,
        "version": decision.version,
        "meeting": decision.meeting_id,
        "urgent_reason": decision.urgent_reason,
        "intent": decision.intent,
        "actions": decision.actions,
        "rationale": decision.rationale,
        "consensus": decision.consensus,
        "dissent": decision.dissent,
        "quorum_met": decision.quorum_met,
        "amends": decision.amends_id,
        "amendment_reason": decision.amendment_reason,
        "based_on": decision.based_on,
        "signed_by": decision.signed_by_id,
        "signer_name": decision.signer_name,
        "signed_at": decision.signed_at.isoformat() if decision.signed_at else None,
        "meaning": decision.signature_meaning,
    }


def _audit_failed_signature(actor: User, decision_id: int, reason: str) -> None:
    with transaction.atomic():
        decision = Decision.objects.select_related("case").get(pk=decision_id)
        audit_record(
            actor=actor, event=AuditEvent.DECISION_SIGN_FAILED, subject=decision, board_id=decision.case.board_id, reason=reason
        )


def decision_sign(*, actor: User, decision_id: int, password: str) -> Decision:
    """The chair signs a draft after re-entering the password (21 CFR 11.200(a)(1)).

    A wrong password signs nothing and is audited (``decision.sign_failed``, committed on its own).
    Signing an amendment marks the version it amends ``superseded``; the case moves to ``decided``.
    """
    with transaction.atomic():
        decision = _lock_decision(decision_id)
        require(actor, Permission.DECISION_SIGN, decision.case.board_id)
        if decision.status != DecisionStatus.DRAFT:
            raise DecisionLocked(f"Version {decision.version} is already {decision.status}.")
        if not signer_may_sign(actor, decision):
            raise PermissionDenied(
                "Only the chair of the meeting signs its decisions."
                if decision.meeting_id
                else "Only the board's chair signs an urgent decision outside a meeting."
            )
        password_ok = bool(password) and actor.check_password(password)
    if not password_ok:
        _audit_failed_signature(actor, decision_id, "wrong password")
        raise InvalidInput({"password": ["the password is not correct; the decision was not signed."]})
    return _sign(actor=actor, decision_id=decision_id)


@transaction.atomic
def _sign(*, actor: User, decision_id: int) -> Decision:
    decision = _lock_decision(decision_id)
    if decision.status != DecisionStatus.DRAFT:  # signed by someone else between the password check and now
        raise DecisionLocked(f"Version {decision.version} is already {decision.status}.")
    errors = rules.signing_errors(
        intent=decision.intent,
        actions=decision.actions,
        rationale=decision.rationale,
        consensus=decision.consensus,
        dissent=decision.dissent,
    )
    meeting = decision.meeting
    if meeting is not None:
        if meeting.status not in SIGNABLE_MEETING_STATUSES:
            errors["meeting"] = [f"the meeting is {meeting.status}: a decision is signed once the board sits."]
        else:
            decision.quorum_met = meeting_quorum_met(with_quorum_inputs(Meeting.objects.filter(pk=meeting.pk)).get())
    if errors:
        raise InvalidInput(errors)
    before = _decision_snapshot(decision)
    now = timezone.now()
    decision.status = DecisionStatus.SIGNED
    decision.signed_by = actor
    decision.signer_name = actor.get_full_name() or actor.get_username()
    decision.signed_at = now
    decision.signature_meaning = rules.SIGNATURE_MEANING
    decision.content_hash = rules.content_hash(signed_content(decision))
    case = decision.case
    if decision.amends_id is not None:
        # Only this one change of a signed row passes the immutability trigger: status signed -> superseded.
        Decision.objects.filter(pk=decision.amends_id, status=DecisionStatus.SIGNED).update(status=DecisionStatus.SUPERSEDED)
        old = Decision.objects.get(pk=decision.amends_id)
        audit_record(
            actor=actor,
            event=AuditEvent.DECISION_SUPERSEDED,
            subject=old,
            board_id=case.board_id,
            before={"status": DecisionStatus.SIGNED.value},
            after={"status": DecisionStatus.SUPERSEDED.value, "superseded_by": decision.pk},
        )
    decision.save()
    audit_record(
        actor=actor,
        event=AuditEvent.DECISION_SIGNED,
        subject=decision,
        board_id=case.board_id,
        before=before,
        after=_decision_snapshot(decision),
        reason=rules.SIGNATURE_MEANING,
    )
    if case.status != CaseStatus.DECIDED:
        # The chair's signature is what makes the case decided, whatever step the coordinator last recorded.
        previous = case.status
        case.status = CaseStatus.DECIDED
        case.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            event=AuditEvent.CASE_STATUS_CHANGED,
            subject=case,
            board_id=case.board_id,
            before={"status": previous},
            after={"status": case.status},
            reason=f"decision version {decision.version} signed",
        )
    notify_decision_signed(decision=decision, signer=actor)
    return decision


def notify_decision_signed(*, decision: Decision, signer: User) -> None:
    """Tell the case owner the decision was signed (the meetings app delivers it after commit, once)."""
    from apps.meetings.services import decision_signed

    decision_signed(
        decision_key=f"{decision.pk}:v{decision.version}", case_id=decision.case_id, meeting_id=decision.meeting_id, signer=signer
    )


@transaction.atomic
def decision_amend(*, actor: User, decision_id: int, reason: str) -> Decision:
    """Start a correction of a signed version: the next draft version, a copy referencing it, with a reason."""
    old = _lock_decision(decision_id)
    require(actor, Permission.DECISION_DRAFT, old.case.board_id)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput({"reason": ["an amendment gives its reason."]})
    if old.status != DecisionStatus.SIGNED:
        raise DecisionLocked(
            "Only the signed version can be amended."
            if old.status == DecisionStatus.SUPERSEDED
            else "A draft is edited, not amended."
        )
    if old.case.decisions.filter(status=DecisionStatus.DRAFT).exists():
        raise DecisionConflict("This case already has a draft (an amendment in progress): edit that draft.")
    version = (old.case.decisions.aggregate(v=Max("version"))["v"] or 0) + 1
    draft = Decision(
        case=old.case,
        version=version,
        meeting=old.meeting,
        urgent_reason=old.urgent_reason,
        intent=old.intent,
        actions=old.actions,
        rationale=old.rationale,
        consensus=old.consensus,
        dissent=old.dissent,
        started_from_option=old.started_from_option,
        amends=old,
        amendment_reason=reason.strip(),
        based_on=snapshot_basis(old.case),
        created_by=actor,
    )
    draft.cautions = rt_cautions(old.case, draft.actions)
    draft.save()
    audit_record(
        actor=actor,
        event=AuditEvent.DECISION_AMENDED,
        subject=draft,
        board_id=old.case.board_id,
        after=_decision_snapshot(draft),
        reason=reason.strip(),
    )
    return draft


@transaction.atomic
def decision_record_access(*, actor: User, decision: Decision, event: AuditEvent, detail: str = "") -> None:
    """Audit a read or an export of a decision (who looked at the chart's record, and how)."""
    audit_record(actor=actor, event=event, subject=decision, board_id=decision.case.board_id, reason=detail)


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    decision_id: int,
    implementation: str,
    reason: str | None = None,
    note: str = "",
    response_3_months: str | None = None,
    response_6_months: str | None = None,
    response_12_months: str | None = None,
    treatment_started_on: dt.date | None = None,
    return_to_agenda: bool = False,
) -> FollowUp:
    """Record whether the signed decision was implemented (and the response when known)."""
    decision = _lock_decision(decision_id)
    require(actor, Permission.FOLLOW_UP_RECORD, decision.case.board_id)
    if decision.status != DecisionStatus.SIGNED:
        raise DecisionLocked(
            "Follow-up is recorded on the signed decision."
            if decision.status == DecisionStatus.DRAFT
            else "This version was superseded: record follow-up on the current version."
        )
    errors: dict[str, Any] = rules.follow_up_errors(implementation=implementation, reason=reason, note=note or "")
    allowed = {r.value for r in rules.ResponseAssessment}
    for months, value in ((3, response_3_months), (6, response_6_months), (12, response_12_months)):
        if value not in (None, "") and value not in allowed:
            errors[f"response_{months}_months"] = [f'"{value}" is not a valid code. Allowed: {", ".join(sorted(allowed))}.']
    if errors:
        raise InvalidInput(errors)
    row = FollowUp.objects.create(
        decision=decision,
        implementation=Implementation(implementation),
        reason=reason or None,
        note=note or "",
        response_3_months=response_3_months or None,
        response_6_months=response_6_months or None,
        response_12_months=response_12_months or None,
        treatment_started_on=treatment_started_on,
        return_to_agenda=return_to_agenda,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        event=AuditEvent.FOLLOW_UP_RECORDED,
        subject=row,
        board_id=decision.case.board_id,
        after=snapshot(row, ("decision_id", "implementation", "reason", "note", "return_to_agenda")),
    )
    if return_to_agenda:
        request_return_to_agenda(actor=actor, decision=decision, reason=note or "")
    return row


def request_return_to_agenda(*, actor: User, decision: Decision, reason: str = "") -> Any:
    """Bring the case back to the next agenda (re-review) and tell the board's coordinators (after commit).

    The case leaves ``decided`` through the workflow's re-review path and goes on the meeting the
    placement rule proposes (``meetings.services.case_return_to_agenda``, agenda reason ``follow-up: ...``),
    or waits for a place when no meeting has room. A case already back on its way (not ``decided``) is
    only notified. Returns the agenda item, or None.
    """
    from apps.meetings import notifications
    from apps.meetings.models import NotificationKind
    from apps.meetings.services import AgendaConflict, case_return_to_agenda

    why = reason.strip() or f"the follow-up of decision version {decision.version} asks to discuss it again"
    item = None
    placed = "it is already back on its way to the agenda"
    if Case.objects.filter(pk=decision.case_id, status=CaseStatus.DECIDED).exists():
        try:
            item = case_return_to_agenda(actor=actor, case_id=decision.case_id, reason=why, notify_waiting=False)
        except AgendaConflict:  # raised before any write: the request stays open and is carried later
            placed = "the proposed meeting filled meanwhile: it is carried to the agenda when the next meeting ends"
        else:
            placed = f"placed on {item.meeting}" if item is not None else "no upcoming meeting has room: it waits for a place"
    coordinators = BoardMembership.objects.filter(board_id=decision.case.board_id, user__role="coordinator", user__is_active=True)
    notifications.notify(
        recipient_ids=coordinators.values_list("user_id", flat=True),
        kind=NotificationKind.CASE_MOVED,
        key=f"return_to_agenda:{decision.pk}:{timezone.now():%Y%m%d%H%M%S}",
        case_id=decision.case_id,
        meeting_id=item.meeting_id if item is not None else None,
        subject=f"Case {decision.case_id}: {actor.get_username()} asks for it on the next agenda",
        body=f"Follow-up of decision version {decision.version}: {why}. The case {placed}.",
    )
    return item


#: Who the audit trail names when the follow-up rule carries a case (no person asked).
CARRY_LABEL = "system: open follow-up carried to the next agenda"


def follow_up_carry(*, board_id: int, now: dt.datetime | None = None) -> list[int]:
    """Carry the board's cases with an open implementation follow-up to the next agenda (``selectors.open_follow_ups``).

    Run after a meeting ends (task ``decisions.carry_follow_ups``). Each case is its own transaction: one
    that cannot move (changed meanwhile, agenda filled) is left for the next run, the others go on. Safe to
    run twice: a carried case is no longer ``decided`` and no longer open. Returns the carried case ids.
    """
    from apps.decisions.selectors import open_follow_ups
    from apps.meetings.services import AgendaConflict, case_return_to_agenda

    carried: list[int] = []
    for row in open_follow_ups(board_id, now or timezone.now()):
        try:
            with transaction.atomic():
                case_return_to_agenda(actor=None, case_id=row.case_id, reason=row.why, system_label=CARRY_LABEL)
        except (InvalidInput, AgendaConflict):
            continue  # moved by someone meanwhile, or the agenda filled: the next meeting's end retries
        carried.append(row.case_id)
    return carried


def follow_up_due_ids(now: dt.datetime) -> list[int]:
    """Signed decisions older than the reminder delay with no follow-up recorded and no reminder sent yet."""
    weeks = int(getattr(settings, "DECISION_FOLLOW_UP_REMINDER_WEEKS", 6))
    return list(
        Decision.objects.filter(
            status=DecisionStatus.SIGNED,
            signed_at__lte=now - dt.timedelta(weeks=weeks),
            follow_ups__isnull=True,
            follow_up_reminder__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def follow_up_remind(*, decision_id: int) -> bool:
    """Remind the case owner once that no follow-up was recorded; True when this call sent it.

    The ``FollowUpReminder`` row (one per decision, unique) is the claim: a second run, or a redelivered
    task, fails to insert it and sends nothing.
    """
    from apps.meetings import notifications
    from apps.meetings.models import NotificationKind

    try:
        with transaction.atomic():
            decision = Decision.objects.select_related("case").get(pk=decision_id)
            if decision.status != DecisionStatus.SIGNED or decision.follow_ups.exists():
                return False
            FollowUpReminder.objects.create(decision=decision)
            owner = decision.case.created_by_id
            if owner is not None:
                notifications.notify(
                    recipient_ids=[owner],
                    kind=NotificationKind.REMINDER,
                    key=f"follow_up_reminder:{decision.pk}",
                    case_id=decision.case_id,
                    subject=f"Record whether the board's decision on case {decision.case_id} was implemented",
                    body=f"Decision version {decision.version}, signed {decision.signed_at:%Y-%m-%d}, has no follow-up yet.",
                )
            audit_record(
                actor=None,
                actor_label="system: follow-up reminder",
                event=AuditEvent.FOLLOW_UP_REMINDED,
                subject=decision,
                board_id=decision.case.board_id,
            )
    except IntegrityError:
        return False
    return True
