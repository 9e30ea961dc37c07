"""Issue 15 in Chromium: a radiation oncologist enrols an authenticator app (QR code and key shown, the
backup codes once), signs out, and signs in again with a code from the app (computed here with django-otp's
own TOTP, as the phone would)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import totp_code
from tests.conftest import Personas
from tests.frontend.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser]


def test_enrol_totp_then_sign_in_with_a_code(personas: Personas, visitor: Any) -> None:
    person = visitor("radonc")
    page = person.page
    person.go("/account/")
    page.get_by_role("link", name="Set up an authenticator app").click()
    page.wait_for_url(re.compile(r"/account/two-factor/$"))
    assert page.locator("figure.qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text()
    assert len(secret.replace(" ", "")) == 32
    assert axe_violations(page) == []
    person.shot("account-two-factor-enrol")

    device = TOTPDevice.objects.get(user=personas.radonc, confirmed=False)
    page.get_by_role("textbox", name="Code").fill(totp_code(device))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    codes = page.locator("#backup-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    person.shot("account-backup-codes")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))
    person.sign_in("radonc")
    page.wait_for_url(re.compile(r"/login/verify/"))
    assert axe_violations(page) == []
    person.shot("login-verify")
    device.refresh_from_db()
    page.get_by_role("textbox", name="Code").fill(totp_code(device, offset=30))  # the next step: the enrolment used this one
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("link", name="Cases").first.is_visible()
    assert person.console_errors == []


def test_change_the_password_from_the_account_page(personas: Personas, visitor: Any) -> None:
    """The password page in Chromium: a weak one refused beside its field, then the change, still signed in."""
    person = visitor("radonc")
    page = person.page
    person.go("/account/")
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url(re.compile(r"/account/password/$"))
    assert axe_violations(page) == []
    page.locator("#id_current_password").fill("pw-for-tests")
    page.locator("#id_new_password").fill("short")
    page.locator("#id_new_password_again").fill("short")
    page.get_by_role("button", name="Change the password").click()
    error = page.locator("#id_new_password_error")
    error.wait_for()
    assert "too short" in error.inner_text()
    assert axe_violations(page) == []
    person.shot("account-password-refused")
    page.locator("#id_current_password").fill("pw-for-tests")
    page.locator("#id_new_password").fill("a long and unusual pass phrase 7")
    page.locator("#id_new_password_again").fill("a long and unusual pass phrase 7")
    page.get_by_role("button", name="Change the password").click()
    page.wait_for_url(re.compile(r"/account/$"))
    assert "Your password is changed" in page.content()
    assert person.console_errors == []
