from django.urls import path

from apps.decisions.api import views

urlpatterns = [
    path("cases/<int:case_id>/decisions/", views.CaseDecisionsView.as_view(), name="case-decisions"),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision-detail"),
    path("decisions/<int:pk>/sign/", views.DecisionSignView.as_view(), name="decision-sign"),
    path("decisions/<int:pk>/amend/", views.DecisionAmendView.as_view(), name="decision-amend"),
    path("decisions/<int:pk>/follow-up/", views.DecisionFollowUpView.as_view(), name="decision-follow-up"),
    path("decisions/<int:pk>/report.pdf", views.DecisionReportView.as_view(), name="decision-report"),
    path("decisions/<int:pk>/fhir/", views.DecisionFhirView.as_view(), name="decision-fhir"),
    path("reports/quality/", views.QualityReportView.as_view(), name="quality-report"),
]
