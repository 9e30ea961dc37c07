"""Demo meetings for ``seed_demo``: the demo board's weekly series, agendas, a held meeting, a waiting list.

Everything goes through the services (so the audit trail and notifications look as in real use); the
exceptions are what only history can have: the held meeting's agenda (placing on a meeting in the past
is refused, rightly) and its scheduled start, end and discussion times. Its cases are then discussed in
meeting mode through the services, with minutes, and the decisions demo signs their decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone

from apps.accounts.models import Board, User
from apps.cases import services as case_services
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.core.errors import InvalidInput
from apps.meetings import services
from apps.meetings.engine.quorum import AttendanceStatus
from apps.meetings.models import AgendaItem, Meeting, MeetingSeries, MeetingStatus

SERIES_TITLE = "Weekly bone metastasis board"
#: Cases placed on the upcoming agendas; the other submitted cases stay on the waiting list.
PLACED_CASES = 14
#: Cases the board discussed at the last held meeting (their decisions come from ``decisions.demo``).
HELD_CASES = 4
_MINUTES = (
    "Discussed with imaging on screen. @surgeon: no instability (SINS 6). Agreed: single-fraction RT, "
    "bone-modifying agent; review pain at 4 weeks."
)
_PAST_ATTENDANCE: dict[str, AttendanceStatus] = {
    "surgeon": AttendanceStatus.PRESENT_IN_PERSON,
    "radonc": AttendanceStatus.PRESENT_IN_PERSON,
    "medonc": AttendanceStatus.PRESENT_REMOTE,
    "radiologist": AttendanceStatus.PRESENT_IN_PERSON,
    "pathologist": AttendanceStatus.EXCUSED,
    "coordinator": AttendanceStatus.PRESENT_IN_PERSON,
}


def seed_meetings(board: Board, users: Mapping[str, User]) -> str:
    """Create the demo board's meetings once (idempotent: a board with the demo series is left alone)."""
    if MeetingSeries.objects.filter(board=board, title=SERIES_TITLE).exists():
        return "meetings already seeded"
    coordinator, chair = users["coordinator"], users["radonc"]
    today = timezone.localdate()
    last_tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7 or 7)
    series = services.series_create(
        actor=coordinator,
        board=board,
        data={
            "title": SERIES_TITLE,
            "rule": "FREQ=WEEKLY;BYDAY=TU",
            "first_date": last_tuesday,
            "start_time": dt.time(7, 30),
            "timezone": "Europe/London",
            "duration_minutes": 60,
            "location": "Seminar room 2, oncology centre",
            "video_url": "https://video.example.org/bone-board",
            "submission_deadline_hours": 48,
            "minutes_per_case": 10,
            "max_cases": None,
            "chair": chair,
            "reminder_minutes_before": 24 * 60,
        },
        until=timezone.now() + dt.timedelta(weeks=8),
        include_past=True,
    )
    now = timezone.now()
    past = list(series.meetings.filter(ends_at__lt=now).order_by("starts_at"))
    discussed = list(
        Case.objects.filter(board=board, status=CaseStatus.SUBMITTED, urgent=False).order_by("submitted_at", "id")[:HELD_CASES]
    )
    for index, meeting in enumerate(past):
        _hold(meeting, users, discussed if index == len(past) - 1 else [])
    held = len(past)
    placed = 0
    waiting = Case.objects.filter(board=board, status=CaseStatus.SUBMITTED).order_by("-urgent", "submitted_at", "id")
    for case in waiting[:PLACED_CASES]:
        try:
            services.agenda_place_next(actor=coordinator, case_id=case.pk, reason=_reason(case))
        except InvalidInput:
            continue  # no room within the seeded weeks: the case waits, as it would
        placed += 1
    first = series.meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now).order_by("starts_at").first()
    if first is not None:
        services.agenda_publish(actor=coordinator, meeting_id=first.pk)
    return f"{series.meetings.count()} meetings ({held} held), {placed} case(s) placed"


def _reason(case: Case) -> str:
    return "Urgent: new neurological or fracture risk" if case.urgent else "New bone metastasis for a treatment plan"


def _hold(meeting: Meeting, users: Mapping[str, User], cases: list[Case]) -> None:
    coordinator, chair = users["coordinator"], users["radonc"]
    for position, case in enumerate(cases, start=1):
        # History only: the cases the board discussed at that meeting (placing on a past meeting is refused).
        AgendaItem.objects.create(
            meeting=meeting,
            case=case,
            position=position,
            reason=_reason(case),
            clinical_question=case.question,
            created_by=coordinator,
        )
        case_services.case_transition(
            actor=coordinator, case_id=case.pk, target=CaseStatus.SCHEDULED, reason=f"placed on {meeting}"
        )
    for username, status in _PAST_ATTENDANCE.items():
        services.attendance_record(actor=coordinator, meeting_id=meeting.pk, user_id=users[username].pk, status=status)
    services.meeting_start(actor=chair, meeting_id=meeting.pk)
    items = list(meeting.items.order_by("position"))
    for item in items:
        services.agenda_item_update(actor=chair, item_id=item.pk, changes={"minutes": _MINUTES})
        services.meeting_advance(actor=chair, meeting_id=meeting.pk)
        case_services.case_transition(
            actor=coordinator, case_id=item.case_id, target=CaseStatus.DISCUSSED, reason=f"discussed at {meeting}"
        )
    services.meeting_end(actor=chair, meeting_id=meeting.pk)
    # History only: the meeting was held at its scheduled time, not at the moment the demo was seeded.
    Meeting.objects.filter(pk=meeting.pk).update(started_at=meeting.starts_at, ended_at=meeting.ends_at)
    slot = dt.timedelta(minutes=meeting.minutes_per_case or 10)
    for index, item in enumerate(items):
        start = meeting.starts_at + index * slot
        AgendaItem.objects.filter(pk=item.pk).update(discussed_from=start, discussed_to=start + slot - dt.timedelta(minutes=1))
