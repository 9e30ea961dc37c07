from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.audit.api.views import AuditEntryViewSet, ChainStatusView

router = SimpleRouter()
router.register("audit/entries", AuditEntryViewSet, basename="audit-entry")

urlpatterns = [path("audit/chain/", ChainStatusView.as_view(), name="audit-chain"), *router.urls]
