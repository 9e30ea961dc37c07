from django.urls import path

from apps.decisions import views
from apps.discussion import views as discussion_views

app_name = "decisions"

urlpatterns = [
    path("cases/<int:case_id>/decisions/", views.case_decisions, name="case-decisions"),
    path("cases/<int:case_id>/decisions/new/", views.decision_new, name="decision-new"),
    path("cases/<int:case_id>/discussion/", discussion_views.case_discussion, name="case-discussion"),
    path("decisions/<int:pk>/", views.decision_page, name="decision"),
    path("reports/quality/", views.quality_page, name="quality"),
]
