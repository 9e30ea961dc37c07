from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from apps.core.api.parsers import NUL, NUL_REASON, nul_errors
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


class InlineStyleCspMiddleware:
    """Two third-party pages write inline styles, and they alone may: Django's admin (its change list
    writes one ``<style>`` block for a list without actions, which is every read-only list here) and DRF's
    browsable API (an endpoint opened in a browser: its templates carry ``style`` attributes and a
    ``<style>`` block). Scripts stay ``'self'`` only: neither needs an inline script. Must sit inside
    ``csp.middleware.CSPMiddleware`` (later in ``MIDDLEWARE``), which reads the ``_csp_update`` this sets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        admin = match is not None and match.app_name == "admin"
        browsable_api = request.path.startswith("/api/") and response.get("Content-Type", "").startswith("text/html")
        if admin or browsable_api:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}  # type: ignore[attr-defined]
        return response


def wants_json(request: HttpRequest) -> bool:
    """API callers get JSON errors; browser pages get HTML ones."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def body_limit(request: HttpRequest) -> int:
    """The largest body accepted for this request, in bytes.

    Form and JSON bodies: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (1 MiB; a case with every lesion is a few KiB).
    Multipart uploads (DVH CSV, DICOM RT dose and structure set): ``UPLOAD_MAX_BODY_SIZE``
    (docs/security/input-and-concurrency.md), since an RT Dose grid is tens of megabytes.
    """
    if request.content_type == "multipart/form-data":
        return int(settings.UPLOAD_MAX_BODY_SIZE)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = f"The request body is larger than the limit of {limit} bytes; nothing was saved."
    if wants_json(request):
        return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
    return HttpResponse(render_to_string("413.html", {"message": message, "limit": limit}), status=413)


def bad_input_response(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(errors, status=400)
    # No request context: this answers before sessions and authentication ran.
    return HttpResponse(render_to_string("400_input.html", {"errors": errors}), status=400)


class InputSafetyMiddleware:
    """Refuses, before any view runs, what no view should see (docs/security/input-and-concurrency.md):

    * a body over its limit (``Content-Length``, then Django's own ``RequestDataTooBig`` while reading):
      ``413`` with a JSON body for the API and a page for the browser, never Django's bare 400;
    * a NUL character (``\\x00``) in the path, a query parameter or a form field: ``400`` naming it,
      because PostgreSQL text cannot hold NUL and psycopg answers it with a 500.

    JSON bodies are checked by ``apps.core.api.parsers.SafeJSONParser`` (the API's only JSON parser).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_input_response(request, {"Content-Length": ["is not a number of bytes."]})
        if length > limit:
            return too_large_response(request, limit)
        if NUL in request.path:
            return bad_input_response(request, {"path": [NUL_REASON]})
        errors = nul_errors(request.GET)
        if not errors and request.method in {"POST", "PUT", "PATCH"} and request.content_type in _FORM_TYPES:
            try:
                errors = nul_errors(request.POST)
            except RequestDataTooBig:
                return too_large_response(request, limit)
        if errors:
            return bad_input_response(request, errors)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, body_limit(request))
        return None


_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
