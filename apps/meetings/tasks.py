"""Thin Celery tasks: take ids and plain values, call a service. Safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from apps.meetings import notifications, services


@shared_task(name="meetings.deliver_notification")
def deliver_notification(**payload: Any) -> int | None:
    row = notifications.deliver(**payload)
    return row.pk if row is not None else None


@shared_task(name="meetings.send_due_reminders")
def send_due_reminders() -> int:
    """Run by Celery beat every minute: remind each meeting whose reminder time has come (once per start)."""
    return sum(services.send_meeting_reminder(meeting_id=pk) for pk in services.due_reminder_ids(timezone.now()))


@shared_task(name="meetings.meeting_ended")
def meeting_ended(meeting_id: int) -> int:
    """Fan out the close of a meeting to the other apps' receivers (``signals.meeting_ended``)."""
    from apps.meetings.models import Meeting
    from apps.meetings.signals import meeting_ended as signal

    board_id = Meeting.objects.filter(pk=meeting_id).values_list("board_id", flat=True).first()
    if board_id is None:
        return 0
    return len(signal.send(sender=Meeting, meeting_id=meeting_id, board_id=board_id))
