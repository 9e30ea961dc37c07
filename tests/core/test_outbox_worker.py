"""Issue 15 "Reliability", on the real services: the broker unreachable while a case is saved. The save
answers at once (2xx) and nothing is lost; once the broker is back, the sweep sends the recorded work and
the real worker computes the case's results."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core import background
from apps.core.models import OutboxMessage
from apps.risk.models import RiskAssessment
from tests.cases.test_case_api import URL, new_case_payload
from tests.conftest import Personas, wait_for

pytestmark = pytest.mark.services

UNREACHABLE = "redis://127.0.0.1:1/0"


def _publish_to_unreachable_broker(message: OutboxMessage) -> None:
    """The real publish, on a connection of its own to a broker nobody listens on (the app's pool, shared
    with the rest of the suite, is left intact)."""
    from tumorboard.celery import app

    with app.connection_for_write(UNREACHABLE) as connection:
        app.send_task(
            message.task_name,
            args=message.args,
            kwargs=message.kwargs,
            retry=False,
            ignore_result=True,
            connection=connection,
            **({"queue": message.queue} if message.queue else {}),
        )


def test_a_case_saved_while_the_broker_is_unreachable_is_assessed_after_recovery(
    celery_worker_process: None, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_publish = background._publish
    monkeypatch.setattr(background, "_publish", _publish_to_unreachable_broker)
    client = personas.client(personas.coordinator)

    started = time.monotonic()
    response = client.post(URL, new_case_payload(personas.board.pk), format="json")
    elapsed = time.monotonic() - started

    # the save answers at once and is stored; its work is recorded, unsent, with the broker's error
    assert response.status_code == 201, response.content
    assert elapsed < 8.0, f"the save waited {elapsed:.1f} s on the broker"
    case_id = response.json()["id"]
    message = OutboxMessage.objects.get(task_name="cases.case_changed", args=[case_id, 1])
    assert message.sent_at is None and "111" in message.last_error
    assert not RiskAssessment.objects.filter(case_id=case_id).exists()

    # when the broker is reachable again, the sweep (beat, every minute) sends it to the real worker
    monkeypatch.setattr(background, "_publish", real_publish)
    assert background.sweep_outbox(now=timezone.now() + timedelta(minutes=1)) == 1
    # then the worker fans the change out and the case's risk is computed, once and current
    row = wait_for(lambda: RiskAssessment.objects.filter(case_id=case_id, is_current=True).first(), timeout=60)
    assert row.case_revision == 1
    assert RiskAssessment.objects.filter(case_id=case_id).count() == 1
    message.refresh_from_db()
    assert message.sent_at is not None
