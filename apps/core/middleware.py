from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

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
