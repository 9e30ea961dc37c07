"""Notifications: enqueued after commit, delivered by a Celery task exactly once per idempotency key.

``notify`` is called by the services inside their transaction; it queues one ``deliver_notification``
task per recipient *after* commit. The task (``deliver``) inserts the ``Notification`` row under its
unique ``key`` (a redelivered or duplicated task finds the row and does nothing more) and claims the
email with a conditional UPDATE (``pending`` -> ``sending``), so at most one process ever sends it, even
when two workers run the same message at once. A crash between the claim and the send leaves the row in
``sending``: it is not retried, because an email sent twice is worse than a row an operator can see.
Preferences are read at delivery time (per user and kind; no row means both channels on).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.background import enqueue
from apps.meetings.models import EmailState, Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: NotificationKind,
    key: str,
    subject: str,
    body: str = "",
    meeting_id: int | None = None,
    case_id: int | None = None,
) -> None:
    """Queue one notification per recipient after the current transaction commits.

    ``key`` names the event (e.g. ``agenda_published:<meeting>:<version>``); the recipient is appended,
    so the same event reaches each person once.
    """
    payloads = [
        {
            "key": f"{key}:{recipient_id}",
            "recipient_id": recipient_id,
            "kind": str(kind),
            "subject": subject[:200],
            "body": body,
            "meeting_id": meeting_id,
            "case_id": case_id,
        }
        for recipient_id in sorted(set(recipient_ids))
    ]
    for payload in payloads:
        enqueue("meetings.deliver_notification", **payload)


def _channels(recipient_id: int, kind: str) -> tuple[bool, bool]:
    pref = NotificationPreference.objects.filter(user_id=recipient_id, kind=kind).first()
    return (True, True) if pref is None else (pref.email, pref.in_app)


def deliver(
    *,
    key: str,
    recipient_id: int,
    kind: str,
    subject: str,
    body: str = "",
    meeting_id: int | None = None,
    case_id: int | None = None,
) -> Notification | None:
    """Record the notification and send its email, each at most once for ``key``."""
    from apps.accounts.models import User

    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        return None
    wants_email, wants_in_app = _channels(recipient_id, kind)
    link = f"/meetings/{meeting_id}/" if meeting_id else ""
    email_state = EmailState.PENDING if wants_email and recipient.email else EmailState.NOT_WANTED
    try:
        with transaction.atomic():
            row, created = Notification.objects.get_or_create(
                key=key,
                defaults={
                    "recipient_id": recipient_id,
                    "kind": kind,
                    "subject": subject,
                    "body": body,
                    "meeting_id": meeting_id,
                    "case_id": case_id,
                    "link": link,
                    "in_app": wants_in_app,
                    "email_state": email_state,
                },
            )
    except IntegrityError:
        # Another worker inserted the same key between our read and our insert: it owns the delivery.
        return Notification.objects.get(key=key)
    if not created:
        return row
    claimed = Notification.objects.filter(pk=row.pk, email_state=EmailState.PENDING).update(email_state=EmailState.SENDING)
    if claimed != 1:
        return row
    try:
        send_mail(
            subject=subject,
            message=f"{body}\n\n{link}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
    except Exception:  # an SMTP outage must not lose the in-app row; the state says what happened
        logger.exception("notification %s: email to user %s failed", key, recipient_id)
        Notification.objects.filter(pk=row.pk).update(email_state=EmailState.FAILED)
    else:
        Notification.objects.filter(pk=row.pk).update(email_state=EmailState.SENT, emailed_at=timezone.now())
    row.refresh_from_db()
    return row


def announce_live(meeting_id: int, live_version: int) -> None:
    """Tell followers of meeting mode that the state moved (after commit).

    Pages always poll ``/meetings/<id>/live/`` as the fallback; with ``MEETINGS_EVENTSTREAM`` on, the
    event also goes out as a server-sent event on channel ``meeting-<id>`` (django-eventstream over Redis,
    served by an ASGI server).
    """
    if not getattr(settings, "MEETINGS_EVENTSTREAM", False):
        return

    def _send() -> None:
        from django_eventstream import send_event

        from apps.meetings.events import channel_for

        send_event(channel_for(meeting_id), "state", {"meeting": meeting_id, "live_version": live_version})

    transaction.on_commit(_send)
