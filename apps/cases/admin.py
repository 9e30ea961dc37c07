"""Admin for intake records. Administrators read clinical content here; edits go through the API's services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse


class ReadOnlyClinicalAdmin(admin.ModelAdmin):
    """Clinical records change only through services (audit, revision, recomputation), so the admin shows them read-only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LesionInline(admin.TabularInline):
    model = Lesion
    extra = 0
    fields = ("site", "subsite", "level_from", "level_to", "radiographic_type", "cortical_involvement", "max_diameter_mm")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(ReadOnlyClinicalAdmin):
    list_display = ("mrn", "family_name", "given_name", "date_of_birth", "sex", "institution")
    list_filter = ("institution", "sex")
    search_fields = ("mrn", "family_name", "given_name")
    list_select_related = ("institution",)


@admin.register(Case)
class CaseAdmin(ReadOnlyClinicalAdmin):
    list_display = ("id", "patient", "board", "status", "urgent", "primary_histology", "revision", "created_at")
    list_filter = ("status", "urgent", "board", "primary_histology")
    search_fields = ("patient__mrn", "patient__family_name", "question")
    list_select_related = ("patient", "board")
    date_hierarchy = "created_at"
    inlines = (LesionInline,)


@admin.register(Lesion)
class LesionAdmin(ReadOnlyClinicalAdmin):
    list_display = ("id", "case", "site", "subsite", "level_from", "level_to", "radiographic_type", "epidural_compression_grade")
    list_filter = ("site", "radiographic_type", "epidural_compression_grade")
    list_select_related = ("case",)


@admin.register(PriorRadiotherapyCourse)
class PriorRadiotherapyCourseAdmin(ReadOnlyClinicalAdmin):
    list_display = ("id", "case", "region", "total_dose_gy", "fractions", "date", "technique")
    list_filter = ("technique",)
    list_select_related = ("case",)
