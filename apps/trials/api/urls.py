from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.trials.api.views import (
    AttritionReportView,
    CaseReferralsView,
    CaseTrialMatchesView,
    EligibleNotReferredReportView,
    MatchFlagCreateView,
    MatchFlagListView,
    MatchFlagResolveView,
    ReferralReportView,
    ReferralTransitionView,
    RematchJobListView,
    TrialViewSet,
)

router = SimpleRouter()
router.register("trials", TrialViewSet, basename="trial")

urlpatterns = [
    path("cases/<int:pk>/trial-matches/", CaseTrialMatchesView.as_view(), name="case-trial-matches"),
    path("cases/<int:pk>/referrals/", CaseReferralsView.as_view(), name="case-trial-referrals"),
    path("trial-referrals/<int:pk>/transition/", ReferralTransitionView.as_view(), name="trial-referral-transition"),
    path(
        "cases/<int:pk>/trial-matches/<str:identifier>/flags/",
        MatchFlagCreateView.as_view(),
        name="case-trial-match-flags",
    ),
    path("trial-match-flags/", MatchFlagListView.as_view(), name="trial-match-flags"),
    path("trial-match-flags/<int:pk>/resolve/", MatchFlagResolveView.as_view(), name="trial-match-flag-resolve"),
    path("trial-rematch-jobs/", RematchJobListView.as_view(), name="trial-rematch-jobs"),
    path("reports/referrals/", ReferralReportView.as_view(), name="report-referrals"),
    path(
        "reports/eligible-not-referred/",
        EligibleNotReferredReportView.as_view(),
        name="report-eligible-not-referred",
    ),
    path("reports/attrition/", AttritionReportView.as_view(), name="report-attrition"),
    path("", include(router.urls)),
]
