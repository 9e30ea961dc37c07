"""The only code that writes meeting series, meetings, agendas, attendance and notifications.

Each service is keyword-only, runs in one transaction, writes its own audit row in it, and enqueues its
notifications after commit (``notifications.notify``), so a rolled-back edit tells nobody anything.
Agenda edits lock the meeting row (``SELECT ... FOR UPDATE``, several meetings in primary-key order) and
check ``agenda_version``: a stale version is ``AgendaConflict`` (409), never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts import authorization
from apps.accounts.models import Board, BoardMembership, User
from apps.accounts.roles import Permission, Role
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record, snapshot
from apps.cases import services as case_services
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.core.background import enqueue
from apps.core.errors import InvalidInput
from apps.meetings import notifications
from apps.meetings.engine import agenda as agenda_rules
from apps.meetings.engine.quorum import AttendanceStatus
from apps.meetings.engine.recurrence import RecurrenceError, SeriesRule, occurrences, parse_rule, zone
from apps.meetings.models import (
    AgendaItem,
    Attendance,
    CalendarScope,
    CalendarToken,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    NotificationKind,
    NotificationPreference,
    QuorumRequirement,
    Rsvp,
)
from apps.meetings.selectors import case_is_urgent, live_quorum, meeting_slots

#: Members may check themselves in from this long before the start until the end of the meeting.
CHECK_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
#: How far ahead a new series is expanded into meeting rows (``series_extend`` adds more).
DEFAULT_HORIZON = dt.timedelta(weeks=12)
#: ``@username`` in minutes; a trailing full stop ends the sentence, not the username.
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]*\w)")


class AgendaConflict(Exception):
    """Someone changed the agenda since the caller read it."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"The agenda changed since you loaded it (your version {expected}, now {current}): "
            "reload it and apply your change again."
        )
        self.expected = expected
        self.current = current


class MeetingStateConflict(Exception):
    """The meeting is not in a state that allows this (e.g. advancing a meeting that is not in progress)."""


# --- helpers ------------------------------------------------------------------------------------------


