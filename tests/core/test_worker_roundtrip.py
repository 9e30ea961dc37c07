"""The same code runs on PostgreSQL with a real Celery worker on Redis."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.core.tasks import probe

pytestmark = pytest.mark.services


def test_task_round_trips_through_real_broker_and_worker(celery_worker_process: None) -> None:
    # given a worker on the real broker
    # when a task is sent through Redis
    result = probe.delay("hello").get(timeout=30)
    # then the worker answered, connected to this test's PostgreSQL database
    assert result == {"token": "hello", "database": connection.settings_dict["NAME"], "vendor": "postgresql"}
