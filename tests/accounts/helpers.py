"""Shared steps of the authentication tests: a signed-in page client, enrolling TOTP, a current code."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import services
from apps.accounts.models import User

PASSWORD = "pw-for-tests"  # tests.factories.UserFactory


def totp_code(device: TOTPDevice, offset: int = 0) -> str:
    """The code the authenticator app shows ``offset`` seconds from now (django-otp refuses a time step
    it has already accepted, so a second code in one test is taken from the next step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    device = services.second_factor_enrol_start(user=user)
    codes = services.second_factor_confirm(user=user, device_id=device.pk, code=totp_code(device))
    device.refresh_from_db()
    return device, codes


def sign_in(username: str, password: str = PASSWORD, ip: str = "192.0.2.10") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/login/", {"username": username, "password": password})
    return client, response
