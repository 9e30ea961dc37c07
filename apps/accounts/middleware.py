"""Session limits and the second factor, checked on every request (docs/security/authentication.md).

Both read only the session (no query per request): the sign-in handler (``apps.accounts.handlers``)
stamps it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from apps.accounts.handlers import SECOND_FACTOR, SEEN_AT, SIGNED_IN_AT
from apps.accounts.models import User
from apps.accounts.second_factor import has_confirmed_device

# The idle clock is written back at most once a minute: not a session save on every request.
_SEEN_RESOLUTION_SECONDS = 60


class SessionLifetimeMiddleware:
    """Sign out after ``SESSION_IDLE_TIMEOUT_SECONDS`` without a request, and
    ``SESSION_ABSOLUTE_LIFETIME_SECONDS`` after signing in, whatever the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            signed_in = int(session.get(SIGNED_IN_AT) or now)
            seen = int(session.get(SEEN_AT) or now)
            reason = None
            if now - seen >= settings.SESSION_IDLE_TIMEOUT_SECONDS:
                reason = f"You were signed out after {settings.SESSION_IDLE_TIMEOUT_SECONDS // 60} minutes without activity."
            elif now - signed_in >= settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
                reason = f"You were signed out {settings.SESSION_ABSOLUTE_LIFETIME_SECONDS // 3600} hours after signing in."
            if reason is not None:
                logout(request)  # flushes the session: a new key, nothing of the old one kept
                messages.info(request, reason)
            else:
                if SIGNED_IN_AT not in session:  # a session from before this middleware
                    session[SIGNED_IN_AT] = now
                if SEEN_AT not in session or now - seen >= _SEEN_RESOLUTION_SECONDS:
                    session[SEEN_AT] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until the second factor is given, a signed-in session reaches only the sign-in steps.

    Pages redirect to the code prompt (an enrolled user) or to the enrolment (``TUMORBOARD_REQUIRE_2FA``
    and none yet); the API answers ``403 {"detail", "code": "second_factor_required" |
    "second_factor_enrolment_required"}``. Requests with an ``Authorization`` header are left to the API
    token authentication, which checks the requirement itself.
    """

    _OPEN_NAMES = ("login", "logout", "account-verify", "account-two-factor", "account-reauth", "api-token")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = self._missing_step(request)
        if step is None or self._is_open(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if step == "enrol":
                detail, code = (
                    "Enrol a second factor (an authenticator app) on the web before using the API.",
                    "second_factor_enrolment_required",
                )
            else:
                detail, code = "Give the code from your authenticator app (or a backup code) first.", "second_factor_required"
            return JsonResponse({"detail": detail, "code": code}, status=403)
        target = reverse("account-two-factor") if step == "enrol" else reverse("account-verify")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _missing_step(request: HttpRequest) -> str | None:
        session = request.session
        if SESSION_KEY not in session or "HTTP_AUTHORIZATION" in request.META:
            return None
        flag = session.get(SECOND_FACTOR)
        if flag in ("pending", "enrol"):
            return str(flag)
        if flag == "verified" or not settings.TUMORBOARD_REQUIRE_2FA:
            return None
        # Required, and a session from before the requirement was switched on: decide from the user.
        user = request.user
        if not isinstance(user, User):
            return None
        return "pending" if has_confirmed_device(user) else "enrol"

    def _is_open(self, request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return False
        return match.url_name in self._OPEN_NAMES or request.path.startswith(settings.STATIC_URL)
