from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.trials.api.views import CaseTrialMatchesView, TrialViewSet

router = SimpleRouter()
router.register("trials", TrialViewSet, basename="trial")

urlpatterns = [
    path("cases/<int:pk>/trial-matches/", CaseTrialMatchesView.as_view(), name="case-trial-matches"),
    path("", include(router.urls)),
]
