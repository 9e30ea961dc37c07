"""Exactly-once notifications through a real Celery worker on Redis, against PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.meetings.models import EmailState, Notification
from apps.meetings.tasks import deliver_notification
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = pytest.mark.services


@pytest.fixture
def worker_outbox(tmp_path: Path) -> Iterator[Path]:
    """Make the worker (started after this fixture) write each email it sends as a file here."""
    saved = {k: os.environ.get(k) for k in ("EMAIL_BACKEND", "EMAIL_FILE_PATH")}
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["EMAIL_FILE_PATH"] = str(tmp_path)
    try:
        yield tmp_path
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_duplicate_messages_deliver_one_notification_and_one_email(worker_outbox: Path, celery_worker_process: None) -> None:
    # given a member with an email address, committed for the worker to read
    user = UserFactory(username="worker_surgeon", email="worker_surgeon@example.org")
    payload = {
        "key": f"agenda_published:1:2:{user.pk}",
        "recipient_id": user.pk,
        "kind": "agenda_published",
        "subject": "Agenda published",
        "body": "4 cases",
    }
    # when the same notification reaches the broker four times (a redelivery, a duplicate enqueue)
    results = [deliver_notification.delay(**payload) for _ in range(4)]
    ids = {r.get(timeout=60) for r in results}
    # then there is one row, one email sent, and every message answered with that row
    wait_for(lambda: Notification.objects.filter(key=payload["key"], email_state=EmailState.SENT).exists())
    assert Notification.objects.filter(recipient=user).count() == 1
    assert ids == {Notification.objects.get(key=payload["key"]).pk}
    sent = [p for p in worker_outbox.iterdir() if p.is_file()]
    assert len(sent) == 1
    assert "worker_surgeon@example.org" in sent[0].read_text()
