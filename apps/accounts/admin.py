"""Access management in the admin: roles, flags, boards and memberships.

Only access managers (IT staff, ``is_superuser``) change them, never on their own account, and every change
goes through ``apps.accounts.services`` with its audit row. Administrators (the auditor role) may read
these pages. API tokens and second-factor devices have no admin
page: they are secrets.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import services
from apps.accounts.authorization import allowed
from apps.accounts.models import Board, BoardMembership, Institution, User
from apps.accounts.roles import Permission

# django-otp registers admin pages that show the authenticator keys and the backup codes: secrets, like the
# API tokens, which have no admin page either. Enrolment is the owner's, on the account pages.
for _secret_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_secret_model):
        admin.site.unregister(_secret_model)
# Rights come from roles and board memberships (apps.accounts.authorization), never from Django's groups
# and model permissions: a group page would only suggest otherwise (tests/security/test_admin_walk.py).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class _AccessAdmin:
    """Readable by auditors, writable by access managers only (never delete: deactivate instead)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return allowed(request.user, Permission.AUDIT_VIEW) or services.can_manage_access(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.can_manage_access(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not services.can_manage_access(request.user):
            return False
        return not (isinstance(obj, User) and obj.pk == request.user.pk) and not (
            isinstance(obj, BoardMembership) and obj.user_id == request.user.pk
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _before(model: type[Model], pk: Any, fields: tuple[str, ...]) -> dict[str, Any] | None:
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).values(*fields).first()


@admin.register(User)
class UserAdmin(_AccessAdmin, BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        assert isinstance(request.user, User)
        services.user_access_save(
            actor=request.user, user=obj, before=_before(User, obj.pk if change else None, services.ACCESS_FIELDS)
        )


@admin.register(Board)
class BoardAdmin(_AccessAdmin, admin.ModelAdmin):
    list_display = ("name", "institution", "quorum", "created_at")
    list_filter = ("institution",)
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: Board, form: ModelForm[Board], change: bool) -> None:
        assert isinstance(request.user, User)
        services.board_save(actor=request.user, board=obj, created=not change)


@admin.register(Institution)
class InstitutionAdmin(_AccessAdmin, admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BoardMembership)
class BoardMembershipAdmin(_AccessAdmin, admin.ModelAdmin):
    list_display = ("board", "user", "is_chair")
    list_filter = ("board", "is_chair")
    list_select_related = ("board", "user")
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: BoardMembership, form: ModelForm[BoardMembership], change: bool) -> None:
        assert isinstance(request.user, User)
        services.membership_save(
            actor=request.user,
            membership=obj,
            before=_before(BoardMembership, obj.pk if change else None, ("board", "user", "is_chair")),
        )
