from django.urls import path

from apps.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry-list"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("cases/<int:case_id>/", views.case_trail, name="case-trail"),
    path("referrals/<int:referral_id>/", views.referral_trail, name="referral-trail"),
    path("subjects/<str:subject_type>/<str:subject_id>/", views.subject_trail, name="subject-trail"),
]
