"""Read-only admin pages of the meetings (rights from the authorization entry point; writes go through
the services and the meeting pages)."""

from __future__ import annotations

from django.contrib import admin

from apps.core.admin import GuardedAdmin, GuardedInline
from apps.meetings.models import AgendaItem, Attendance, CalendarToken, Meeting, MeetingSeries, Notification, QuorumRequirement


class AgendaInline(GuardedInline):
    model = AgendaItem
    fields = ("position", "case", "urgent", "reason", "discussed_from", "discussed_to")
    readonly_fields = fields


class AttendanceInline(GuardedInline):
    model = Attendance
    fields = ("user", "rsvp", "status", "checked_in_at")
    readonly_fields = fields


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(GuardedAdmin):
    list_display = ("title", "board", "rule", "start_time", "timezone", "chair")
    list_select_related = ("board", "chair")


@admin.register(Meeting)
class MeetingAdmin(GuardedAdmin):
    list_display = ("title", "board", "local_date", "starts_at", "status", "chair", "sequence")
    list_filter = ("status",)
    list_select_related = ("board", "chair")
    inlines = (AgendaInline, AttendanceInline)


@admin.register(QuorumRequirement)
class QuorumRequirementAdmin(GuardedAdmin):
    list_display = ("board", "role", "minimum")


@admin.register(Notification)
class NotificationAdmin(GuardedAdmin):
    list_display = ("created_at", "recipient", "kind", "subject", "email_state", "read_at")
    list_filter = ("kind", "email_state")
    list_select_related = ("recipient",)


@admin.register(CalendarToken)
class CalendarTokenAdmin(GuardedAdmin):
    list_display = ("user", "scope", "board", "label", "created_at", "revoked_at", "last_used_at")
    exclude = ("digest",)
