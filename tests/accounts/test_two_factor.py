"""Two-factor authentication (TOTP and backup codes, django-otp): enrolment with a server-made QR code,
the code at sign-in, on the token endpoint, the requirement switch, re-authentication before changing
the factor or the email (ASVS 5.0 V6.4, V6.5, V6.6, V7.5; HIPAA 164.312(d))."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from apps.accounts.handlers import REAUTHENTICATED_AT
from apps.accounts.models import ApiToken, User
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from tests.accounts.helpers import PASSWORD, enrol, sign_in, totp_code
from tests.conftest import Personas

TOKEN_URL = "/api/v1/auth/token/"


def forget_failures(device: TOTPDevice) -> None:
    """django-otp refuses even a right code for a second after a wrong one (its throttling): the next
    step of the test is not about that."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_enrolment_page_shows_an_svg_qr_code_and_the_secret_then_confirms_with_a_code(personas: Personas) -> None:
    client, _ = sign_in("radonc")
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "style=" not in html and "<script>" not in html
    device = TOTPDevice.objects.get(user=personas.radonc, confirmed=False)
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    wrong = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 200 and b"does not match" in wrong.content
    done = client.post("/account/two-factor/", {"action": "confirm", "code": totp_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code.encode() in done.content for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    # Backup codes are stored as keyed digests, never in clear.
    stored = set(StaticToken.objects.filter(device__user=personas.radonc).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)
    # Shown once: the account page does not show them again.
    account = client.get("/account/")
    assert not any(code.encode() in account.content for code in codes)
    assert AuditEntry.objects.filter(event=AuditEvent.SECOND_FACTOR_ENROLLED, actor=personas.radonc).count() == 1


def test_an_enrolled_user_must_give_the_code_before_any_page_or_api_call(personas: Personas) -> None:
    device, _ = enrol(personas.radonc)
    client, response = sign_in("radonc")
    assert response.status_code == 302
    assert client.get("/cases/").url == "/login/verify/?next=%2Fcases%2F"
    api = client.get("/api/v1/boards/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    wrong = client.post("/login/verify/", {"code": "123456"})
    assert wrong.status_code == 200 and b"wrong or has expired" in wrong.content
    forget_failures(device)
    ok = client.post("/login/verify/?next=/cases/", {"code": totp_code(device, offset=30), "next": "/cases/"})
    assert ok.status_code == 302 and ok.url == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/boards/").status_code == 200


def test_a_backup_code_signs_in_once(personas: Personas) -> None:
    _, codes = enrol(personas.surgeon)
    client, _ = sign_in("surgeon")
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    again, _ = sign_in("surgeon")
    refused = again.post("/login/verify/", {"code": codes[0]})
    assert refused.status_code == 200 and b"wrong or has expired" in refused.content
    assert again.get("/").status_code == 302


def test_wrong_codes_count_towards_the_lockout_and_sign_out(personas: Personas, settings: object) -> None:
    enrol(personas.radonc)
    client, _ = sign_in("radonc")
    for _ in range(4):
        assert client.post("/login/verify/", {"code": "000000"}).status_code == 200
    locked = client.post("/login/verify/", {"code": "000000"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED, actor_label="radonc").count() == 5


def test_the_token_endpoint_requires_the_code_once_enrolled(personas: Personas) -> None:
    device, codes = enrol(personas.radonc)
    api = APIClient()
    missing = api.post(TOKEN_URL, {"username": "radonc", "password": PASSWORD}, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()
    wrong = api.post(TOKEN_URL, {"username": "radonc", "password": PASSWORD, "otp": "000000"}, format="json")
    assert wrong.status_code == 400 and "otp" in wrong.json()
    forget_failures(device)
    ok = api.post(TOKEN_URL, {"username": "radonc", "password": PASSWORD, "otp": totp_code(device, offset=30)}, format="json")
    assert ok.status_code == 200 and set(ok.json()) == {"token"}
    backup = api.post(TOKEN_URL, {"username": "radonc", "password": PASSWORD, "otp": codes[1]}, format="json")
    assert backup.status_code == 200
    assert ApiToken.objects.filter(user=personas.radonc).count() == 2


def test_wrong_codes_on_the_token_endpoint_count_towards_the_lockout(personas: Personas) -> None:
    """The right password with a wrong code is a failed sign-in (django-axes counts it): the code cannot
    be guessed through the API either."""
    device, _ = enrol(personas.radonc)
    api = APIClient(REMOTE_ADDR="198.51.100.7")
    body = {"username": "radonc", "password": PASSWORD, "otp": "000000"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post(TOKEN_URL, body, format="json").status_code == 400
    locked = api.post(TOKEN_URL, body, format="json")
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    forget_failures(device)
    right = api.post(TOKEN_URL, {**body, "otp": totp_code(device, offset=30)}, format="json")
    assert right.status_code == 429 and "token" not in right.json()
    assert not ApiToken.objects.filter(user=personas.radonc).exists()
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED, actor_label="radonc").count() >= settings.AXES_FAILURE_LIMIT


@override_settings(TUMORBOARD_REQUIRE_2FA=True)
def test_when_required_every_role_enrols_before_using_pages_or_the_api(personas: Personas) -> None:
    for user in (personas.coordinator, personas.administrator):
        client, _ = sign_in(user.username)
        page = client.get("/")
        assert page.status_code == 302 and page.url.startswith("/account/two-factor/")
        api = client.get("/api/v1/boards/")
        assert api.status_code == 403 and api.json()["code"] == "second_factor_enrolment_required"
        assert client.get("/account/two-factor/").status_code == 200
    refused = APIClient().post(TOKEN_URL, {"username": "coordinator", "password": PASSWORD}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_enrolment_required"
    # A token made before the requirement was switched on stops working too.
    from apps.accounts import services

    _, key = services.api_token_create(user=personas.medonc)
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answer = old.get("/api/v1/boards/")
    assert answer.status_code == 403 and answer.json()["code"] == "second_factor_enrolment_required"


@override_settings(TUMORBOARD_REQUIRE_2FA=True)
def test_when_required_a_session_from_before_is_held_too(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.pathologist)  # stamped before the switch: no second-factor flag
    session = client.session
    session.pop("tb_second_factor", None)
    session.save()
    assert client.get("/").url.startswith("/account/two-factor/")


@override_settings(TUMORBOARD_REQUIRE_2FA=True)
def test_when_required_the_factor_cannot_be_removed(personas: Personas) -> None:
    device, _ = enrol(personas.radonc)
    client, _ = sign_in("radonc")
    client.post("/login/verify/", {"code": totp_code(device, offset=30)})
    client.post("/account/two-factor/", {"action": "remove"})
    assert TOTPDevice.objects.filter(user=personas.radonc, confirmed=True).exists()


def test_changing_the_factor_or_the_email_needs_the_password_again(personas: Personas) -> None:
    client, _ = sign_in("medonc")
    session = client.session
    session[REAUTHENTICATED_AT] = int(time.time()) - 3600  # signed in an hour ago
    session.save()
    for path in ("/account/two-factor/", "/account/email/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/account/confirm-password/")
    refused = client.post("/account/email/", {"email": "new@hospital.example"})
    assert refused.status_code == 302
    assert User.objects.get(pk=personas.medonc.pk).email != "new@hospital.example"
    wrong = client.post("/account/confirm-password/", {"password": "not-it"})
    assert wrong.status_code == 200 and b"not your password" in wrong.content
    ok = client.post("/account/confirm-password/?next=/account/email/", {"password": PASSWORD, "next": "/account/email/"})
    assert ok.status_code == 302 and ok.url == "/account/email/"
    assert client.post("/account/email/", {"email": "new@hospital.example"}).status_code == 302
    assert User.objects.get(pk=personas.medonc.pk).email == "new@hospital.example"
    changed = AuditEntry.objects.get(event=AuditEvent.EMAIL_CHANGED)
    assert changed.after == {"email": "new@hospital.example"}
    bad = client.post("/account/email/", {"email": "not an email"})
    assert bad.status_code == 200 and b"valid email" in bad.content


def test_the_factor_changes_themselves_need_the_password_again(personas: Personas) -> None:
    """Not only the page: each change POSTed to it (remove, renew the backup codes, confirm a new app) is
    refused without a recent password, and changes nothing."""
    device, _ = enrol(personas.medonc)
    client, _ = sign_in("medonc")
    forget_failures(device)
    assert client.post("/login/verify/", {"code": totp_code(device, offset=30)}).status_code == 302
    session = client.session
    session[REAUTHENTICATED_AT] = int(time.time()) - 3600  # signed in an hour ago
    session.save()
    stored = set(StaticToken.objects.filter(device__user=personas.medonc).values_list("token", flat=True))
    for body in ({"action": "remove"}, {"action": "renew"}, {"action": "confirm", "code": "123456"}):
        response = client.post("/account/two-factor/", body)
        assert response.status_code == 302 and response.url.startswith("/account/confirm-password/"), body
    assert TOTPDevice.objects.filter(user=personas.medonc, confirmed=True).count() == 1
    assert not TOTPDevice.objects.filter(user=personas.medonc, confirmed=False).exists()
    assert set(StaticToken.objects.filter(device__user=personas.medonc).values_list("token", flat=True)) == stored
    assert not AuditEntry.objects.filter(
        event__in=(AuditEvent.SECOND_FACTOR_REMOVED, AuditEvent.BACKUP_CODES_RENEWED), actor=personas.medonc
    ).exists()


def test_without_the_requirement_the_contract_and_demo_are_unchanged(personas: Personas) -> None:
    client, response = sign_in("coordinator")
    assert response.status_code == 302 and client.get("/").status_code == 200
    token = APIClient().post(TOKEN_URL, {"username": "coordinator", "password": PASSWORD}, format="json")
    assert token.status_code == 200 and set(token.json()) == {"token"}


def test_production_settings_require_the_second_factor() -> None:
    import ast
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "tumorboard/settings/production.py").read_text()
    assigned = {
        node.targets[0].id: ast.unparse(node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert assigned["TUMORBOARD_REQUIRE_2FA"] == "env_bool('DJANGO_REQUIRE_2FA', True)"


@pytest.mark.parametrize("path", ["/account/", "/account/tokens/", "/account/two-factor/", "/account/email/"])
def test_account_pages_need_a_sign_in(path: str, db: None) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response.url.startswith("/login/")
