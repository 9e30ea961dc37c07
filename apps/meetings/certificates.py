"""Attendance certificates (PDF, WeasyPrint) for continuing medical education."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from apps.meetings.engine.quorum import PRESENT, AttendanceStatus
from apps.meetings.engine.recurrence import zone
from apps.meetings.models import Attendance, Meeting, MeetingStatus


def certificate_pdf(meeting: Meeting, attendance: Attendance | None) -> bytes:
    """The PDF certificate of one member's attendance; ``ValueError`` says why there is none."""
    if meeting.status != MeetingStatus.HELD:
        raise ValueError(f"certificates are issued once the meeting has been held; it is {meeting.status}.")
    if attendance is None or attendance.status is None or AttendanceStatus(attendance.status) not in PRESENT:
        raise ValueError("your attendance at this meeting is not recorded as present.")
    from weasyprint import HTML  # heavy import (Pango); only when a certificate is asked for

    tz = zone(meeting.timezone)
    start = (meeting.started_at or meeting.starts_at).astimezone(tz)
    end = (meeting.ended_at or meeting.ends_at).astimezone(tz)
    html = render_to_string(
        "meetings/certificate.html",
        {
            "meeting": meeting,
            "member": attendance.user,
            "mode": "remotely" if attendance.status == AttendanceStatus.PRESENT_REMOTE else "in person",
            "start": start,
            "end": end,
            "minutes": max(0, int((end - start).total_seconds() // 60)),
            "cases": meeting.items.exclude(discussed_from__isnull=True).count(),
            "issued": timezone.now().astimezone(tz),
        },
    )
    return bytes(HTML(string=html).write_pdf())
