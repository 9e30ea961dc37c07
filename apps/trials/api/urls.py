from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.trials.api.views import CaseReferralsView, CaseTrialMatchesView, ReferralTransitionView, TrialViewSet

router = SimpleRouter()
router.register("trials", TrialViewSet, basename="trial")

urlpatterns = [
    path("cases/<int:pk>/trial-matches/", CaseTrialMatchesView.as_view(), name="case-trial-matches"),
    path("cases/<int:pk>/referrals/", CaseReferralsView.as_view(), name="case-trial-referrals"),
    path("trial-referrals/<int:pk>/transition/", ReferralTransitionView.as_view(), name="trial-referral-transition"),
    path("", include(router.urls)),
]
