"""Meeting serializers. The contract (second part, "Meetings") fixes the list, detail and agenda fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.cases.vocabulary import choices
from apps.core.api.serializers import StrictModelSerializer, StrictSerializer
from apps.meetings import selectors
from apps.meetings.engine.quorum import AttendanceStatus
from apps.meetings.engine.recurrence import zone
from apps.meetings.models import (
    AgendaItem,
    Attendance,
    CalendarToken,
    Meeting,
    MeetingSeries,
    Notification,
    NotificationKind,
    Rsvp,
)


def local_iso(value: dt.datetime | None, tz_name: str) -> str | None:
    """ISO 8601 in the meeting's own zone, with its UTC offset (``2026-07-07T07:30:00+01:00``)."""
    return None if value is None else value.astimezone(zone(tz_name)).isoformat()


class MeetingSerializer(StrictModelSerializer[Meeting]):
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    submission_deadline = serializers.SerializerMethodField()
    quorum_met = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "id",
            "board",
            "starts_at",
            "ends_at",
            "timezone",
            "status",
            "location",
            "video_url",
            "submission_deadline",
            "quorum_met",
        )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_starts_at(self, obj: Meeting) -> str | None:
        return local_iso(obj.starts_at, obj.timezone)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_ends_at(self, obj: Meeting) -> str | None:
        return local_iso(obj.ends_at, obj.timezone)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_submission_deadline(self, obj: Meeting) -> str | None:
        return local_iso(obj.submission_deadline, obj.timezone)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_quorum_met(self, obj: Meeting) -> bool | None:
        return selectors.quorum_met(obj)


class UserRefSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "username")


class MeetingDetailSerializer(MeetingSerializer):
    chair = UserRefSerializer(read_only=True)
    original_start = serializers.SerializerMethodField()
    capacity_cases = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *MeetingSerializer.Meta.fields,
            "chair",
            "title",
            "series",
            "original_start",
            "duration_minutes",
            "minutes_per_case",
            "max_cases",
            "capacity_cases",
            "reminder_minutes_before",
            "sequence",
            "agenda_version",
            "agenda_published_at",
            "cancellation_reason",
            "current_item",
            "live_version",
            "started_at",
            "ended_at",
            "quorum",
        )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_original_start(self, obj: Meeting) -> str | None:
        return local_iso(obj.original_start, obj.timezone)

    def get_capacity_cases(self, obj: Meeting) -> int:
        return obj.capacity.cases

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_quorum(self, obj: Meeting) -> dict[str, Any]:
        return selectors.live_quorum(obj).to_dict()


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    estimated_start = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = (
            "id",
            "case",
            "position",
            "estimated_start",
            "urgent",
            "discussed_from",
            "discussed_to",
            "reason",
            "clinical_question",
            "minutes",
        )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_estimated_start(self, obj: AgendaItem) -> str | None:
        starts: dict[int, dt.datetime] = self.context.get("estimated_starts", {})
        meeting_tz: str = self.context.get("timezone", "UTC")
        return local_iso(starts.get(obj.pk), meeting_tz)


class AgendaPlaceSerializer(StrictSerializer[Any]):
    case = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    clinical_question = serializers.CharField(required=False, allow_blank=True, default="")
    agenda_version = serializers.IntegerField(min_value=1, required=False)


class ReturnToAgendaSerializer(StrictSerializer[Any]):
    reason = serializers.CharField(max_length=400, help_text="Why the board discusses the case again (shown on the agenda).")


class AgendaReorderSerializer(StrictSerializer[Any]):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True)
    agenda_version = serializers.IntegerField(min_value=1, required=False, help_text="Or send If-Match with the agenda's ETag.")


class AgendaItemUpdateSerializer(StrictSerializer[Any]):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    clinical_question = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    agenda_version = serializers.IntegerField(min_value=1, required=False)


class AgendaMoveSerializer(StrictSerializer[Any]):
    meeting = serializers.IntegerField(min_value=1)
    agenda_version = serializers.IntegerField(min_value=1, required=False)


class CancelSerializer(StrictSerializer[Any]):
    reason = serializers.CharField(max_length=2000)


class MoveSerializer(StrictSerializer[Any]):
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_starts_at(self, value: dt.datetime) -> dt.datetime:
        raw = str(self.initial_data.get("starts_at", ""))
        if not (raw.endswith("Z") or "+" in raw[10:] or "-" in raw[10:]):
            raise serializers.ValidationError("give the UTC offset (ISO 8601, e.g. 2026-12-08T07:30:00+00:00).")
        return value


class AdvanceSerializer(StrictSerializer[Any]):
    item = serializers.IntegerField(min_value=1, required=False)
    live_version = serializers.IntegerField(min_value=0, required=False)


class RsvpSerializer(StrictSerializer[Any]):
    response = serializers.ChoiceField(choices=[r.value for r in Rsvp if r != Rsvp.PENDING])


class CheckInSerializer(StrictSerializer[Any]):
    remote = serializers.BooleanField(default=False)


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    user = UserRefSerializer(read_only=True)
    role = serializers.CharField(source="user.role", read_only=True)

    class Meta:
        model = Attendance
        fields = ("id", "user", "role", "rsvp", "status", "checked_in_at")


class AttendanceRecordSerializer(StrictSerializer[Any]):
    user = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=choices(AttendanceStatus))


class SeriesSerializer(StrictModelSerializer[MeetingSeries]):
    skipped_dates = serializers.ListField(child=serializers.DateField(), required=False, default=list)
    until = serializers.DateField(
        write_only=True, required=False, help_text="Create meetings up to this date (default: 12 weeks)."
    )

    class Meta:
        model = MeetingSeries
        fields = (
            "id",
            "board",
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
            "until",
        )


class SeriesExtendSerializer(StrictSerializer[Any]):
    until = serializers.DateField()


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ("id", "kind", "subject", "body", "link", "meeting", "case", "created_at", "read_at", "email_state")


class MarkReadSerializer(StrictSerializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)


class PreferencesSerializer(StrictSerializer[Any]):
    preferences = serializers.DictField(child=serializers.DictField(child=serializers.BooleanField()))

    def validate_preferences(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - {k.value for k in NotificationKind})
        if unknown:
            raise serializers.ValidationError(f"unknown kinds {unknown}; one of {', '.join(k.value for k in NotificationKind)}.")
        return value


class CalendarTokenSerializer(serializers.ModelSerializer[CalendarToken]):
    class Meta:
        model = CalendarToken
        fields = ("id", "scope", "board", "label", "created_at", "revoked_at", "last_used_at")


class CalendarTokenCreateSerializer(StrictSerializer[Any]):
    board = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")  # type: ignore[assignment]
