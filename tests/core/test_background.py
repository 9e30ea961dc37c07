"""The one way to run work after commit (``apps.core.background``): a transactional outbox.

The row is written in the caller's transaction (a rolled-back change leaves no work behind), sent after
commit and stamped; a broker failure at send time never fails the caller, and the sweep sends the row
later. One case change is one outbox row, whatever the number of consumers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from apps.core import background
from apps.core.models import OutboxMessage
from apps.risk.models import RiskAssessment
from tests.cases.test_case_api import URL, new_case_payload
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_a_rolled_back_change_leaves_no_work_behind(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        background.enqueue("core.probe", "lost")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert callbacks == []


def test_the_message_is_sent_after_commit_and_stamped(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = background.enqueue("core.probe", "token-1")
    message.refresh_from_db()
    # recorded with the change, not yet sent: nothing runs before commit
    assert (message.task_name, message.args, message.sent_at) == ("core.probe", ["token-1"], None)
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_one_case_change_is_one_outbox_row_fanned_out_to_every_receiver(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(URL, new_case_payload(personas.board.pk), format="json")
    assert response.status_code == 201
    assert list(OutboxMessage.objects.values_list("task_name", flat=True)) == ["cases.case_changed"]
    # when it is delivered, each app's receiver enqueues its own work, and the work runs
    with django_capture_on_commit_callbacks(execute=True):
        assert background.send(OutboxMessage.objects.get().pk)
    names = set(OutboxMessage.objects.values_list("task_name", flat=True))
    assert names == {
        "cases.case_changed",
        "risk.assess_case",
        "dosimetry.compute_case_summaries",
        "trials.match_case",
        "options.compute_case",
    }
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert RiskAssessment.objects.filter(case_id=response.json()["id"], is_current=True).count() == 1


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app in broker mode (not eager) with a broker that refuses every publish."""
    from tumorboard.celery import app

    def refuse(message: OutboxMessage) -> None:
        raise BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(background, "_publish", refuse)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def test_a_broker_down_at_commit_does_not_fail_the_save_and_the_sweep_sends_it_later(
    personas: Personas, broker_down: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, new_case_payload(personas.board.pk), format="json")
    # the change is saved and answered; the work is recorded, unsent, with the broker's error
    assert response.status_code == 201
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1
    assert message.last_error.startswith("OperationalError: Error 111")

    # a sweep while the broker is still down sends nothing and keeps the row
    assert background.sweep_outbox(now=timezone.now() + timedelta(minutes=1)) == 0
    # when the broker is back, the sweep sends the rows older than the grace period (not younger ones)
    published: list[tuple[str, list[Any]]] = []
    monkeypatch.setattr(background, "_publish", lambda m: published.append((m.task_name, m.args)))
    assert background.sweep_outbox() == 0  # still inside the grace period of its own after-commit send
    assert background.sweep_outbox(now=timezone.now() + timedelta(minutes=1)) == 1
    assert published == [("cases.case_changed", [response.json()["id"], 1])]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 3
    # and it is never sent twice
    assert background.sweep_outbox(now=timezone.now() + timedelta(minutes=2)) == 0


def test_the_sweep_deletes_sent_rows_after_retention() -> None:
    old = OutboxMessage.objects.create(task_name="core.probe", sent_at=timezone.now() - timedelta(days=8))
    recent = OutboxMessage.objects.create(task_name="core.probe", sent_at=timezone.now())
    background.sweep_outbox()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


def test_the_sweep_runs_every_minute_under_beat() -> None:
    from tumorboard.celery import app

    entry = app.conf.beat_schedule["core.sweep"]
    assert entry["task"] == "core.sweep" and entry["schedule"] == 60.0
    # beside, not instead of, the entries the settings declare
    from django.conf import settings

    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(app.conf.beat_schedule)


def test_celery_is_configured_for_redelivery_not_loss() -> None:
    from django.conf import settings

    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    # Redis must not redeliver a message while its task may still be running
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT
