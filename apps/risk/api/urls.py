from django.urls import URLPattern, path

from apps.risk.api.views import HighRiskAsymptomaticView, MirelsView, SinsView

urlpatterns: list[URLPattern] = [
    path("calculators/mirels/", MirelsView.as_view(), name="calculator-mirels"),
    path("calculators/sins/", SinsView.as_view(), name="calculator-sins"),
    path(
        "calculators/high-risk-asymptomatic/",
        HighRiskAsymptomaticView.as_view(),
        name="calculator-high-risk-asymptomatic",
    ),
]
