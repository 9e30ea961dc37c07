"""Sessions: idle timeout, absolute lifetime, a new session id at sign-in and after the second factor,
cookie flags (ASVS 5.0 V7.2.4, V7.3.1, V7.3.2, V3.3; HIPAA 164.312(a)(2)(iii) automatic logoff)."""

from __future__ import annotations

import time

from django.conf import settings
from django.test import Client, override_settings

from apps.accounts.handlers import SEEN_AT, SIGNED_IN_AT
from tests.accounts.helpers import enrol, sign_in, totp_code
from tests.conftest import Personas


def _age(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_the_defaults_are_thirty_minutes_idle_and_twelve_hours_absolute() -> None:
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME_SECONDS == 12 * 60 * 60


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    _age(client, SEEN_AT, settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)
    assert client.get("/").status_code == 200  # still within the limit; the request renews the idle clock
    assert int(client.session[SEEN_AT]) >= int(time.time()) - 5
    _age(client, SEEN_AT, settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/api/v1/boards/").status_code in (401, 403)


@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=120)
def test_the_idle_timeout_is_a_setting(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    _age(client, SEEN_AT, 121)
    assert client.get("/").status_code == 302


def test_an_active_session_still_ends_at_the_absolute_lifetime(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    _age(client, SIGNED_IN_AT, settings.SESSION_ABSOLUTE_LIFETIME_SECONDS - 60)
    assert client.get("/").status_code == 200
    _age(client, SIGNED_IN_AT, settings.SESSION_ABSOLUTE_LIFETIME_SECONDS + 1)
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_idle_clock_is_not_written_on_every_request(personas: Personas, django_assert_num_queries) -> None:
    client, _ = sign_in("radonc")
    client.get("/api/v1/boards/")
    with django_assert_num_queries(5) as captured:  # session, user, its boards, count, page: no session UPDATE
        client.get("/api/v1/boards/")
    assert not any(q["sql"].startswith("UPDATE") for q in captured.captured_queries)


def test_signing_in_gives_a_new_session_id(personas: Personas) -> None:
    client = Client()
    client.get("/login/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    client.post("/login/", {"username": "radonc", "password": "pw-for-tests"})
    assert client.session.session_key != before


def test_the_second_factor_gives_another_new_session_id(personas: Personas) -> None:
    device, _ = enrol(personas.radonc)
    client, _ = sign_in("radonc")
    half_signed_in = client.session.session_key
    client.post("/login/verify/", {"code": totp_code(device, offset=30)})
    assert client.session.session_key != half_signed_in


def test_the_session_cookie_is_http_only_and_same_site(personas: Personas) -> None:
    _, response = sign_in("radonc")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_LIFETIME_SECONDS
