"""Who may edit the trial registry and act on a case's trials (the checks the trial services share).

Split out with the services (issue 10) so the registry, matching and referral modules share one copy.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.accounts.scoping import is_board_member


def require_registry_editor(actor: User) -> None:
    if not actor.has_clinical_permission(Permission.TRIAL_REGISTRY_EDIT):
        raise PermissionDenied(f"Your role ({actor.role}) may not edit the trial registry.")


def require_case_permission(actor: User, permission: Permission, board_id: int) -> None:
    if not actor.has_clinical_permission(permission):
        raise PermissionDenied(f"Your role ({actor.role}) may not do this ({permission}).")
    if not is_board_member(actor, board_id):
        raise PermissionDenied("You are not a member of this case's board.")
