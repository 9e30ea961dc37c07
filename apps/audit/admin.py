from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.accounts.authorization import allowed
from apps.accounts.roles import Permission
from apps.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, and only for auditors (``Permission.AUDIT_VIEW``): the trail is written by services, never
    edited (the database refuses UPDATE and DELETE too). The filtered log with CSV export is ``/audit/``."""

    list_display = (
        "sequence",
        "occurred_at",
        "actor_label",
        "actor_role",
        "event",
        "subject_type",
        "subject_id",
        "case_id",
        "board",
        "ip_address",
    )
    list_filter = ("event", "subject_type", "board")
    search_fields = ("subject_id", "actor_label", "request_id")
    list_select_related = ("board",)
    date_hierarchy = "occurred_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, Permission.AUDIT_VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return allowed(request.user, Permission.AUDIT_VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
