"""iCalendar (RFC 5545) files of meetings, built with the ``icalendar`` package.

Each meeting is one VEVENT whose UID is the meeting's public UUID, so a moved or cancelled meeting
replaces the subscriber's copy: ``SEQUENCE`` is the meeting's ``sequence`` (bumped by every move and by
a cancellation) and a cancelled meeting is ``STATUS:CANCELLED``. Times carry the meeting's IANA zone
(``DTSTART;TZID=Europe/London:...``) with its VTIMEZONE, so calendars show the board's wall-clock time.
"""

from __future__ import annotations

from collections.abc import Iterable

import icalendar
from django.utils import timezone

from apps.meetings.engine.recurrence import zone
from apps.meetings.models import Meeting, MeetingStatus

PRODID = "-//Tumorboard//Board meetings//EN"
UID_DOMAIN = "tumorboard"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.uuid}@{UID_DOMAIN}"


def _event(meeting: Meeting, base_url: str) -> icalendar.Event:
    tz = zone(meeting.timezone)
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{meeting.title} ({meeting.board.name})")
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    if meeting.location:
        event.add("location", meeting.location)
    lines = []
    if meeting.video_url:
        lines.append(f"Video: {meeting.video_url}")
        event.add("url", meeting.video_url)
    lines.append(f"Chair: {meeting.chair.get_full_name() or meeting.chair.get_username()}")
    lines.append(f"Submission deadline: {meeting.submission_deadline.astimezone(tz):%a %d %b %Y %H:%M}")
    if meeting.status == MeetingStatus.CANCELLED and meeting.cancellation_reason:
        lines.append(f"Cancelled: {meeting.cancellation_reason}")
    lines.append(f"{base_url}/meetings/{meeting.pk}/")
    event.add("description", "\n".join(lines))
    return event


def calendar_bytes(meetings: Iterable[Meeting], *, name: str, base_url: str = "") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(_event(meeting, base_url.rstrip("/")))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
