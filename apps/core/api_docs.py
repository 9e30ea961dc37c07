"""The OpenAPI schema and its interactive page (Swagger UI), served from drf-spectacular-sidecar.

``TUMORBOARD_PUBLIC_API_DOCS`` decides at each request whether anyone may read them (the local demo) or
only a signed-in user (production's default): the schema lists every endpoint and parameter, a map an
attacker should not get for free. The page is built for ``script-src 'self'``: Swagger UI's start-up
script is its own request (drf-spectacular's split view) and its inline style moved to a static file.
Redoc is not served: its standalone bundle needs inline styles, fetches its logo from a CDN and did not
render under the policy in Chromium (docs/security/access-and-data.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
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
