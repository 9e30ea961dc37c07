"""DRF throttling: per-scope rates from settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).

Views opt in with ``throttle_scope``: ``auth`` (the token endpoint), ``export`` (PDFs, FHIR, CSV and
quality reports), ``calculator``. A request over the rate answers ``429`` with ``Retry-After``. The
counters live in the default cache: Redis when ``REDIS_URL`` is set, process memory in the demo.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from apps.core.middleware import client_ip


class ScopedThrottle(ScopedRateThrottle):
    """DRF's scoped throttle: signed-in users are counted per user, anonymous callers per address."""

    AUTH = "auth"
    EXPORT = "export"
    CALCULATOR = "calculator"

    def get_ident(self, request: Request | Any) -> str:
        # The address the audit trail and the lockout use (TRUSTED_PROXY_HOPS): behind nginx, DRF's own
        # reading would count every caller as the proxy.
        return client_ip(getattr(request, "_request", request)) or super().get_ident(request)
