"""Operational tasks: a round-trip probe used by health checks and the service tests."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="core.probe")
def probe(token: str) -> dict[str, str]:
    """Echo ``token`` with the database this worker is connected to, proving broker, worker and DB agree."""
    return {"token": token, "database": str(connection.settings_dict["NAME"]), "vendor": connection.vendor}
