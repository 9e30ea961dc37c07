from rest_framework.routers import SimpleRouter

from apps.cases.api.views import CaseViewSet, PatientViewSet

router = SimpleRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
