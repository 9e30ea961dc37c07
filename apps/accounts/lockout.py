"""django-axes glue: the client address it locks by, and the answer a locked-out sign-in gets.

A locked-out API call (``/api/...``, e.g. ``POST /api/v1/auth/token/``) answers JSON
``429 {"detail": "...", "code": "locked_out", "retry_after_seconds": n}`` with a ``Retry-After`` header;
the web login answers the sign-in page again with status 429 and the same sentence.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from apps.core.middleware import client_ip as _client_ip


def client_ip(request: HttpRequest) -> str:
    """The address the audit trail records (``TRUSTED_PROXY_HOPS``), so lockouts and the trail agree."""
    return _client_ip(getattr(request, "_request", request)) or request.META.get("REMOTE_ADDR", "")


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, cool_off_seconds() // 60)
    return (
        f"Too many failed sign-in attempts for this user name from this address: signing in is locked for "
        f"{minutes} minutes. Try again later or ask IT staff to unlock the account."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: JSON for the API, the sign-in page for people."""
    status = int(settings.AXES_HTTP_RESPONSE_CODE)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": lockout_message(), "code": "locked_out", "retry_after_seconds": cool_off_seconds()}, status=status
        )
    else:
        response = render(request, "frontend/login.html", {"locked_out": lockout_message()}, status=status)
    response["Retry-After"] = str(cool_off_seconds())
    return response


def is_locked_out(request: HttpRequest) -> bool:
    """Whether the last ``authenticate()`` (or a failed one-time code) on this request hit the lockout."""
    return bool(getattr(request, "axes_locked_out", False))
