"""Admin for the trial registry and stored matches: read-only, since every edit must go through
``apps.trials.services`` (validation against the criteria schema, a new version, an audit row, re-matching).
Administrators edit trials through ``/api/v1/trials/``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.trials.models import Trial, TrialMatch, TrialReferral, TrialVersion


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrialVersionInline(_ReadOnly, admin.TabularInline):
    model = TrialVersion
    extra = 0
    can_delete = False
    fields = ("version", "criteria_digest", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-version",)
    show_change_link = True


@admin.register(Trial)
class TrialAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("identifier", "short_name", "phase", "status", "sponsor", "current_version", "updated_at")
    list_filter = ("status", "phase")
    search_fields = ("identifier", "short_name", "title", "sponsor")
    ordering = ("identifier",)
    inlines = (TrialVersionInline,)


@admin.register(TrialVersion)
class TrialVersionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("trial", "version", "criteria_digest", "created_by", "created_at")
    list_filter = ("trial__status",)
    search_fields = ("trial__identifier", "trial__short_name")
    list_select_related = ("trial", "created_by")


@admin.register(TrialMatch)
class TrialMatchAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("case", "trial", "eligibility", "trial_version", "case_revision", "engine_version", "computed_at")
    list_filter = ("eligibility", "trial__status", "trial")
    search_fields = ("trial__identifier", "trial__short_name")
    list_select_related = ("case", "trial", "trial_version")
    raw_id_fields = ("case",)


@admin.register(TrialReferral)
class TrialReferralAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("case", "trial", "status", "eligibility_at_referral", "created_by", "created_at", "updated_at")
    list_filter = ("status", "trial")
    search_fields = ("trial__identifier", "trial__short_name")
    list_select_related = ("case", "trial", "created_by")
    raw_id_fields = ("case",)
