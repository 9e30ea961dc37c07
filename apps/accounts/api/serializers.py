from __future__ import annotations

from rest_framework import serializers

from apps.accounts.models import ApiToken
from apps.core.api.serializers import StrictSerializer


class TokenRequestSerializer(StrictSerializer[None]):
    """The contract's ``{"username", "password"}``, plus ``otp`` for accounts with a second factor."""

    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"}, write_only=True)
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The current six-digit code from the authenticator app, or an unused backup code. Required when "
        "the account has a second factor, or when the site requires one.",
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="What the token is for.")


class TokenResponseSerializer(serializers.Serializer[None]):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown only this once.")


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    status = serializers.CharField(read_only=True, help_text="`active`, `expired` or `revoked`.")
    # "" while the token is not revoked: a plain string, so the schema's enum does not refuse it.
    revoked_because = serializers.CharField(
        read_only=True, help_text="`owner`, `password_changed` or `account_disabled`; empty while not revoked."
    )

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "status", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_because")
        read_only_fields = fields
