"""Board meetings: recurring series, meetings, agendas, attendance, quorum rules, notifications, feeds.

A ``MeetingSeries`` is stored as the board sees it: a local start time, an IANA zone and a recurrence
rule, expanded in local wall-clock time (``engine.recurrence``). Each occurrence is a ``Meeting`` row that
keeps its ``original_start`` (its identity within the series), so one meeting can be moved or cancelled
without touching the others and re-expanding the series never duplicates it.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.models import Board
from apps.accounts.roles import Role
from apps.cases.constraints import in_enum
from apps.cases.models import Case
from apps.cases.vocabulary import choices
from apps.core.models import TimeStampedModel
from apps.meetings.engine.agenda import Capacity
from apps.meetings.engine.quorum import AttendanceStatus


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in_progress"
    HELD = "held"


class Rsvp(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"


class NotificationKind(StrEnum):
    AGENDA_PUBLISHED = "agenda_published"
    CASE_ADDED = "case_added"
    CASE_MOVED = "case_moved"
    MEETING_CHANGED = "meeting_changed"
    MEETING_CANCELLED = "meeting_cancelled"
    REMINDER = "reminder"
    MENTION = "mention"
    DECISION_SIGNED = "decision_signed"


class EmailState(StrEnum):
    NOT_WANTED = "not_wanted"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class CalendarScope(StrEnum):
    USER = "user"
    BOARD = "board"


class _Schedule(models.Model):
    """Fields a series gives each of its meetings (each meeting keeps its own copy, so it can differ)."""

    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    minutes_per_case = models.PositiveSmallIntegerField(null=True, blank=True, default=10)
    max_cases = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def capacity(self) -> Capacity:
        return Capacity(duration_minutes=self.duration_minutes, minutes_per_case=self.minutes_per_case, max_cases=self.max_cases)


def _schedule_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=Q(duration_minutes__gte=5, duration_minutes__lte=720), name=f"{prefix}_duration_range"),
        models.CheckConstraint(
            condition=Q(minutes_per_case__isnull=False) | Q(max_cases__isnull=False), name=f"{prefix}_capacity_given"
        ),
        models.CheckConstraint(
            condition=Q(minutes_per_case__isnull=True) | Q(minutes_per_case__gte=1), name=f"{prefix}_minutes_per_case_positive"
        ),
        models.CheckConstraint(condition=Q(max_cases__isnull=True) | Q(max_cases__gte=1), name=f"{prefix}_max_cases_positive"),
    ]


class MeetingSeries(_Schedule, TimeStampedModel):
    """A board's recurring meeting, e.g. every Tuesday 07:30 Europe/London, 60 minutes, 10 minutes per case."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meeting_series")
    title = models.CharField(max_length=200)
    rule = models.CharField(max_length=500, help_text="RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU")
    first_date = models.DateField()
    start_time = models.TimeField(help_text="Local wall-clock time in ``timezone``.")
    timezone = models.CharField(max_length=64)
    skipped_dates = models.JSONField(
        default=list, blank=True, help_text="Local dates (YYYY-MM-DD) with no meeting, e.g. holidays."
    )
    submission_deadline_hours = models.PositiveSmallIntegerField(default=48)
    reminder_minutes_before = models.PositiveIntegerField(default=24 * 60)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_series")

    class Meta:
        ordering = ("board", "title", "id")
        verbose_name_plural = "meeting series"
        constraints = [
            *_schedule_constraints("series"),
            models.CheckConstraint(condition=~Q(rule=""), name="series_rule_present"),
            models.CheckConstraint(condition=~Q(timezone=""), name="series_timezone_present"),
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(_Schedule, TimeStampedModel):
    """One sitting of a board: the agenda, attendance and the record of the discussion."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    original_start = models.DateTimeField(help_text="The start the series gave this occurrence; never changes.")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    local_date = models.DateField(db_index=True, help_text="Date of ``starts_at`` on the wall clock of ``timezone``.")
    timezone = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=choices(MeetingStatus), default=MeetingStatus.SCHEDULED.value)
    submission_deadline = models.DateTimeField()
    reminder_minutes_before = models.PositiveIntegerField(default=24 * 60)
    #: ``starts_at`` minus the reminder offset, kept by the services so the reminder moves with the meeting.
    remind_at = models.DateTimeField(db_index=True)
    #: The start the reminder was sent for; a moved meeting is reminded again for its new start.
    reminder_sent_for = models.DateTimeField(null=True, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings")
    cancellation_reason = models.TextField(blank=True)
    #: iCalendar SEQUENCE: bumped by every change a subscriber's calendar must pick up.
    sequence = models.PositiveIntegerField(default=0)
    #: Bumped by every agenda edit; a stale version is a 409.
    agenda_version = models.PositiveIntegerField(default=1)
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    current_item = models.ForeignKey("AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: Bumped at every meeting-mode step, so followers know when to refresh.
    live_version = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    quorum_met_at_end = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ("starts_at", "id")
        indexes = [models.Index(fields=("board", "starts_at"), name="meeting_board_start_idx")]
        constraints = [
            *_schedule_constraints("meeting"),
            models.CheckConstraint(condition=in_enum("status", MeetingStatus, nullable=False), name="meeting_status_valid"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(submission_deadline__lte=models.F("starts_at")), name="meeting_deadline_before_start"
            ),
            models.UniqueConstraint(fields=("series", "original_start"), name="meeting_one_per_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.local_date}"


class AgendaItem(TimeStampedModel):
    """A case on a meeting's agenda: why it is presented, what the board is asked, and when it was discussed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField()
    urgent = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True, help_text="Reason for presentation.")
    clinical_question = models.TextField(blank=True)
    discussed_from = models.DateTimeField(null=True, blank=True)
    discussed_to = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True, help_text="Minutes of the discussion of this case.")
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("meeting", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "case"), name="agenda_case_once_per_meeting"),
            models.CheckConstraint(condition=Q(position__gte=1), name="agenda_position_positive"),
            models.CheckConstraint(
                condition=Q(discussed_to__isnull=True)
                | Q(discussed_from__isnull=False, discussed_to__gte=models.F("discussed_from")),
                name="agenda_discussion_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position} case {self.case_id} at meeting {self.meeting_id}"


class Attendance(TimeStampedModel):
    """A member's invitation to a meeting, their RSVP and whether they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances")
    rsvp = models.CharField(max_length=16, choices=choices(Rsvp), default=Rsvp.PENDING.value)
    status = models.CharField(max_length=24, choices=choices(AttendanceStatus), null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("meeting", "user")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "user"), name="attendance_once_per_member"),
            models.CheckConstraint(condition=in_enum("rsvp", Rsvp, nullable=False), name="attendance_rsvp_valid"),
            models.CheckConstraint(condition=in_enum("status", AttendanceStatus, nullable=True), name="attendance_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.meeting_id}: {self.status or self.rsvp}"


class QuorumRequirement(models.Model):
    """A board's quorum rule, one row per role: at least ``minimum`` members of ``role`` present.

    A board with no rows uses the default rule (``engine.quorum.DEFAULT_QUORUM``).
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="quorum_requirements")
    role = models.CharField(max_length=32, choices=choices(Role))
    minimum = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ("board", "role")
        constraints = [
            models.UniqueConstraint(fields=("board", "role"), name="quorum_role_once_per_board"),
            models.CheckConstraint(condition=in_enum("role", Role, nullable=False), name="quorum_role_valid"),
            models.CheckConstraint(condition=Q(minimum__gte=1), name="quorum_minimum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.board_id}: {self.minimum} x {self.role}"


class Notification(models.Model):
    """One message to one user, at most once: ``key`` is the idempotency key (unique)."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=choices(NotificationKind))
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    in_app = models.BooleanField(default=True)
    email_state = models.CharField(max_length=16, choices=choices(EmailState), default=EmailState.PENDING.value)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("recipient", "in_app", "-created_at"), name="notification_inbox_idx")]
        constraints = [
            models.CheckConstraint(condition=in_enum("kind", NotificationKind, nullable=False), name="notification_kind_valid"),
            models.CheckConstraint(
                condition=in_enum("email_state", EmailState, nullable=False), name="notification_email_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}"


class NotificationPreference(models.Model):
    """A user's choice per kind of notification; no row means both channels on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=32, choices=choices(NotificationKind))
    email = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)

    class Meta:
        ordering = ("user", "kind")
        constraints = [
            models.UniqueConstraint(fields=("user", "kind"), name="notification_preference_once"),
            models.CheckConstraint(
                condition=in_enum("kind", NotificationKind, nullable=False), name="notification_preference_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: email={self.email} in_app={self.in_app}"


class CalendarToken(TimeStampedModel):
    """An unguessable, revocable token for a calendar feed (a user's meetings, or one board's).

    Only the SHA-256 digest of the token is stored: the feed URL is shown once, when it is made.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    scope = models.CharField(max_length=8, choices=choices(CalendarScope))
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("user", "-created_at")
        constraints = [
            models.CheckConstraint(condition=in_enum("scope", CalendarScope, nullable=False), name="calendar_token_scope_valid"),
            models.CheckConstraint(
                condition=(Q(scope=CalendarScope.BOARD.value) & Q(board__isnull=False))
                | (Q(scope=CalendarScope.USER.value) & Q(board__isnull=True)),
                name="calendar_token_board_iff_board_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} feed of {self.user_id}"