def _snapshot(instance: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    # The audit snapshot knows dates and datetimes; a series also has a time of day.
    return {k: v.isoformat() if isinstance(v, dt.time) else v for k, v in snapshot(instance, fields).items()}


def _require(actor: User, permission: Permission, board_id: int) -> None:
    authorization.require(actor, permission, board_id)


def _lock_meetings(*meeting_ids: int) -> dict[int, Meeting]:
    # Primary-key order, so two services locking the same pair never deadlock.
    rows = Meeting.objects.select_for_update().filter(pk__in=meeting_ids).order_by("pk")
    return {m.pk: m for m in rows}


def _lock_meeting(meeting_id: int) -> Meeting:
    found = _lock_meetings(meeting_id)
    if meeting_id not in found:
        raise Meeting.DoesNotExist(f"no meeting {meeting_id}")
    return found[meeting_id]


def _check_version(meeting: Meeting, expected: int | None) -> None:
    if expected is not None and expected != meeting.agenda_version:
        raise AgendaConflict(expected, meeting.agenda_version)


def _bump_agenda(meeting: Meeting) -> None:
    meeting.agenda_version += 1
    meeting.save(update_fields=["agenda_version", "updated_at"])


def _renumber(meeting: Meeting, ordered: Sequence[AgendaItem]) -> None:
    changed = []
    for index, item in enumerate(ordered, start=1):
        if item.position != index:
            item.position = index
            changed.append(item)
    if changed:
        AgendaItem.objects.bulk_update(changed, ["position"])


def _items(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.order_by("position", "id"))


def _is_upcoming(meeting: Meeting, now: dt.datetime) -> bool:
    return meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > now


def _member_ids(board_id: int) -> list[int]:
    return list(BoardMembership.objects.filter(board_id=board_id, user__is_active=True).values_list("user_id", flat=True))


def _invitee_ids(meeting: Meeting) -> list[int]:
    return list(meeting.attendances.exclude(rsvp=Rsvp.DECLINED).values_list("user_id", flat=True))


def _timing(meeting: Meeting, starts_at: dt.datetime, duration_minutes: int, deadline_hours: int | None = None) -> None:
    """Derive every field that follows from the start (kept together so a move cannot miss one)."""
    tz = zone(meeting.timezone)
    if deadline_hours is None:
        deadline_gap = meeting.starts_at - meeting.submission_deadline if meeting.starts_at else dt.timedelta(hours=48)
    else:
        deadline_gap = dt.timedelta(hours=deadline_hours)
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    meeting.local_date = starts_at.astimezone(tz).date()
    meeting.submission_deadline = starts_at - deadline_gap
    meeting.remind_at = starts_at - dt.timedelta(minutes=meeting.reminder_minutes_before)


def _case_owner_ids(case: Case) -> list[int]:
    return [case.created_by_id] if case.created_by_id else []


def _meeting_label(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(zone(meeting.timezone))
    return f"{meeting.title}, {local:%a %d %b %Y %H:%M} ({meeting.timezone})"


# --- series and meetings ------------------------------------------------------------------------------


def _series_errors(data: Mapping[str, Any], board: Board) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        zone(str(data["timezone"]))
    except RecurrenceError as exc:
        errors["timezone"] = [exc.message]
    try:
        parse_rule(str(data["rule"]), dt.datetime.combine(data["first_date"], data["start_time"]))
    except RecurrenceError as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    chair: User = data["chair"]
    if not BoardMembership.objects.filter(board=board, user=chair).exists():
        errors["chair"] = ["the chair must be a member of the board."]
    elif chair.role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        errors["chair"] = ["the chair must be a clinician of the board (a coordinator or administrator cannot chair)."]
    if data.get("minutes_per_case") is None and data.get("max_cases") is None:
        errors["minutes_per_case"] = ["give minutes_per_case or max_cases (the meeting's capacity)."]
    duration = data.get("duration_minutes", 60)
    if not 5 <= duration <= 720:
        errors["duration_minutes"] = ["must be between 5 and 720 minutes."]
    hours = data.get("submission_deadline_hours", 48)
    if hours < 0 or hours > 24 * 28:
        errors["submission_deadline_hours"] = ["must be between 0 and 672 hours (four weeks)."]
    return errors


SERIES_FIELDS: tuple[str, ...] = (
    "title",
    "rule",
    "first_date",
    "start_time",
    "timezone",
    "skipped_dates",
    "duration_minutes",
    "location",
    "video_url",
    "submission_deadline_hours",
    "reminder_minutes_before",
    "minutes_per_case",
    "max_cases",
    "chair",
)


@transaction.atomic
def series_create(
    *,
    actor: User,
    board: Board,
    data: Mapping[str, Any],
    until: dt.datetime | None = None,
    include_past: bool = False,
) -> MeetingSeries:
    """Create a board's meeting series and its meetings up to ``until`` (default: twelve weeks ahead)."""
    _require(actor, Permission.MEETING_SCHEDULE, board.pk)
    errors = _series_errors(data, board)
    if errors:
        raise InvalidInput(errors)
    values = {k: data[k] for k in SERIES_FIELDS if k in data}
    values["skipped_dates"] = sorted({d.isoformat() if isinstance(d, dt.date) else str(d) for d in data.get("skipped_dates", [])})
    series = MeetingSeries.objects.create(board=board, created_by=actor, **values)
    audit_record(actor=actor, event=AuditEvent.MEETING_SERIES_CREATED, subject=series, board_id=board.pk, after=_snapshot(series))
    _expand(series, actor=actor, until=until, include_past=include_past)
    return series


@transaction.atomic
def series_extend(*, actor: User, series_id: int, until: dt.datetime) -> list[Meeting]:
    """Create the series' missing meetings up to ``until`` (existing ones, moved or cancelled, stay as they are)."""
    series = MeetingSeries.objects.select_for_update().get(pk=series_id)
    _require(actor, Permission.MEETING_SCHEDULE, series.board_id)
    return _expand(series, actor=actor, until=until, include_past=False)


def _expand(series: MeetingSeries, *, actor: User, until: dt.datetime | None, include_past: bool) -> list[Meeting]:
    now = timezone.now()
    tz = zone(series.timezone)
    first = dt.datetime.combine(series.first_date, series.start_time).replace(tzinfo=tz)
    start = first - dt.timedelta(days=1) if include_past else max(first - dt.timedelta(days=1), now)
    end = until or now + DEFAULT_HORIZON
    rule = SeriesRule(
        rule=series.rule,
        first_date=series.first_date,
        start_time=series.start_time,
        timezone=series.timezone,
        skipped_dates=frozenset(dt.date.fromisoformat(d) for d in series.skipped_dates),
    )
    # Compared as instants: a moved or cancelled occurrence keeps its original start and is never re-created.
    existing = {e.astimezone(dt.UTC) for e in series.meetings.values_list("original_start", flat=True)}
    created: list[Meeting] = []
    for occurrence in occurrences(rule, window_start=start, window_end=end):
        if occurrence.astimezone(dt.UTC) in existing:
            continue
        meeting = Meeting(
            board_id=series.board_id,
            series=series,
            title=series.title,
            original_start=occurrence,
            timezone=series.timezone,
            location=series.location,
            video_url=series.video_url,
            minutes_per_case=series.minutes_per_case,
            max_cases=series.max_cases,
            reminder_minutes_before=series.reminder_minutes_before,
            chair_id=series.chair_id,
            created_by=actor,
        )
        _timing(meeting, occurrence, series.duration_minutes, deadline_hours=series.submission_deadline_hours)
        created.append(meeting)
    Meeting.objects.bulk_create(created)
    saved = list(series.meetings.filter(original_start__in=[m.original_start for m in created]))
    members = _member_ids(series.board_id)
    Attendance.objects.bulk_create([Attendance(meeting=m, user_id=uid) for m in saved for uid in members], ignore_conflicts=True)
    for meeting in saved:
        audit_record(
            actor=actor, event=AuditEvent.MEETING_SCHEDULED, subject=meeting, board_id=meeting.board_id, after=_snapshot(meeting)
        )
    return saved


@transaction.atomic
def meeting_move(
    *,
    actor: User,
    meeting_id: int,
    starts_at: dt.datetime,
    duration_minutes: int | None = None,
    location: str | None = None,
    video_url: str | None = None,
    reason: str = "",
) -> Meeting:
    """Reschedule one meeting (the others of its series are untouched). Its deadline and reminder move with it."""
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.MEETING_SCHEDULE, meeting.board_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidInput({"status": [f"only a scheduled meeting can be moved; this one is {meeting.status}."]})
    if starts_at.tzinfo is None:
        raise InvalidInput({"starts_at": ["give the UTC offset (ISO 8601, e.g. 2026-12-08T07:30:00+00:00)."]})
    if starts_at <= timezone.now():
        raise InvalidInput({"starts_at": ["a meeting can only be moved to a time in the future."]})
    before = _snapshot(meeting, ("starts_at", "ends_at", "location", "video_url", "sequence"))
    _timing(meeting, starts_at, duration_minutes or meeting.duration_minutes)
    if location is not None:
        meeting.location = location
    if video_url is not None:
        meeting.video_url = video_url
    meeting.sequence += 1
    meeting.save()
    after = _snapshot(meeting, ("starts_at", "ends_at", "location", "video_url", "sequence"))
    audit_record(
        actor=actor,
        event=AuditEvent.MEETING_MOVED,
        subject=meeting,
        board_id=meeting.board_id,
        before=before,
        after=after,
        reason=reason,
    )
    notifications.notify(
        recipient_ids=_invitee_ids(meeting),
        kind=NotificationKind.MEETING_CHANGED,
        key=f"meeting_changed:{meeting.pk}:{meeting.sequence}",
        meeting_id=meeting.pk,
        subject=f"Meeting moved: {_meeting_label(meeting)}",
        body=reason,
    )
    return meeting


def _next_meeting(meeting: Meeting, now: dt.datetime) -> Meeting | None:
    return (
        Meeting.objects.filter(
            board_id=meeting.board_id, status=MeetingStatus.SCHEDULED, starts_at__gt=max(now, meeting.starts_at)
        )
        .exclude(pk=meeting.pk)
        .order_by("starts_at", "pk")
        .first()
    )


@transaction.atomic
def meeting_cancel(*, actor: User, meeting_id: int, reason: str) -> Meeting:
    """Cancel one meeting: its cases go to the next scheduled meeting (urgent ones at the top) and their
    owners are told; with no next meeting they go back to waiting for a place."""
    if not reason.strip():
        raise InvalidInput({"reason": ["say why the meeting is cancelled (members and case owners are told)."]})
    now = timezone.now()
    unlocked = Meeting.objects.get(pk=meeting_id)
    hint = _next_meeting(unlocked, now)
    # Both rows locked in primary-key order (as every agenda service does), then re-read and re-checked.
    locked = _lock_meetings(meeting_id, *([hint.pk] if hint else []))
    meeting = locked[meeting_id]
    _require(actor, Permission.MEETING_SCHEDULE, meeting.board_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidInput({"status": [f"only a scheduled meeting can be cancelled; this one is {meeting.status}."]})
    target = locked.get(hint.pk) if hint else None
    if target is not None and (target.status != MeetingStatus.SCHEDULED or target.starts_at <= now):
        raise AgendaConflict(meeting.agenda_version, meeting.agenda_version)  # the next meeting changed meanwhile
    moved = _items(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancellation_reason = reason
    meeting.sequence += 1
    meeting.agenda_version += 1
    meeting.save()
    if target is not None:
        for item in moved:
            _append(target, item, now=now)
        _bump_agenda(target)
    else:
        for item in moved:
            item.delete()
            case_services.case_transition(
                actor=actor, case_id=item.case_id, target=CaseStatus.SUBMITTED, reason=f"meeting cancelled: {reason}"
            )
    audit_record(
        actor=actor,
        event=AuditEvent.MEETING_CANCELLED,
        subject=meeting,
        board_id=meeting.board_id,
        before={"status": MeetingStatus.SCHEDULED},
        after={"status": meeting.status, "cases_moved_to": target.pk if target else None, "cases": [i.case_id for i in moved]},
        reason=reason,
    )
    notifications.notify(
        recipient_ids=_invitee_ids(meeting),
        kind=NotificationKind.MEETING_CANCELLED,
        key=f"meeting_cancelled:{meeting.pk}",
        meeting_id=meeting.pk,
        subject=f"Meeting cancelled: {_meeting_label(meeting)}",
        body=reason,
    )
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[i.case_id for i in moved])}
    for item in moved:
        where = f"moved to {_meeting_label(target)}" if target else "waiting for a place on a later agenda"
        notifications.notify(
            recipient_ids=_case_owner_ids(cases[item.case_id]),
            kind=NotificationKind.CASE_MOVED,
            key=f"case_moved:{item.case_id}:{meeting.pk}:{target.pk if target else 'none'}",
            meeting_id=target.pk if target else None,
            case_id=item.case_id,
            subject=f"Case {item.case_id} {where}",
            body=f"{_meeting_label(meeting)} was cancelled: {reason}",
        )
    return meeting


def _append(target: Meeting, item: AgendaItem, *, now: dt.datetime) -> None:
    """Put an existing item on ``target`` (urgent items after the urgent ones already there)."""
    ordered = _items(target)
    index = agenda_rules.insertion_index([i.urgent for i in ordered], urgent=item.urgent)
    item.meeting = target
    item.position = len(ordered) + 1
    item.discussed_from = item.discussed_to = None
    item.save(update_fields=["meeting", "position", "discussed_from", "discussed_to", "updated_at"])
    ordered.insert(index, item)
    _renumber(target, ordered)


# --- agenda -------------------------------------------------------------------------------------------


def _placeable_case(actor: User, meeting: Meeting, case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id, board_id=meeting.board_id).first()
    if case is None:
        raise InvalidInput({"case": ["no such case on this meeting's board."]})
    if case.status != CaseStatus.SUBMITTED:
        raise InvalidInput({"case": [f"only a submitted case can be placed; this case is {case.status}."]})
    return case


def _place(
    *,
    actor: User | None,
    meeting: Meeting,
    case: Case,
    reason: str,
    clinical_question: str,
    urgent: bool,
    now: dt.datetime,
    actor_label: str = "",
    schedule_case: bool = True,
) -> AgendaItem:
    ordered = _items(meeting)
    index = agenda_rules.insertion_index([i.urgent for i in ordered], urgent=urgent)
    item = AgendaItem.objects.create(
        meeting=meeting,
        case=case,
        position=len(ordered) + 1,
        urgent=urgent,
        reason=reason,
        clinical_question=clinical_question or case.question,
        created_by=actor,
    )
    ordered.insert(index, item)
    _renumber(meeting, ordered)
    if schedule_case:
        assert actor is not None  # only the re-review path (which schedules the case itself) runs without one
        case_services.case_transition(actor=actor, case_id=case.pk, target=CaseStatus.SCHEDULED, reason=f"placed on {meeting}")
    _bump_agenda(meeting)
    audit_record(
        actor=actor,
        actor_label=actor_label or None,
        event=AuditEvent.AGENDA_CHANGED,
        subject=meeting,
        board_id=meeting.board_id,
        after={"placed": case.pk, "position": item.position, "urgent": urgent, "agenda_version": meeting.agenda_version},
    )
    notifications.notify(
        recipient_ids=_case_owner_ids(case),
        kind=NotificationKind.CASE_ADDED,
        key=f"case_added:{item.pk}:{meeting.pk}",
        meeting_id=meeting.pk,
        case_id=case.pk,
        subject=f"Case {case.pk} placed on {_meeting_label(meeting)}",
        body=f"Position {item.position}{' (urgent)' if urgent else ''}. Question: {item.clinical_question}",
    )
    return item


@transaction.atomic
def agenda_place(
    *,
    actor: User,
    meeting_id: int,
    case_id: int,
    reason: str = "",
    clinical_question: str = "",
    expected_version: int | None = None,
) -> AgendaItem:
    """Place a submitted case on this meeting's agenda, if its deadline and capacity allow (urgent cases
    go in regardless, at the top). Raises ``InvalidInput`` on ``case`` naming the rule it breaks."""
    now = timezone.now()
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.AGENDA_EDIT, meeting.board_id)
    _check_version(meeting, expected_version)
    case = _placeable_case(actor, meeting, case_id)
    urgent = case_is_urgent(case)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidInput({"case": [f"this meeting is {meeting.status}; cases go on scheduled meetings."]})
    slot = agenda_rules.MeetingSlot(
        meeting_id=meeting.pk,
        starts_at=meeting.starts_at,
        submission_deadline=meeting.submission_deadline,
        capacity=meeting.capacity,
        placed=meeting.items.count(),
    )
    assert case.submitted_at is not None  # a submitted case always has its submission time
    error = agenda_rules.placement_error(submitted_at=case.submitted_at, urgent=urgent, slot=slot, now=now)
    if error:
        raise InvalidInput({"case": [error]})
    return _place(
        actor=actor, meeting=meeting, case=case, reason=reason, clinical_question=clinical_question, urgent=urgent, now=now
    )


@transaction.atomic
def agenda_place_next(*, actor: User, case_id: int, reason: str = "", clinical_question: str = "") -> AgendaItem:
    """Place a submitted case on the meeting the placement rule proposes (``engine.agenda``)."""
    now = timezone.now()
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise InvalidInput({"case": ["no such case."]})
    _require(actor, Permission.AGENDA_EDIT, case.board_id)
    if case.status != CaseStatus.SUBMITTED or case.submitted_at is None:
        raise InvalidInput({"case": [f"only a submitted case can be placed; this case is {case.status}."]})
    urgent = case_is_urgent(case)
    proposal = agenda_rules.propose_meeting(
        submitted_at=case.submitted_at, urgent=urgent, meetings=meeting_slots(case.board_id, now), now=now
    )
    if proposal.meeting_id is None:
        raise InvalidInput({"case": [proposal.reason]})
    meeting = _lock_meeting(proposal.meeting_id)
    case = _placeable_case(actor, meeting, case_id)
    if not urgent and meeting.items.count() >= meeting.capacity.cases:
        raise AgendaConflict(meeting.agenda_version, meeting.agenda_version)  # filled between proposal and lock
    return _place(
        actor=actor, meeting=meeting, case=case, reason=reason, clinical_question=clinical_question, urgent=urgent, now=now
    )


#: The agenda reason of a case brought back by its follow-up (``case_return_to_agenda``).
FOLLOW_UP_REASON = "follow-up"


@transaction.atomic
def case_return_to_agenda(
    *, actor: User | None, case_id: int, reason: str, system_label: str = "", notify_waiting: bool = True
) -> AgendaItem | None:
    """Bring a decided case back to the next agenda (re-review): the follow-up asks for it, or is still open.

    The case leaves ``decided`` through the workflow's re-review path (``cases.services.case_re_review``,
    audited with ``reason``) and goes on the meeting the placement rule proposes, at the deadline it met
    when first submitted, with the agenda reason ``follow-up: <reason>``. When no upcoming meeting has
    room it waits for a place (``submitted``, on the coordinators' waiting list, who are told unless
    ``notify_waiting`` is off) and None is returned.
    ``actor=None`` is the system's follow-up rule, named by ``system_label``; otherwise the actor needs the
    board's follow-up right (``Permission.FOLLOW_UP_RECORD``, checked by the case service).
    """
    now = timezone.now()
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise InvalidInput({"case": ["no such case."]})
    if actor is not None:
        _require(actor, Permission.FOLLOW_UP_RECORD, case.board_id)
    if case.status != CaseStatus.DECIDED:
        raise InvalidInput({"case": [f"only a decided case returns to the agenda; this case is {case.status}."]})
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput({"reason": ["say why the case returns to the agenda (it is shown on the agenda)."]})
    agenda_reason = f"{FOLLOW_UP_REASON}: {reason.strip()}"[:500]
    urgent = case_is_urgent(case)
    assert case.submitted_at is not None  # a decided case was submitted once
    proposal = agenda_rules.propose_meeting(
        submitted_at=case.submitted_at, urgent=urgent, meetings=meeting_slots(case.board_id, now), now=now
    )
    meeting = _lock_meeting(proposal.meeting_id) if proposal.meeting_id is not None else None
    if meeting is not None and not urgent and meeting.items.count() >= meeting.capacity.cases:
        raise AgendaConflict(meeting.agenda_version, meeting.agenda_version)  # filled between proposal and lock
    if meeting is not None and meeting.items.filter(case_id=case.pk).exists():
        meeting = None  # the case's earlier item on that meeting would clash: it waits for the coordinator
    case = case_services.case_re_review(
        actor=actor,
        case_id=case.pk,
        reason=agenda_reason,
        system_label=system_label,
        placed=meeting is not None,
    )
    if meeting is None:
        if not notify_waiting:  # the caller tells the coordinators itself
            return None
        notifications.notify(
            recipient_ids=_coordinator_ids(case.board_id),
            kind=NotificationKind.CASE_MOVED,
            key=f"re_review_waiting:{case.pk}:{now:%Y%m%d%H%M%S}",
            case_id=case.pk,
            subject=f"Case {case.pk} returns for re-review and waits for a place",
            body=f"{agenda_reason}. {proposal.reason}.",
        )
        return None
    return _place(
        actor=actor,
        actor_label=system_label,
        meeting=meeting,
        case=case,
        reason=agenda_reason,
        clinical_question="",
        urgent=urgent,
        now=now,
        schedule_case=False,
    )


def _coordinator_ids(board_id: int) -> list[int]:
    return list(
        BoardMembership.objects.filter(board_id=board_id, user__role=Role.COORDINATOR, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def agenda_reorder(*, actor: User, meeting_id: int, order: Sequence[int], expected_version: int) -> Meeting:
    """Set the agenda order; ``order`` lists every item id of the meeting exactly once."""
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.AGENDA_EDIT, meeting.board_id)
    _check_version(meeting, expected_version)
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.HELD):
        raise InvalidInput({"order": [f"the agenda of a {meeting.status} meeting cannot change."]})
    items = {i.pk: i for i in _items(meeting)}
    if len(order) != len(set(order)) or set(order) != set(items):
        raise InvalidInput({"order": [f"list each of this agenda's {len(items)} item ids exactly once: {sorted(items)}."]})
    before = [i.pk for i in sorted(items.values(), key=lambda i: i.position)]
    _renumber(meeting, [items[pk] for pk in order])
    _bump_agenda(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.AGENDA_CHANGED,
        subject=meeting,
        board_id=meeting.board_id,
        before={"order": before},
        after={"order": list(order), "agenda_version": meeting.agenda_version},
    )
    return meeting


@transaction.atomic
def agenda_move_item(*, actor: User, item_id: int, target_meeting_id: int, expected_version: int | None = None) -> AgendaItem:
    """Move an item to another scheduled meeting of the same board (the coordinator's call: no deadline check)."""
    now = timezone.now()
    source_id = AgendaItem.objects.filter(pk=item_id).values_list("meeting_id", flat=True).first()
    if source_id is None:
        raise AgendaItem.DoesNotExist(f"no agenda item {item_id}")
    locked = _lock_meetings(source_id, target_meeting_id)
    source = locked[source_id]
    _require(actor, Permission.AGENDA_EDIT, source.board_id)
    _check_version(source, expected_version)
    target = locked.get(target_meeting_id)
    if target is None or target.board_id != source.board_id:
        raise InvalidInput({"meeting": ["no such meeting on this board."]})
    if target.pk == source.pk:
        raise InvalidInput({"meeting": ["the item is already on this meeting."]})
    if not _is_upcoming(target, now):
        raise InvalidInput({"meeting": ["cases can only be moved to an upcoming scheduled meeting."]})
    item = AgendaItem.objects.select_related("case").get(pk=item_id)
    if item.discussed_from is not None:
        raise InvalidInput({"meeting": ["this case has already been discussed at its meeting."]})
    if target.items.filter(case_id=item.case_id).exists():
        raise InvalidInput({"meeting": ["the case is already on that meeting's agenda."]})
    _append(target, item, now=now)
    _renumber(source, _items(source))
    _bump_agenda(source)
    _bump_agenda(target)
    audit_record(
        actor=actor,
        event=AuditEvent.AGENDA_CHANGED,
        subject=source,
        board_id=source.board_id,
        after={"moved": item.case_id, "to_meeting": target.pk, "agenda_version": source.agenda_version},
    )
    notifications.notify(
        recipient_ids=_case_owner_ids(item.case),
        kind=NotificationKind.CASE_MOVED,
        key=f"case_moved:{item.case_id}:{source.pk}:{target.pk}",
        meeting_id=target.pk,
        case_id=item.case_id,
        subject=f"Case {item.case_id} moved to {_meeting_label(target)}",
    )
    return item


@transaction.atomic
def agenda_remove_item(*, actor: User, item_id: int, expected_version: int | None = None, reason: str = "") -> Meeting:
    """Take a case off an agenda; it goes back to waiting for a place (``submitted``)."""
    meeting_id = AgendaItem.objects.filter(pk=item_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise AgendaItem.DoesNotExist(f"no agenda item {item_id}")
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.AGENDA_EDIT, meeting.board_id)
    _check_version(meeting, expected_version)
    item = AgendaItem.objects.get(pk=item_id)
    if item.discussed_from is not None:
        raise InvalidInput({"item": ["a case already discussed stays on the meeting's record."]})
    case_id = item.case_id
    item.delete()
    _renumber(meeting, _items(meeting))
    _bump_agenda(meeting)
    case_services.case_transition(
        actor=actor, case_id=case_id, target=CaseStatus.SUBMITTED, reason=reason or "taken off the agenda"
    )
    audit_record(
        actor=actor,
        event=AuditEvent.AGENDA_CHANGED,
        subject=meeting,
        board_id=meeting.board_id,
        after={"removed": case_id, "agenda_version": meeting.agenda_version},
        reason=reason,
    )
    return meeting


ITEM_TEXT_FIELDS: tuple[str, ...] = ("reason", "clinical_question", "minutes")


@transaction.atomic
def agenda_item_update(
    *, actor: User, item_id: int, changes: Mapping[str, str], expected_version: int | None = None
) -> AgendaItem:
    """Edit an item's reason, clinical question or minutes. Coordinators edit any; the meeting's chair
    writes minutes during the meeting. ``@username`` in the minutes notifies that board member."""
    meeting_id = AgendaItem.objects.filter(pk=item_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise AgendaItem.DoesNotExist(f"no agenda item {item_id}")
    meeting = _lock_meeting(meeting_id)
    unknown = sorted(set(changes) - set(ITEM_TEXT_FIELDS))
    if unknown:
        raise InvalidInput({name: [f"not editable here; editable: {', '.join(ITEM_TEXT_FIELDS)}."] for name in unknown})
    is_chair = actor.pk == meeting.chair_id and actor.has_clinical_permission(Permission.MEETING_RUN)
    if not (is_chair and set(changes) <= {"minutes"}):
        _require(actor, Permission.AGENDA_EDIT, meeting.board_id)
    elif not authorization.allowed(actor, Permission.MEETING_RUN, meeting.board_id):
        raise PermissionDenied("You are not a member of this meeting's board.")
    _check_version(meeting, expected_version)
    item = AgendaItem.objects.get(pk=item_id)
    before = _snapshot(item, tuple(changes))
    previous_mentions = set(_MENTION.findall(item.minutes))
    for name, value in changes.items():
        setattr(item, name, value)
    item.save(update_fields=[*changes, "updated_at"])
    if set(changes) - {"minutes"}:
        _bump_agenda(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.AGENDA_CHANGED,
        subject=item,
        board_id=meeting.board_id,
        before=before,
        after=_snapshot(item, tuple(changes)),
    )
    if "minutes" in changes:
        _notify_mentions(actor, meeting, item, set(_MENTION.findall(item.minutes)) - previous_mentions)
    return item


def _notify_mentions(actor: User, meeting: Meeting, item: AgendaItem, usernames: Iterable[str]) -> None:
    names = set(usernames)
    if not names:
        return
    mentioned = BoardMembership.objects.filter(board_id=meeting.board_id, user__username__in=names).values_list(
        "user_id", flat=True
    )
    for user_id in mentioned:
        notifications.notify(
            recipient_ids=[user_id],
            kind=NotificationKind.MENTION,
            key=f"mention:{item.pk}:{user_id}",
            meeting_id=meeting.pk,
            case_id=item.case_id,
            subject=f"{actor.get_username()} mentioned you on case {item.case_id}",
            body=item.minutes[:2000],
        )


@transaction.atomic
def agenda_publish(*, actor: User, meeting_id: int) -> Meeting:
    """Publish the agenda to every invited member (once per agenda version)."""
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.MEETING_SCHEDULE, meeting.board_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidInput({"status": [f"the agenda of a {meeting.status} meeting cannot be published."]})
    meeting.agenda_published_at = timezone.now()
    meeting.save(update_fields=["agenda_published_at", "updated_at"])
    audit_record(
        actor=actor,
        event=AuditEvent.AGENDA_PUBLISHED,
        subject=meeting,
        board_id=meeting.board_id,
        after={"agenda_version": meeting.agenda_version, "items": meeting.items.count()},
    )
    notifications.notify(
        recipient_ids=_invitee_ids(meeting),
        kind=NotificationKind.AGENDA_PUBLISHED,
        key=f"agenda_published:{meeting.pk}:{meeting.agenda_version}",
        meeting_id=meeting.pk,
        subject=f"Agenda published: {_meeting_label(meeting)}",
        body=f"{meeting.items.count()} case(s) on the agenda.",
    )
    return meeting


# --- attendance ---------------------------------------------------------------------------------------


def _attendance(meeting: Meeting, user: User) -> Attendance:
    row, _ = Attendance.objects.select_for_update().get_or_create(meeting=meeting, user=user)
    return row


@transaction.atomic
def attendance_rsvp(*, actor: User, meeting_id: int, response: Rsvp | str) -> Attendance:
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.MEETING_ATTEND, meeting.board_id)
    try:
        answer = Rsvp(response)
    except ValueError as exc:
        raise InvalidInput({"response": [f"one of {', '.join(r.value for r in Rsvp if r != Rsvp.PENDING)}."]}) from exc
    if answer == Rsvp.PENDING:
        raise InvalidInput({"response": ["answer accepted, tentative or declined."]})
    row = _attendance(meeting, actor)
    before = _snapshot(row, ("rsvp",))
    row.rsvp = answer
    row.save(update_fields=["rsvp", "updated_at"])
    audit_record(
        actor=actor,
        event=AuditEvent.ATTENDANCE_RECORDED,
        subject=row,
        board_id=meeting.board_id,
        before=before,
        after={"rsvp": answer},
    )
    return row


@transaction.atomic
def attendance_check_in(*, actor: User, meeting_id: int, remote: bool) -> Attendance:
    """A member checks themselves in, from 30 minutes before the start until the meeting ends."""
    now = timezone.now()
    meeting = _lock_meeting(meeting_id)
    _require(actor, Permission.MEETING_ATTEND, meeting.board_id)
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.HELD):
        raise InvalidInput({"meeting": [f"the meeting is {meeting.status}."]})
    opens = meeting.starts_at - CHECK_IN_OPENS_BEFORE
    closes = meeting.ended_at or meeting.ends_at
    if not opens <= now <= closes:
        raise InvalidInput({"meeting": [f"check-in is open from {opens.isoformat()} to {closes.isoformat()}."]})
    row = _attendance(meeting, actor)
    before = _snapshot(row, ("status", "checked_in_at"))
    row.status = AttendanceStatus.PRESENT_REMOTE if remote else AttendanceStatus.PRESENT_IN_PERSON
    row.checked_in_at = now
    row.recorded_by = actor
    row.save(update_fields=["status", "checked_in_at", "recorded_by", "updated_at"])
    _bump_live(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.ATTENDANCE_RECORDED,
        subject=row,
        board_id=meeting.board_id,
        before=before,
        after=_snapshot(row, ("status", "checked_in_at")),
    )
    return row


