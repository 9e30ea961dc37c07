from __future__ import annotations

from django.contrib import admin

from apps.core.admin import GuardedAdmin, GuardedInline
from apps.risk.models import LesionAssessment, RiskAssessment


class LesionAssessmentInline(GuardedInline):
    model = LesionAssessment
    fields = (
        "lesion_ref",
        "mirels_score",
        "mirels_category",
        "sins_score",
        "sins_category",
        "escc_high_grade",
        "high_risk",
    )
    readonly_fields = fields


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(GuardedAdmin):
    """Derived results: read-only; they change only by recomputation (``manage.py recompute_risk``)."""

    list_display = (
        "case",
        "case_revision",
        "is_current",
        "highest_flag_code",
        "engine_version",
        "computed_at",
    )
    list_filter = ("is_current", "engine_version", "highest_flag_code")
    search_fields = ("inputs_digest",)
    raw_id_fields = ("case",)
    readonly_fields = (
        "case",
        "inputs_digest",
        "engine_version",
        "case_revision",
        "payload",
        "highest_flag_code",
        "highest_flag_priority",
        "computed_at",
        "is_current",
    )
    inlines = (LesionAssessmentInline,)
