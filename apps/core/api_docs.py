"""The OpenAPI schema and its interactive pages (Swagger UI, Redoc), served from drf-spectacular-sidecar.

``TUMORBOARD_PUBLIC_API_DOCS`` decides at each request whether anyone may read them (the local demo) or
only a signed-in user (production's default): the schema lists every endpoint and parameter, a map an
attacker should not get for free. The pages are built for ``script-src 'self'``: Swagger UI's start-up
script is its own request (drf-spectacular's split view) and neither page has an inline style; Redoc
renders its styles at run time (styled-components), so its page alone allows inline styles
(docs/security/access-and-data.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated


def _docs_permissions() -> Sequence[BasePermission]:
    public = bool(getattr(settings, "TUMORBOARD_PUBLIC_API_DOCS", False))
    return [AllowAny()] if public else [IsAuthenticated()]


class SchemaView(SpectacularAPIView):
    def get_permissions(self) -> Sequence[BasePermission]:
        return _docs_permissions()


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "core/swagger_ui.html"

    def get_permissions(self) -> Sequence[BasePermission]:
        return _docs_permissions()


class RedocView(SpectacularRedocView):
    template_name = "core/redoc.html"

    def get_permissions(self) -> Sequence[BasePermission]:
        return _docs_permissions()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        # Redoc's styled-components write <style> elements and its search runs in a blob: worker.
        response._csp_update = {"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}  # type: ignore[attr-defined]
        return response
