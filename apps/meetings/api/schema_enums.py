"""Choice sets named once in the OpenAPI schema (settings ``ENUM_NAME_OVERRIDES`` points here by path).
Each equals the model field's choices, labels included."""

from __future__ import annotations

from apps.cases.vocabulary import choices
from apps.meetings.engine.quorum import AttendanceStatus
from apps.meetings.models import MeetingStatus

MEETING_STATUS = choices(MeetingStatus)
ATTENDANCE_STATUS = choices(AttendanceStatus)
