"""Every change made through the Django admin goes to the audit trail.

The project's default admin site (``apps.audit.admin_apps.AuditedAdminConfig.default_site``, Django's documented way to
replace ``admin.site``) wraps every registered ``ModelAdmin`` in ``AuditedModelAdmin``, whose
``log_addition``/``log_change``/``log_deletions`` (the hooks Django 5.2's admin calls for every add,
change, delete and bulk delete; ``log_deletion`` is deprecated and not overridden, so Django does not fall
back to it) also append an audit entry in the admin's transaction. No app
has to remember to opt in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from apps.accounts import services
from apps.accounts.authorization import allowed
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record, snapshot


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _board_id(obj: models.Model) -> int | None:
    board_id = getattr(obj, "board_id", None)
    return board_id if isinstance(board_id, int) else None


def audit_admin_action(
    request: HttpRequest, objects: Iterable[models.Model], event: AuditEvent, message: Any, *, deleted: bool = False
) -> None:
    """One audit entry per object the admin added, changed or is about to delete."""
    with transaction.atomic():
        for obj in objects:
            values = snapshot(obj)
            audit_record(
                actor=_actor(request),
                event=event,
                subject=obj,
                board_id=_board_id(obj),
                before=values if deleted else None,
                after=None if deleted else {"fields": values, "change_message": message},
                reason="Django admin",
                request=request,
            )


class AuditedModelAdmin(admin.ModelAdmin):
    """Mixed into every registered admin class by ``AuditedAdminSite``."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        audit_admin_action(request, [obj], AuditEvent.ADMIN_ADDED, message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        audit_admin_action(request, [obj], AuditEvent.ADMIN_CHANGED, message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        audit_admin_action(request, list(queryset), AuditEvent.ADMIN_DELETED, "deleted (bulk)", deleted=True)
        return entries


class AuditedAdminSite(admin.AdminSite):
    """The default admin site: every ``ModelAdmin`` registered on it is audited.

    Only those who audit (administrators) or manage access (IT staff) enter it: ``is_staff`` alone, set on
    a clinician by mistake, opens no admin page (tests/security/test_admin_walk.py). One's own password is
    changed on the account page, through ``apps.accounts.services.password_change`` and its audit row.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            super().has_permission(request) and (allowed(user, Permission.AUDIT_VIEW) or services.can_manage_access(user))
        )

    # The stubs type these views as template answers; a redirect is the point (one way to change it).
    def password_change(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        return redirect("account-password")

    def password_change_done(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        return redirect("account")

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(admin_class.__name__, (AuditedModelAdmin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)
