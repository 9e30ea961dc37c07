"""Passwords: Argon2 first, at least 12 characters, not a common or breached one, not all digits, not the
user name (ASVS 5.0 V6.2, V11.4; HIPAA 164.312(d))."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings

from apps.accounts.models import User
from tumorboard.settings import base

# The test settings hash with MD5 for speed; these tests use the real settings' lists.
REAL_HASHERS = override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
REAL_VALIDATORS = override_settings(AUTH_PASSWORD_VALIDATORS=base.AUTH_PASSWORD_VALIDATORS)


def test_new_passwords_are_hashed_with_argon2() -> None:
    with REAL_HASHERS:
        encoded = make_password("a long enough pass phrase")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("a long enough pass phrase", encoded)


@pytest.mark.django_db
def test_an_older_pbkdf2_hash_still_signs_in_and_is_upgraded_to_argon2() -> None:
    with REAL_HASHERS:
        user = User.objects.create(username="legacy", password=make_password("legacy pass phrase", hasher="pbkdf2_sha256"))
        assert Client().post("/login/", {"username": "legacy", "password": "legacy pass phrase"}).status_code == 302
        user.refresh_from_db()
        assert identify_hasher(user.password).algorithm == "argon2"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("radonc-hospital", "too similar"),
    ],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    user = User(username="radonc-hospital", email="radonc@hospital.example")
    with REAL_VALIDATORS, pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(reason in message for message in refused.value.messages), refused.value.messages


@pytest.mark.django_db
def test_the_demo_password_passes_the_validators_and_seed_demo_signs_in() -> None:
    with REAL_VALIDATORS:
        validate_password(base.DEMO_PASSWORD, User(username="coordinator"))
    call_command("seed_demo", cases=1, verbosity=0)
    assert Client().post("/login/", {"username": "auditor", "password": base.DEMO_PASSWORD}).status_code == 302