@transaction.atomic
def attendance_record(*, actor: User, meeting_id: int, user_id: int, status: AttendanceStatus | str) -> Attendance:
    """The coordinator (or the meeting's chair) records a member's attendance."""
    meeting = _lock_meeting(meeting_id)
    if actor.pk == meeting.chair_id:
        _require(actor, Permission.MEETING_RUN, meeting.board_id)  # a chair who left the board no longer records
    else:
        _require(actor, Permission.MEETING_SCHEDULE, meeting.board_id)
    try:
        value = AttendanceStatus(status)
    except ValueError as exc:
        raise InvalidInput({"status": [f"one of {', '.join(s.value for s in AttendanceStatus)}."]}) from exc
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput({"meeting": ["the meeting was cancelled."]})
    member = User.objects.filter(pk=user_id, memberships__board_id=meeting.board_id).first()
    if member is None:
        raise InvalidInput({"user": ["not a member of this meeting's board."]})
    row = _attendance(meeting, member)
    before = _snapshot(row, ("status",))
    row.status = value
    row.recorded_by = actor
    row.save(update_fields=["status", "recorded_by", "updated_at"])
    _bump_live(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.ATTENDANCE_RECORDED,
        subject=row,
        board_id=meeting.board_id,
        before=before,
        after={"status": value},
    )
    return row


