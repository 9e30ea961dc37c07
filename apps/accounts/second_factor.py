"""Reading the second factor (django-otp): which devices a user has, checking a code, the QR code.

TOTP devices (``otp_totp``) are the authenticator apps; one ``otp_static`` device holds the backup codes.
django-otp's static plugin stores its tokens in clear, so we store only a keyed digest of each backup code
(``backup_code_digest``, an HMAC under the site's secret key, truncated to the 16 characters its column
holds) and look codes up by that digest: a copy of the database reveals no working code. Writes live in
``apps.accounts.services``.
"""

from __future__ import annotations

import secrets
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User

TOTP_DIGITS = 6
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed from paper
_BACKUP_LENGTH = 10


def has_confirmed_device(user: User) -> bool:
    """Enrolled: an authenticator app is confirmed (backup codes come with it and go with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def backup_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0


def normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code) if ch.isalnum()).lower()


def new_backup_code() -> str:
    return "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(_BACKUP_LENGTH))


def backup_code_digest(code: str) -> str:
    return salted_hmac("tumorboard.accounts.backup-code", normalise_code(code)).hexdigest()[:16]


def format_backup_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def verify_code(user: User, code: str) -> Device | None:
    """The confirmed device that accepts ``code`` (six digits: the app; otherwise a backup code), or None.

    Devices are locked while checking, so one code cannot be used twice by two requests at once; each
    device's own throttling (django-otp) slows down guessing on top of the lockout.
    """
    code = normalise_code(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == TOTP_DIGITS:
            for totp in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update().order_by("id"):
                if totp.verify_token(code):
                    return totp
            return None
        for static in StaticDevice.objects.filter(user=user, confirmed=True).select_for_update().order_by("id"):
            if static.verify_token(backup_code_digest(code)):
                return static
    return None


def secret_text(device: TOTPDevice) -> str:
    """The key as the authenticator apps type it in: base32 in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The enrolment QR code as inline SVG markup made on the server (no script, no style attribute)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", dark="#000", light="#fff"
    )
    # segno's own markup from our otpauth URL (base32 key, user name escaped by segno): nothing user-typed.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def issuer() -> str:
    return str(settings.OTP_TOTP_ISSUER)
