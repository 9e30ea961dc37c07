from django.urls import URLPattern, path

from apps.options.api.views import TokuhashiView, TomitaView

urlpatterns: list[URLPattern] = [
    path("calculators/tokuhashi/", TokuhashiView.as_view(), name="calculator-tokuhashi"),
    path("calculators/tomita/", TomitaView.as_view(), name="calculator-tomita"),
]