@transaction.atomic
def quorum_rule_set(*, actor: User, board: Board, minimums: Mapping[str, int]) -> list[QuorumRequirement]:
    """Replace a board's quorum rule (role -> minimum present); an empty mapping restores the default."""
    _require(actor, Permission.MEETING_SCHEDULE, board.pk)
    errors: dict[str, list[str]] = {}
    for role, minimum in minimums.items():
        if role not in {r.value for r in Role} or role in (Role.ADMINISTRATOR, Role.COORDINATOR):
            errors[role] = ["not a clinical role code."]
        elif not isinstance(minimum, int) or minimum < 1:
            errors[role] = ["the minimum must be a whole number of at least 1."]
    if errors:
        raise InvalidInput({"minimums": errors})
    before = dict(QuorumRequirement.objects.filter(board=board).values_list("role", "minimum"))
    QuorumRequirement.objects.filter(board=board).delete()
    rows = QuorumRequirement.objects.bulk_create(
        [QuorumRequirement(board=board, role=r, minimum=m) for r, m in sorted(minimums.items())]
    )
    audit_record(
        actor=actor, event=AuditEvent.QUORUM_RULE_CHANGED, subject=board, board_id=board.pk, before=before, after=dict(minimums)
    )
    return rows


# --- meeting mode -------------------------------------------------------------------------------------


