"""Operational tasks: a round-trip probe used by health checks and the service tests."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import connection


@shared_task(name="core.probe")
def probe(token: str) -> dict[str, str]:
    """Echo ``token`` with the database this worker is connected to, proving broker, worker and DB agree."""
    return {"token": token, "database": str(connection.settings_dict["NAME"]), "vendor": connection.vendor}


@shared_task(name="core.sweep")
def sweep() -> dict[str, Any]:
    """Run by Celery beat every minute: send outbox messages the broker missed, re-enqueue jobs left
    queued or silent in ``running`` too long, and the recomputation of derived results left pending or
    outdated with no work queued (``apps.core.stale``). Safe to run concurrently and repeatedly."""
    from apps.core.background import sweep_outbox
    from apps.core.jobs import sweep_jobs
    from apps.core.stale import sweep_derived

    return {"sent": sweep_outbox(), "jobs": sweep_jobs(), "derived": sweep_derived()}


@shared_task(name="core.sweep_idempotency_keys")
def sweep_idempotency_keys() -> dict[str, int]:
    """Run by Celery beat hourly: forget ``Idempotency-Key`` rows past ``IDEMPOTENCY_KEY_TTL_HOURS``."""
    from apps.core.idempotency import sweep_idempotency_keys as sweep_keys

    return {"deleted": sweep_keys()}
