from rest_framework.routers import SimpleRouter

from apps.audit.api.views import AuditEntryViewSet, ChainStatusViewSet

router = SimpleRouter()
router.register("audit/entries", AuditEntryViewSet, basename="audit-entry")
router.register("audit/chain", ChainStatusViewSet, basename="audit-chain")

urlpatterns = router.urls
