"""The admin's one rule for rights: they come from ``apps.accounts.authorization``, never from Django's
``is_superuser`` or model permissions, so an administrator audits and curates but changes no clinical
content here (issue 10), and a new admin page is read-only unless it says which permission edits it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from apps.accounts.authorization import allowed
from apps.accounts.roles import Permission
from apps.core.models import Job, OutboxMessage


class _Guarded:
    view_permission: ClassVar[Permission] = Permission.AUDIT_VIEW
    #: None: read-only. A registry names the permission that curates it; its writes go through services.
    edit_permission: ClassVar[Permission | None] = None

    def _can_view(self, request: HttpRequest) -> bool:
        return allowed(request.user, self.view_permission) or self._can_edit(request)

    def _can_edit(self, request: HttpRequest) -> bool:
        return self.edit_permission is not None and allowed(request.user, self.edit_permission)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._can_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can_view(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can_edit(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can_edit(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Clinical and derived records are never deleted from the admin; registries retire entries instead.
        return False


class GuardedAdmin(_Guarded, admin.ModelAdmin):
    """A model admin whose rights come from the authorization entry point (read-only by default)."""


class GuardedInline(_Guarded, admin.TabularInline):
    """An inline with the same rule; read-only by default."""

    extra = 0
    can_delete = False


@admin.register(Job)
class JobAdmin(GuardedAdmin):
    """Jobs are created by services and commands and run by the worker: read-only here."""

    list_display = ("id", "kind", "status", "progress_pct", "done", "total", "attempts", "created_at", "finished_at")
    list_filter = ("kind", "status")
    list_select_related = ("created_by",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(GuardedAdmin):
    """Work recorded after commit; an unsent row older than a minute means the broker was unreachable."""

    list_display = ("id", "task_name", "queue", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("task_name",)
