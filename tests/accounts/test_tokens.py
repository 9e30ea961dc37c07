"""API tokens: stored hashed, shown once, expiring, listed and revoked by their owner, revoked with the
password or the account (ASVS 5.0 V7.2, V7.4, V9; HIPAA 164.312(a)(2)(iii), 164.312(d))."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import ApiToken, User
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from tests.accounts.helpers import PASSWORD
from tests.conftest import Personas
from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_contract_username_and_password_give_a_token_that_works(personas: Personas) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "surgeon", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and set(response.json()) == {"token"}
    key = response.json()["token"]
    assert len(key) == 40
    assert token_client(key).get("/api/v1/boards/").status_code == 200


def test_only_the_digest_and_a_prefix_are_stored(personas: Personas) -> None:
    key = APIClient().post(TOKEN_URL, {"username": "surgeon", "password": PASSWORD}, format="json").json()["token"]
    token = ApiToken.objects.get(user=personas.surgeon)
    assert token.prefix == key[:8]
    assert token.digest != key and key not in token.digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert key not in repr(cursor.fetchall())
    assert token.expires_at - timezone.now() > timedelta(days=29)
    assert "authtoken" not in connection.introspection.table_names()


def test_missing_fields_are_a_400_naming_them(db: None) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "surgeon"}, format="json")
    assert response.status_code == 400 and "password" in response.json()


def test_an_expired_or_revoked_or_unknown_token_is_a_401(personas: Personas) -> None:
    token, key = services.api_token_create(user=personas.radonc)
    client = token_client(key)
    assert client.get("/api/v1/boards/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get("/api/v1/boards/")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]

    token, key = services.api_token_create(user=personas.radonc)
    services.api_token_revoke(actor=personas.radonc, token_id=token.pk)
    assert token_client(key).get("/api/v1/boards/").status_code == 401
    assert token_client("0" * 40).get("/api/v1/boards/").status_code == 401


def test_last_use_is_stamped_at_most_once_per_resolution(personas: Personas, django_assert_num_queries) -> None:
    token, key = services.api_token_create(user=personas.radonc)
    client = token_client(key)
    client.get("/api/v1/boards/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(4) as captured:  # the token with its user, its boards, the count, the page
        client.get("/api/v1/boards/")
    assert not any("UPDATE" in query["sql"] for query in captured.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_owners_list_and_revoke_their_tokens_and_nobody_elses(personas: Personas) -> None:
    mine, _ = services.api_token_create(user=personas.radonc, name="EHR interface")
    theirs, their_key = services.api_token_create(user=personas.surgeon)
    api = personas.client(personas.radonc)
    listed = api.get("/api/v1/auth/tokens/").json()["results"]
    assert [(row["id"], row["prefix"], row["name"], row["status"]) for row in listed] == [
        (mine.pk, mine.prefix, "EHR interface", "active")
    ]
    assert "digest" not in listed[0] and "key" not in listed[0]
    assert api.get(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert token_client(their_key).get("/api/v1/boards/").status_code == 200
    assert api.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 204
    assert api.get("/api/v1/auth/tokens/").json()["results"][0]["status"] == "revoked"
    revoked = AuditEntry.objects.get(event=AuditEvent.TOKEN_REVOKED)
    assert (revoked.actor, revoked.subject_id) == (personas.radonc, str(mine.pk))
    assert AuditEntry.objects.filter(event=AuditEvent.TOKEN_ISSUED).count() == 2
    assert personas.client(None).get("/api/v1/auth/tokens/").status_code == 401


def test_the_token_list_runs_constant_queries(personas: Personas, django_assert_max_num_queries) -> None:
    for _ in range(12):
        services.api_token_create(user=personas.radonc)
    with django_assert_max_num_queries(2):  # count, page
        response = personas.client(personas.radonc).get("/api/v1/auth/tokens/")
    assert response.json()["count"] == 12


def _signed_in_session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_password_change_revokes_tokens_and_ends_sessions(personas: Personas) -> None:
    user = personas.radonc
    _, key = services.api_token_create(user=user)
    page = _signed_in_session(user)
    other_user_page = _signed_in_session(personas.surgeon)
    assert page.get("/").status_code == 200
    user = User.objects.get(pk=user.pk)
    user.set_password("a brand new pass phrase")
    user.save()
    assert token_client(key).get("/api/v1/boards/").status_code == 401
    assert page.get("/").status_code == 302  # to the sign-in page
    assert other_user_page.get("/").status_code == 200
    assert ApiToken.objects.get(user=user).revoked_because == "password_changed"
    entry = AuditEntry.objects.get(event=AuditEvent.CREDENTIALS_REVOKED)
    assert entry.after == {"tokens_revoked": 1, "sessions_ended": 1}


def test_disabling_an_account_revokes_tokens_and_ends_sessions(personas: Personas) -> None:
    user = User.objects.get(pk=personas.medonc.pk)
    _, key = services.api_token_create(user=user)
    page = _signed_in_session(user)
    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key=page.session.session_key).exists()
    assert ApiToken.objects.get(user=user).revoked_because == "account_disabled"
    assert token_client(key).get("/api/v1/boards/").status_code == 401


def test_a_sign_in_rehash_is_not_a_password_change(db: None) -> None:
    user = UserFactory(username="rehash")
    _, key = services.api_token_create(user=user)
    user = User.objects.get(pk=user.pk)
    user.last_name = "Renamed"
    user.save()
    user.password = "md5$changed-by-a-hasher-upgrade"  # what check_password's setter does, minus set_password
    user.save(update_fields=["password"])
    assert token_client(key).get("/api/v1/boards/").status_code == 200


def test_the_token_page_makes_lists_and_revokes(personas: Personas, django_assert_max_num_queries) -> None:
    page = _signed_in_session(personas.radonc)
    made = page.post("/account/tokens/", {"name": "Research export"})
    assert made.status_code == 200
    key = made.context["new_key"]
    token = ApiToken.objects.get(user=personas.radonc)
    assert key.startswith(token.prefix) and key.encode() in made.content
    for _ in range(5):
        services.api_token_create(user=personas.radonc)
    with django_assert_max_num_queries(6):  # session, user, tokens (+ template's nav queries)
        listing = page.get("/account/tokens/")
    assert listing.status_code == 200 and key.encode() not in listing.content and token.prefix.encode() in listing.content
    assert page.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_because == "owner"
    foreign, _ = services.api_token_create(user=personas.surgeon)
    assert page.post(f"/account/tokens/{foreign.pk}/revoke/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


@pytest.mark.parametrize("path", ["/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/", "/admin/axes/accessattempt/"])
def test_no_admin_page_shows_second_factor_keys(path: str, db: None) -> None:
    staff = UserFactory(username="it", is_staff=True, is_superuser=True)
    client = _signed_in_session(staff)
    assert client.get(path).status_code == 404
