"""Brute force: django-axes locks a user name from one address out after AXES_FAILURE_LIMIT failures, on
the web login and on the token endpoint, for AXES_COOLOFF_TIME (ASVS 5.0 V6.3.1; HIPAA 164.312(d))."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from tests.accounts.helpers import PASSWORD, sign_in
from tests.conftest import Personas

TOKEN_URL = "/api/v1/auth/token/"


def test_the_limits_are_set_explicitly() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_web_login_locks_out_after_five_wrong_passwords_even_the_right_one(personas: Personas) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = sign_in("radonc", "wrong-password")
        assert response.status_code == 200  # the form again
    _, locked = sign_in("radonc", "wrong-password")
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    client, still_locked = sign_in("radonc", PASSWORD)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The pair is locked, not the account everywhere: the same user from another address still signs in.
    _, elsewhere = sign_in("radonc", PASSWORD, ip="192.0.2.99")
    assert elsewhere.status_code == 302
    # The lockout and each attempt refused during it are on the trail.
    entries = list(AuditEntry.objects.filter(event=AuditEvent.LOCKED_OUT).order_by("sequence"))
    assert len(entries) == 2
    assert all(e.actor_label == "radonc" and e.after["account_id"] == personas.radonc.pk for e in entries)


def test_the_lockout_ends_after_the_cool_off(personas: Personas) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("radonc", "wrong-password")
    assert sign_in("radonc", PASSWORD)[1].status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert sign_in("radonc", PASSWORD)[1].status_code == 302


def test_the_token_endpoint_locks_out_with_a_json_429(personas: Personas) -> None:
    client = APIClient(REMOTE_ADDR="198.51.100.4")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(TOKEN_URL, {"username": "surgeon", "password": "nope"}, format="json").status_code == 400
    locked = client.post(TOKEN_URL, {"username": "surgeon", "password": "nope"}, format="json")
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "locked_out" and "Too many failed sign-in attempts" in body["detail"]
    assert locked["Retry-After"] == str(15 * 60)
    right = client.post(TOKEN_URL, {"username": "surgeon", "password": PASSWORD}, format="json")
    assert right.status_code == 429 and "token" not in right.json()
    # Web login and API share the count: the same pair is locked on the web too.
    web = Client(REMOTE_ADDR="198.51.100.4").post("/login/", {"username": "surgeon", "password": PASSWORD})
    assert web.status_code == 429


def test_a_success_resets_the_count(personas: Personas) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("radonc", "wrong-password")
    assert sign_in("radonc", PASSWORD)[1].status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("radonc", "wrong-password")
    assert sign_in("radonc", PASSWORD)[1].status_code == 302


def test_the_one_time_code_is_not_stored_with_the_failed_attempt(personas: Personas) -> None:
    from tests.accounts.helpers import enrol

    enrol(personas.radonc)
    client, _ = sign_in("radonc")
    client.post("/login/verify/", {"code": "654321"})
    attempt = AccessAttempt.objects.get(username="radonc")
    assert "654321" not in attempt.post_data
