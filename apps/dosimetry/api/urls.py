from django.urls import URLPattern, path

from apps.dosimetry.api.views import DoseCalculatorView, ReirradiationCalculatorView

urlpatterns: list[URLPattern] = [
    path("calculators/dose/", DoseCalculatorView.as_view(), name="calculator-dose"),
    path(
        "calculators/reirradiation/",
        ReirradiationCalculatorView.as_view(),
        name="calculator-reirradiation",
    ),
]
