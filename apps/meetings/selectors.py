"""Reads of meetings, agendas, attendance and notifications, scoped to the user's boards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.authorization import restrict
from apps.accounts.models import User
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.meetings.engine import agenda as agenda_rules
from apps.meetings.engine.quorum import AttendanceStatus, Attendee, QuorumResult, evaluate_quorum
from apps.meetings.models import AgendaItem, Attendance, Meeting, MeetingStatus, Notification, QuorumRequirement
from apps.risk.models import LesionAssessment, RiskAssessment

#: Risk flags that make a case urgent for placement (clinical-rules.md §2 and §4; source: 000_76782ef81e029740.txt).
URGENT_FLAGS: frozenset[str] = frozenset({"escc_high_grade", "mirels_impending_fracture"})


def scope_meetings(user: User | AnonymousUser | None) -> QuerySet[Meeting]:
    return restrict(Meeting.objects.all(), user, "board_id")


def with_quorum_inputs(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Prefetch what ``quorum_met`` needs (attendance with roles, the board's rule): two queries in all."""
    return meetings.prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("user").order_by("id")),
        Prefetch("board__quorum_requirements", queryset=QuorumRequirement.objects.order_by("role")),
    )


def meeting_list(
    user: User | AnonymousUser | None,
    *,
    board_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Meeting]:
    """The user's meetings in start order; ``date_from``/``date_to`` are local dates of the meeting, inclusive."""
    rows = scope_meetings(user).select_related("board", "chair")
    if board_id is not None:
        rows = rows.filter(board_id=board_id)
    if date_from is not None:
        rows = rows.filter(local_date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(local_date__lte=date_to)
    return with_quorum_inputs(rows.annotate(item_count=Count("items", distinct=True))).order_by("starts_at", "id")


def quorum_rule(meeting: Meeting) -> dict[str, int]:
    return {r.role: r.minimum for r in meeting.board.quorum_requirements.all()}


def live_quorum(meeting: Meeting) -> QuorumResult:
    """The quorum from who is recorded present now (uses prefetched rows when the meeting has them)."""
    attendees = [
        Attendee(role=a.user.role, status=AttendanceStatus(a.status) if a.status else None) for a in meeting.attendances.all()
    ]
    return evaluate_quorum(attendees, quorum_rule(meeting) or None)


def quorum_met(meeting: Meeting, now: dt.datetime | None = None) -> bool | None:
    """The contract's ``quorum_met``: null before the meeting (and for a cancelled one), the value at the
    end for a held meeting, else evaluated live."""
    now = now or timezone.now()
    if meeting.status == MeetingStatus.CANCELLED:
        return None
    if meeting.status == MeetingStatus.HELD:
        return meeting.quorum_met_at_end
    if meeting.status == MeetingStatus.SCHEDULED and now < meeting.starts_at:
        return None
    return live_quorum(meeting).met


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    estimated_start: dt.datetime


def agenda(meeting: Meeting) -> list[AgendaRow]:
    """The meeting's items in order, each with its estimated start (``engine.agenda.estimated_starts``)."""
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("case", "case__patient").order_by("position", "id"))
    starts = agenda_rules.estimated_starts(
        meeting.starts_at,
        meeting.capacity.slot,
        [agenda_rules.ItemTiming(i.discussed_from, i.discussed_to) for i in items],
    )
    return [AgendaRow(item, start) for item, start in zip(items, starts, strict=True)]


def case_is_urgent(case: Case) -> bool:
    """Flagged urgent, or the case's current stored risk assessment has ESCC 2-3 or an impending fracture.

    The latest stored assessment counts even when stale: a risk once shown is not ignored for placement
    while the recomputation is pending.
    """
    if case.urgent:
        return True
    assessment = RiskAssessment.objects.filter(case_id=case.pk, is_current=True).first()
    if assessment is None:
        return False
    flags = {f.get("code") for f in (assessment.payload or {}).get("flags", []) if isinstance(f, dict)}
    if flags & URGENT_FLAGS:
        return True
    return (
        LesionAssessment.objects.filter(assessment=assessment)
        .filter(Q(escc_high_grade=True) | Q(mirels_category="impending_fracture"))
        .exists()
    )


def meeting_slots(board_id: int, now: dt.datetime) -> list[agenda_rules.MeetingSlot]:
    rows = (
        Meeting.objects.filter(board_id=board_id, status=MeetingStatus.SCHEDULED, starts_at__gt=now)
        .annotate(placed=Count("items"))
        .order_by("starts_at", "id")[:52]
    )
    return [
        agenda_rules.MeetingSlot(
            meeting_id=m.pk,
            starts_at=m.starts_at,
            submission_deadline=m.submission_deadline,
            capacity=m.capacity,
            placed=m.placed,
        )
        for m in rows
    ]


def waiting_cases(user: User | AnonymousUser | None, board_id: int | None = None) -> QuerySet[Case]:
    """Submitted cases of the user's boards not yet on an upcoming agenda, oldest submission first."""
    rows = restrict(Case.objects.all(), user, "board_id").filter(status=CaseStatus.SUBMITTED)
    if board_id is not None:
        rows = rows.filter(board_id=board_id)
    on_agenda = AgendaItem.objects.filter(case_id=OuterRef("pk"), meeting__status=MeetingStatus.SCHEDULED)
    return rows.exclude(Exists(on_agenda)).select_related("patient", "board").order_by("-urgent", "submitted_at", "id")


def upcoming_meetings(user: User | AnonymousUser | None, limit: int = 5) -> list[Meeting]:
    now = timezone.now()
    rows = meeting_list(user).filter(status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS], ends_at__gt=now)
    return list(rows[:limit])


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, in_app=True).order_by("-created_at", "-id")


def feed_meetings(*, board_ids: Iterable[int]) -> QuerySet[Meeting]:
    """Meetings for a calendar feed: from 90 days back, cancelled ones included (subscribers must see them go)."""
    since = timezone.now() - dt.timedelta(days=90)
    return (
        Meeting.objects.filter(board_id__in=list(board_ids), starts_at__gte=since)
        .select_related("board", "chair")
        .order_by("starts_at", "id")
    )
