"""DRF throttling: the token endpoint and the expensive exports answer 429 over their rate (ASVS 5.0
V2.4.1, V6.3); the counters live in Redis with REDIS_URL and in memory in the demo."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient

from apps.accounts.throttling import ScopedThrottle
from tests.accounts.helpers import PASSWORD
from tests.conftest import Personas


@pytest.fixture
def low_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF reads the rates once, into the class: lower them there for the test.
    monkeypatch.setattr(ScopedThrottle, "THROTTLE_RATES", {**ScopedThrottle.THROTTLE_RATES, "auth": "3/min", "export": "2/min"})


def test_the_rates_come_from_settings() -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"auth", "export"}
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["apps.accounts.throttling.ScopedThrottle"]


def test_the_throttle_cache_is_redis_when_there_is_one() -> None:
    expected = "redis.RedisCache" if settings.REDIS_URL else "locmem.LocMemCache"
    assert settings.CACHES["default"]["BACKEND"].endswith(expected)
    ScopedThrottle.cache.set("throttle-probe", 1, 5)  # the throttle's own handle on the default cache
    assert caches["default"].get("throttle-probe") == 1


def test_the_token_endpoint_is_throttled(personas: Personas, low_rates: None) -> None:
    client = APIClient(REMOTE_ADDR="203.0.113.77")
    for _ in range(3):
        assert client.post("/api/v1/auth/token/", {"username": "radonc", "password": PASSWORD}, format="json").status_code == 200
    throttled = client.post("/api/v1/auth/token/", {"username": "radonc", "password": PASSWORD}, format="json")
    assert throttled.status_code == 429
    assert "Retry-After" in throttled
    # Per address: another client is not held back.
    other = APIClient(REMOTE_ADDR="203.0.113.78")
    assert other.post("/api/v1/auth/token/", {"username": "radonc", "password": PASSWORD}, format="json").status_code == 200


def test_the_quality_report_export_is_throttled_per_user(personas: Personas, low_rates: None) -> None:
    admin = personas.client(personas.administrator)
    url = f"/api/v1/reports/quality/?board={personas.board.pk}&from=2026-01-01&to=2026-12-31"
    statuses = [admin.get(url).status_code for _ in range(3)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    assert personas.client(personas.coordinator).get("/api/v1/boards/").status_code == 200  # other scopes unaffected


def test_the_audit_export_is_throttled_but_the_list_is_not(personas: Personas, low_rates: None) -> None:
    admin = personas.client(personas.administrator)
    assert [admin.get("/api/v1/audit/entries/export/").status_code for _ in range(3)] == [200, 200, 429]
    assert all(admin.get("/api/v1/audit/entries/").status_code == 200 for _ in range(4))


@pytest.fixture
def behind_one_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXY_HOPS = 1


def test_behind_the_proxy_each_client_address_is_counted_apart(
    personas: Personas, low_rates: None, behind_one_proxy: None
) -> None:
    def attempt(client_address: str) -> int:
        client = APIClient(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address)  # nginx's address
        return client.post("/api/v1/auth/token/", {"username": "radonc", "password": PASSWORD}, format="json").status_code

    assert [attempt("203.0.113.10") for _ in range(4)] == [200, 200, 200, 429]
    assert attempt("203.0.113.11") == 200


EXPENSIVE = (
    "/api/v1/decisions/1/report.pdf",
    "/api/v1/decisions/1/fhir/",
    "/api/v1/meetings/1/certificate.pdf",
    "/api/v1/reports/quality/",
    "/api/v1/reports/referrals/",
    "/api/v1/reports/attrition/",
    "/api/v1/reports/eligible-not-referred/",
    "/api/v1/audit/entries/export/",
)


@pytest.mark.parametrize("path", EXPENSIVE)
def test_every_expensive_endpoint_is_in_the_export_scope(path: str) -> None:
    """Each endpoint docs/security/authentication.md names as expensive counts against the ``export`` rate
    (the behaviour is shown on two of them above; this keeps the others from losing their scope)."""
    from django.urls import resolve

    match = resolve(path)
    view = match.func.cls  # type: ignore[attr-defined]
    scope = getattr(view, "throttle_scope", None)
    actions = getattr(match.func, "actions", None)
    if actions:  # a viewset action carries its own scope (the audit export)
        scope = getattr(view, actions["get"]).kwargs.get("throttle_scope", scope)
    assert scope == ScopedThrottle.EXPORT, (path, view.__name__)
    assert ScopedThrottle in view.throttle_classes, view.__name__  # not switched off by the view
