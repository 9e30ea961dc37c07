"""Changing one's own password at /account/password/ (issue 15): the current password first, Django's
validators with the reason beside the field, the audit row; the change keeps this session but ends the
account's other sessions and revokes its API tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import ApiToken, User
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from tests.accounts.helpers import PASSWORD, sign_in
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

URL = "/account/password/"
NEW = "a long and unusual pass phrase 7"


def _change(client: Client, current: str = PASSWORD, new: str = NEW, again: str | None = None) -> object:
    return client.post(URL, {"current_password": current, "new_password": new, "new_password_again": again or new})


def _errors(response: object) -> dict[str, list[str]]:
    form = response.context["form"]  # type: ignore[attr-defined]
    return {name: list(errors) for name, errors in form.errors.items()}


def _token_works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/boards/").status_code == 200


def test_the_account_page_links_to_the_password_page(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    assert URL.encode() in client.get("/account/").content
    page = client.get(URL)
    assert page.status_code == 200
    assert b'name="current_password"' in page.content and b'autocomplete="new-password"' in page.content


def test_the_change_works_keeps_this_session_and_ends_the_others(personas: Personas) -> None:
    here, _ = sign_in("radonc")
    elsewhere, _ = sign_in("radonc", ip="192.0.2.20")
    someone_else, _ = sign_in("surgeon")
    _, key = services.api_token_create(user=personas.radonc)
    old_key = here.session.session_key
    response = _change(here)
    assert response.status_code == 302 and response["Location"] == "/account/"
    user = User.objects.get(pk=personas.radonc.pk)
    assert user.check_password(NEW)
    # This browser stays signed in, under a new session id; the other browser is signed out.
    assert here.get("/").status_code == 200
    assert here.session.session_key != old_key
    assert elsewhere.get("/").status_code == 302
    assert someone_else.get("/").status_code == 200
    left = [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]
    assert [s.session_key for s in left] == [here.session.session_key]
    # Tokens made before the change no longer work.
    assert not _token_works(key)
    assert ApiToken.objects.get(user=user).revoked_because == "password_changed"
    # The audit trail says who changed it and what it ended.
    changed = AuditEntry.objects.get(event=AuditEvent.PASSWORD_CHANGED)
    assert changed.actor_id == user.pk and changed.subject_id == str(user.pk)
    assert NEW not in str(changed.after) and user.password not in str(changed.after)
    revoked = AuditEntry.objects.get(event=AuditEvent.CREDENTIALS_REVOKED)
    assert revoked.after == {"tokens_revoked": 1, "sessions_ended": 2}
    # The new password signs in, the old one no longer does.
    assert sign_in("radonc", NEW, ip="192.0.2.30")[1].status_code == 302  # type: ignore[attr-defined]
    assert sign_in("radonc", PASSWORD, ip="192.0.2.31")[1].status_code == 200  # type: ignore[attr-defined]


def test_a_wrong_current_password_is_refused_on_its_field_and_counted(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    _, key = services.api_token_create(user=personas.radonc)
    response = _change(client, current="not my password at all")
    assert response.status_code == 200
    assert _errors(response) == {"current_password": ["That is not your current password."]}
    assert User.objects.get(pk=personas.radonc.pk).check_password(PASSWORD)
    assert _token_works(key)
    assert not AuditEntry.objects.filter(event=AuditEvent.PASSWORD_CHANGED).exists()
    # A wrong password here is a failed sign-in like any other (audited, counted by django-axes).
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED, actor_label="radonc").exists()


def test_weak_or_mismatched_new_passwords_are_refused_with_the_reason(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    short = _change(client, new="short1")
    assert "new_password" in _errors(short) and any("too short" in e for e in _errors(short)["new_password"])
    common = _change(client, new="password1234")
    assert any("too common" in e for e in _errors(common)["new_password"])
    digits = _change(client, new="839201746352")
    assert any("entirely numeric" in e for e in _errors(digits)["new_password"])
    same = _change(client, new=PASSWORD)
    assert "new_password" in _errors(same)
    differ = _change(client, again=NEW + "x")
    assert list(_errors(differ)) == ["new_password_again"]
    assert User.objects.get(pk=personas.radonc.pk).check_password(PASSWORD)
    assert not AuditEntry.objects.filter(event=AuditEvent.PASSWORD_CHANGED).exists()


def test_the_page_needs_a_signed_in_user(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
