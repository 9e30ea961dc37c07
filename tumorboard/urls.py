from django.contrib import admin
from django.urls import include, path

from apps.core.api_docs import SchemaView, SwaggerView
from apps.core.views import healthz
from frontend.urls import auth_urlpatterns

api_v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.cases.api.urls")),
    path("", include("apps.risk.api.urls")),
    path("", include("apps.dosimetry.api.urls")),
    path("", include("apps.trials.api.urls")),
    path("", include("apps.audit.api.urls")),
    path("", include("apps.meetings.api.urls")),
    path("", include("apps.options.api.urls")),
    path("", include("apps.discussion.api.urls")),
    path("", include("apps.decisions.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Signed-in users only unless TUMORBOARD_PUBLIC_API_DOCS (apps/core/api_docs.py).
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
    *auth_urlpatterns,
    path("audit/", include("apps.audit.urls")),
    path("meetings/", include("apps.meetings.urls")),
    path("", include("apps.decisions.urls")),
    path("", include("frontend.urls")),
]
