from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from apps.dosimetry.api.views import DoseCalculatorView, ReirradiationCalculatorView
from apps.dosimetry.api.views_catalogue import ConstraintSetViewSet, RegimenViewSet
from apps.dosimetry.api.views_plans import CasePlansView, DoseImportJobView, PlanDetailView, PlanImportsView

router = SimpleRouter()
router.register("regimens", RegimenViewSet, basename="regimen")
router.register("constraint-sets", ConstraintSetViewSet, basename="constraint-set")

urlpatterns: list[URLPattern | URLResolver] = [
    path("calculators/dose/", DoseCalculatorView.as_view(), name="calculator-dose"),
    path(
        "calculators/reirradiation/",
        ReirradiationCalculatorView.as_view(),
        name="calculator-reirradiation",
    ),
    path("cases/<int:case_id>/radiotherapy-plans/", CasePlansView.as_view(), name="case-plans"),
    path("radiotherapy-plans/<int:plan_id>/", PlanDetailView.as_view(), name="plan-detail"),
    path("radiotherapy-plans/<int:plan_id>/imports/", PlanImportsView.as_view(), name="plan-imports"),
    path("dose-imports/<int:job_id>/", DoseImportJobView.as_view(), name="dose-import"),
    *router.urls,
]