def _require_chair(actor: User, meeting: Meeting) -> None:
    if not authorization.allowed(actor, Permission.MEETING_RUN, meeting.board_id):
        raise PermissionDenied("Your role may not run meetings.")
    if actor.pk != meeting.chair_id:
        raise PermissionDenied("Only the meeting's chair runs meeting mode.")


def _bump_live(meeting: Meeting) -> None:
    meeting.live_version += 1
    meeting.save(update_fields=["live_version", "updated_at"])
    notifications.announce_live(meeting.pk, meeting.live_version)


def _close_current(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.current_item_id is not None:
        AgendaItem.objects.filter(pk=meeting.current_item_id, discussed_to__isnull=True).update(discussed_to=now)


def _open(item: AgendaItem | None, now: dt.datetime) -> None:
    if item is not None and item.discussed_from is None:
        AgendaItem.objects.filter(pk=item.pk).update(discussed_from=now)


@transaction.atomic
def meeting_start(*, actor: User, meeting_id: int) -> Meeting:
    """The chair opens the meeting: the first case becomes current and its discussion time starts."""
    now = timezone.now()
    meeting = _lock_meeting(meeting_id)
    _require_chair(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingStateConflict(f"the meeting is {meeting.status}, not scheduled.")
    first = meeting.items.order_by("position", "id").first()
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.started_at = now
    meeting.current_item = first
    meeting.save(update_fields=["status", "started_at", "current_item", "updated_at"])
    _open(first, now)
    _bump_live(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.MEETING_PROGRESS,
        subject=meeting,
        board_id=meeting.board_id,
        after={"status": meeting.status},
    )
    return meeting


@transaction.atomic
def meeting_advance(
    *, actor: User, meeting_id: int, to_item_id: int | None = None, expected_live_version: int | None = None
) -> Meeting:
    """The chair moves on: the current case's discussion ends now, the next (or the chosen) one begins."""
    now = timezone.now()
    meeting = _lock_meeting(meeting_id)
    _require_chair(actor, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise MeetingStateConflict(f"the meeting is {meeting.status}, not in progress.")
    if expected_live_version is not None and expected_live_version != meeting.live_version:
        raise MeetingStateConflict("the meeting moved on since you loaded it: reload.")
    items = _items(meeting)
    if to_item_id is not None:
        target = next((i for i in items if i.pk == to_item_id), None)
        if target is None:
            raise InvalidInput({"item": ["not an item of this meeting's agenda."]})
    else:
        current_position = next((i.position for i in items if i.pk == meeting.current_item_id), 0)
        target = next((i for i in items if i.position > current_position and i.discussed_to is None), None)
    _close_current(meeting, now)
    meeting.current_item = target
    meeting.save(update_fields=["current_item", "updated_at"])
    _open(target, now)
    _bump_live(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.MEETING_PROGRESS,
        subject=meeting,
        board_id=meeting.board_id,
        after={"current_item": meeting.current_item_id},
    )
    return meeting


@transaction.atomic
def meeting_end(*, actor: User, meeting_id: int) -> Meeting:
    """The chair closes the meeting; the quorum at that moment is kept on the meeting."""
    now = timezone.now()
    meeting = _lock_meeting(meeting_id)
    _require_chair(actor, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise MeetingStateConflict(f"the meeting is {meeting.status}, not in progress.")
    _close_current(meeting, now)
    meeting.status = MeetingStatus.HELD
    meeting.ended_at = now
    meeting.current_item = None
    meeting.quorum_met_at_end = live_quorum(meeting).met
    meeting.save(update_fields=["status", "ended_at", "current_item", "quorum_met_at_end", "updated_at"])
    _bump_live(meeting)
    audit_record(
        actor=actor,
        event=AuditEvent.MEETING_PROGRESS,
        subject=meeting,
        board_id=meeting.board_id,
        after={"status": meeting.status, "quorum_met": meeting.quorum_met_at_end},
    )
    # Other apps follow up in the worker (e.g. open implementation follow-ups carried to the next agenda).
    enqueue("meetings.meeting_ended", meeting.pk)
    return meeting


# --- notifications, preferences, calendar tokens ------------------------------------------------------


@transaction.atomic
def notification_preferences_set(*, actor: User, preferences: Mapping[str, Mapping[str, bool]]) -> list[NotificationPreference]:
    """Set the actor's channels per kind: ``{"reminder": {"email": false, "in_app": true}, ...}``."""
    errors: dict[str, list[str]] = {}
    kinds = {k.value for k in NotificationKind}
    for kind, channels in preferences.items():
        if kind not in kinds:
            errors[kind] = [f"unknown kind; one of {', '.join(sorted(kinds))}."]
        elif not isinstance(channels, Mapping) or set(channels) - {"email", "in_app"}:
            errors[kind] = ['give {"email": bool, "in_app": bool}.']
        elif any(not isinstance(v, bool) for v in channels.values()):
            errors[kind] = ["email and in_app are true or false."]
    if errors:
        raise InvalidInput({"preferences": errors})
    rows = []
    for kind, channels in preferences.items():
        row, _ = NotificationPreference.objects.get_or_create(user=actor, kind=kind)
        for name, value in channels.items():
            setattr(row, name, value)
        row.save()
        rows.append(row)
    return rows


@transaction.atomic
def notification_mark_read(*, actor: User, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the actor's notifications read (all unread ones when no ids are given)."""
    rows = actor.notifications.filter(read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_create(*, actor: User, board: Board | None = None, label: str = "") -> tuple[CalendarToken, str]:
    """A new feed token (returned once, in clear; only its digest is stored)."""
    if board is not None:
        _require(actor, Permission.MEETING_VIEW, board.pk)
    elif not actor.has_clinical_permission(Permission.MEETING_VIEW):
        raise PermissionDenied("Your role may not subscribe to meetings.")
    token = secrets.token_urlsafe(32)
    row = CalendarToken.objects.create(
        user=actor,
        scope=CalendarScope.BOARD if board else CalendarScope.USER,
        board=board,
        digest=token_digest(token),
        label=label[:100],
        created_by=actor,
    )
    return row, token


@transaction.atomic
def calendar_token_revoke(*, actor: User, token_id: int) -> CalendarToken:
    row = CalendarToken.objects.select_for_update().get(pk=token_id, user=actor)
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at", "updated_at"])
    return row


def sent_reminder_claim(meeting_id: int) -> bool:
    """Claim the reminder of a meeting for its current start (conditional UPDATE: one winner)."""
    claimed = (
        Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.SCHEDULED)
        .exclude(reminder_sent_for=F("starts_at"))
        .update(reminder_sent_for=F("starts_at"))
    )
    return claimed == 1


def due_reminder_ids(now: dt.datetime) -> list[int]:
    return list(
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, remind_at__lte=now, starts_at__gt=now)
        .exclude(reminder_sent_for=F("starts_at"))
        .values_list("pk", flat=True)
    )


def send_meeting_reminder(*, meeting_id: int) -> int:
    """Enqueue the reminder of one meeting to its invitees (once per start), returns how many."""
    with transaction.atomic():
        if not sent_reminder_claim(meeting_id):
            return 0
        meeting = Meeting.objects.get(pk=meeting_id)
        recipients = _invitee_ids(meeting)
        start_key = meeting.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        notifications.notify(
            recipient_ids=recipients,
            kind=NotificationKind.REMINDER,
            key=f"reminder:{meeting.pk}:{start_key}",
            meeting_id=meeting.pk,
            subject=f"Reminder: {_meeting_label(meeting)}",
            body=f"{meeting.items.count()} case(s) on the agenda. {meeting.location} {meeting.video_url}".strip(),
        )
    return len(recipients)


def decision_signed(*, decision_key: str, case_id: int, meeting_id: int | None, signer: User) -> None:
    """Hook for the decisions work: tell the case's owner that the board's decision was signed.

    Call inside the signing transaction; ``decision_key`` identifies the signed version (e.g. its id and
    version), so signing the same version twice notifies once.
    """
    case = Case.objects.get(pk=case_id)
    notifications.notify(
        recipient_ids=_case_owner_ids(case),
        kind=NotificationKind.DECISION_SIGNED,
        key=f"decision_signed:{decision_key}",
        meeting_id=meeting_id,
        case_id=case_id,
        subject=f"Decision on case {case_id} signed by {signer.get_username()}",
    )


__all__ = [
    "AgendaConflict",
    "MeetingStateConflict",
    "agenda_item_update",
    "agenda_move_item",
    "agenda_place",
    "agenda_place_next",
    "agenda_publish",
    "agenda_remove_item",
    "agenda_reorder",
    "attendance_check_in",
    "attendance_record",
    "attendance_rsvp",
    "calendar_token_create",
    "calendar_token_revoke",
    "case_return_to_agenda",
    "decision_signed",
    "meeting_advance",
    "meeting_cancel",
    "meeting_end",
    "meeting_move",
    "meeting_start",
    "notification_mark_read",
    "notification_preferences_set",
    "quorum_rule_set",
    "send_meeting_reminder",
    "series_create",
    "series_extend",
]
