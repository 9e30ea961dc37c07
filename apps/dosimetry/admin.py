from django.contrib import admin

from apps.dosimetry.models import DoseSummary, RadiotherapyPlan


@admin.register(RadiotherapyPlan)
class RadiotherapyPlanAdmin(admin.ModelAdmin):
    list_display = ("id", "case", "regimen_code", "technique", "alpha_beta", "revision", "updated_at")
    list_filter = ("technique",)
    raw_id_fields = ("case", "target_lesions", "created_by")


@admin.register(DoseSummary)
class DoseSummaryAdmin(admin.ModelAdmin):
    list_display = ("id", "plan", "plan_revision", "case_revision", "engine_version", "is_current", "computed_at")
    list_filter = ("is_current", "engine_version")
    raw_id_fields = ("plan",)
    readonly_fields = ("inputs_digest", "payload", "computed_at")
