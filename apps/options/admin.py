from __future__ import annotations

from django.contrib import admin

from apps.core.admin import GuardedAdmin
from apps.options.models import TreatmentOptionsResult


@admin.register(TreatmentOptionsResult)
class TreatmentOptionsResultAdmin(GuardedAdmin):
    """Derived results: read-only; they change only by recomputation (``manage.py recompute_options``)."""

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
