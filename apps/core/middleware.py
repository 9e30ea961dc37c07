from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.core.request_context import client_ip_var, request_id_var

# Accept a caller's id only when it looks like one, so nothing odd lands in the audit log.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_HOPS`` proxies (nginx) the address
    the outermost trusted proxy saw, read from the right of ``X-Forwarded-For`` (the left is the client's
    to forge). "" when it is not an IP address."""
    candidate = request.META.get("REMOTE_ADDR", "")
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""


class RequestIdMiddleware:
    """Gives every request an id (``X-Request-ID``), echoed in the response and stored on audit rows with
    the client's IP address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            client_ip_var.reset(ip_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 proxies) on every response the
    application itself produces: pages, API, exports, PDFs, calendars may all carry patient data, and a
    browser's or proxy's cache must not keep them. Static files are served by whitenoise before this
    middleware runs, so they stay cacheable. Any ``Cache-Control`` a view set is replaced, not merged:
    the one rule is simpler to prove than a per-view judgement of which response holds patient data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"  # no-store alone forbids every cache keeping it
        response["Pragma"] = "no-cache"
        response["Expires"] = "0"
        return response


class AdminCspMiddleware:
    """Django's admin change list writes one inline ``<style>`` block (a list without actions, which is
    every read-only list here), so the admin's pages, and only those, may use inline styles. Scripts stay
    ``'self'`` only: the admin needs no inline script. Must sit inside ``csp.middleware.CSPMiddleware``
    (later in ``MIDDLEWARE``), which reads the ``_csp_update`` this sets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.app_name == "admin":
            response._csp_update = {"style-src": [UNSAFE_INLINE]}  # type: ignore[attr-defined]
        return response
