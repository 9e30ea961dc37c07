"""``Authorization: Token <key>`` against hashed, expiring ``ApiToken`` rows (replaces DRF's authtoken)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from apps.accounts.models import ApiToken, User
from apps.accounts.second_factor import has_confirmed_device
from apps.core.compiled import CompiledRead


class SecondFactorRequired(exceptions.PermissionDenied):
    """``403 {"detail", "code": "second_factor_enrolment_required"}``: the site requires a second factor."""

    default_detail = (
        "Every account must enrol a second factor (an authenticator app) first: sign in on the web and follow the steps."
    )
    default_code = "second_factor_enrolment_required"

    def __init__(self) -> None:
        super().__init__(detail={"detail": self.default_detail, "code": self.default_code})


_TOKEN_COLUMNS = tuple(field.attname for field in ApiToken._meta.concrete_fields)
_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
#: Every API request reads it: compiled once per thread (issue 16), the token's and its user's columns.
_TOKEN_READ = CompiledRead(
    lambda digest: ApiToken.objects.filter(digest=digest).values_list(
        *_TOKEN_COLUMNS, *(f"user__{name}" for name in _USER_COLUMNS)
    ),
    value_type=str,
)


def _token_with_user(digest: str) -> ApiToken | None:
    """The token of ``digest`` with its user, as ``select_related("user")`` loads them (digests are unique)."""
    rows = _TOKEN_READ.tuples(digest)
    if not rows:
        return None
    row, split = rows[0], len(_TOKEN_COLUMNS)
    token = ApiToken.from_db(_TOKEN_READ.using, _TOKEN_COLUMNS, row[:split])
    token.user = User.from_db(_TOKEN_READ.using, _USER_COLUMNS, row[split:])
    return token


class ApiTokenAuthentication(TokenAuthentication):
    """An unknown, expired or revoked token, or one of a disabled account, answers 401."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = _token_with_user(ApiToken.digest_of(key))
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired: ask for a new one at /api/v1/auth/token/.")
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if settings.TUMORBOARD_REQUIRE_2FA and not has_confirmed_device(user):
            raise SecondFactorRequired()
        resolution = timedelta(seconds=settings.API_TOKEN_LAST_USED_RESOLUTION_SECONDS)
        if token.last_used_at is None or now - token.last_used_at >= resolution:
            # A conditional UPDATE, at most once per resolution: not a write per request.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
