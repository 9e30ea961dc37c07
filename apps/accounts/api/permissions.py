"""DRF permission classes keyed by ``Permission`` members."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.accounts.models import User
from apps.accounts.roles import Permission


class RolePermission(BasePermission):
    """Grants a view's action only when the user's role holds the ``Permission`` named for it.

    Views declare ``action_permissions = {"list": Permission.CASE_VIEW, ...}``; an action missing from
    the map is refused (fail closed).
    """

    message = "Your role does not allow this action."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return False
        mapping: dict[str, Permission] = getattr(view, "action_permissions", {})
        action = getattr(view, "action", None) or request.method.lower()  # type: ignore[union-attr]
        permission = mapping.get(action)
        if permission is None:
            return False
        return user.has_clinical_permission(permission)


def requires(permission: Permission) -> type[BasePermission]:
    """A permission class for a plain APIView that needs one permission."""

    class _Requires(BasePermission):
        message = f"Your role does not allow this ({permission})."

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            return isinstance(user, User) and user.is_active and user.has_clinical_permission(permission)

    _Requires.__name__ = f"Requires_{permission.name}"
    return _Requires
