from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from apps.options.models import TreatmentOptionsResult


@admin.register(TreatmentOptionsResult)
class TreatmentOptionsResultAdmin(admin.ModelAdmin):
    """Read-only: stored options are derived data, written only by the options service."""

    list_display = ("case", "case_revision", "is_current", "has_urgent", "engine_version", "computed_at")
    list_filter = ("is_current", "has_urgent", "engine_version")
    search_fields = ("inputs_digest",)
    raw_id_fields = ("case",)
    readonly_fields = (
        "case",
        "inputs_digest",
        "engine_version",
        "case_revision",
        "risk_digest",
        "plans_stamp",
        "catalogue_stamp",
        "payload",
        "has_urgent",
        "computed_at",
        "is_current",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TreatmentOptionsResult | None = None) -> bool:
        return False
