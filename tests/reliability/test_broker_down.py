"""Issue 15 "Reliability", on the real services: the broker unreachable while a case is saved.

The broker is a redis-server of this test's own (``private_broker``), really stopped during the save and
started again afterwards: the shared Redis server is never touched. The save answers 201 at once (before
the outbox, 500 after 19 s) and nothing is lost: its work is recorded, unsent, with the broker's error;
once the broker is back, the sweep (Celery beat, every minute) sends it and a real worker computes the
case's derived results.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core import background
from apps.core.models import OutboxMessage
from apps.options.models import TreatmentOptionsResult
from apps.risk.models import RiskAssessment
from apps.trials.models import Trial, TrialMatch
from tests.cases.test_case_api import URL, new_case_payload
from tests.conftest import Personas, WorkerProcess, private_queue, wait_for
from tests.reliability.conftest import PrivateBroker

pytestmark = pytest.mark.services

#: A generous bound, not a speed measurement: the save used to hang 19 s on the broker, then answer 500.
AT_ONCE = 10.0


def test_a_case_saved_while_the_broker_is_down_is_computed_after_recovery(
    private_broker: PrivateBroker, seeded_registry: None, personas: Personas
) -> None:
    client = personas.client(personas.coordinator)
    with private_queue() as queue:
        # given the broker is down
        private_broker.stop()

        # when a case is saved
        started = time.monotonic()
        response = client.post(URL, new_case_payload(personas.board.pk), format="json")
        elapsed = time.monotonic() - started

        # then the save answers 201 at once and is stored; its work is recorded, unsent, with the error
        assert response.status_code == 201, response.content
        assert elapsed < AT_ONCE, f"the save waited {elapsed:.1f} s on the broker"
        case_id = response.json()["id"]
        message = OutboxMessage.objects.get(task_name="cases.case_changed", args=[case_id, 1])
        assert message.sent_at is None and message.attempts == 1 and message.last_error
        # and a sweep while the broker is still down sends nothing and loses nothing
        assert background.sweep_outbox(now=timezone.now() + timedelta(minutes=1)) == 0
        message.refresh_from_db()
        assert message.sent_at is None and message.attempts == 2
        assert not RiskAssessment.objects.filter(case_id=case_id).exists()

        # when the broker is back (and a worker reads it)
        private_broker.start()
        worker = WorkerProcess(queue, broker_url=private_broker.url)
        try:
            worker.start()
            # then the sweep sends the recorded work
            assert background.sweep_outbox(now=timezone.now() + timedelta(minutes=1)) == 1
            message.refresh_from_db()
            assert message.sent_at is not None
            # and the worker computes the case's results, once each and current
            options = wait_for(
                lambda: TreatmentOptionsResult.objects.filter(case_id=case_id, is_current=True, case_revision=1).first(),
                timeout=90,
            )
        finally:
            worker.stop()
    risk = RiskAssessment.objects.get(case_id=case_id)
    assert (risk.is_current, risk.case_revision) == (True, 1)
    assert options.risk_digest == risk.inputs_digest
    assert TrialMatch.objects.filter(case_id=case_id, case_revision=1).count() == Trial.objects.count()
    assert TreatmentOptionsResult.objects.filter(case_id=case_id).count() == 1
