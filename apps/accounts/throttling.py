"""DRF throttling: per-scope rates from settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).

Views opt in with ``throttle_scope``: ``auth`` (the token endpoint), ``export`` (PDFs, FHIR, CSV and
quality reports), ``calculator``. A request over the rate answers ``429`` with ``Retry-After``. The
counters live in the default cache: Redis when ``REDIS_URL`` is set, process memory in the demo.
"""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle


class ScopedThrottle(ScopedRateThrottle):
    """DRF's scoped throttle: signed-in users are counted per user, anonymous callers per address."""

    AUTH = "auth"
    EXPORT = "export"
    CALCULATOR = "calculator"
