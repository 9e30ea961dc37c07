"""Admin for intake records: administrators read clinical content here; it changes only through the
services (audit, revision, recomputation), so every page is read-only (``apps.core.admin.GuardedAdmin``)."""

from django.contrib import admin

from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.core.admin import GuardedAdmin, GuardedInline


class LesionInline(GuardedInline):
    model = Lesion
    fields = (
        "site",
        "subsite",
        "level_from",
        "level_to",
        "laterality",
        "radiographic_type",
        "cortical_involvement",
        "max_diameter_mm",
    )


@admin.register(Patient)
class PatientAdmin(GuardedAdmin):
    list_display = ("mrn", "family_name", "given_name", "date_of_birth", "sex", "institution")
    list_filter = ("institution", "sex")
    # No search box: the admin's search is a GET (?q=), which would put an MRN or a name into URLs and
    # access logs. Find a patient through the case list's POSTed search (docs/security/access-and-data.md).
    list_select_related = ("institution",)


@admin.register(Case)
class CaseAdmin(GuardedAdmin):
    list_display = ("id", "patient", "board", "status", "urgent", "primary_histology", "revision", "created_at")
    list_filter = ("status", "urgent", "board", "primary_histology")
    # No search box (a GET ?q= would carry MRNs and names into access logs); filter by board or status.
    list_select_related = ("patient", "board")
    date_hierarchy = "created_at"
    inlines = (LesionInline,)


@admin.register(Lesion)
class LesionAdmin(GuardedAdmin):
    list_display = ("id", "case", "site", "subsite", "level_from", "level_to", "radiographic_type", "epidural_compression_grade")
    list_filter = ("site", "radiographic_type", "epidural_compression_grade")
    list_select_related = ("case",)


@admin.register(PriorRadiotherapyCourse)
class PriorRadiotherapyCourseAdmin(GuardedAdmin):
    list_display = ("id", "case", "region", "total_dose_gy", "fractions", "date", "technique")
    list_filter = ("technique",)
    list_select_related = ("case",)
