"""The one authorization entry point: who may do what, on which board. Fails closed.

Every service, view, admin and export asks here, and nothing else decides:

* ``allowed(actor, permission, board_id)`` / ``require(...)``: may this active user do this? A board-bound
  permission also needs membership of that board (administrators hold no clinical write permission, and
  membership is what grants a write). ``board_id=None`` asks about a permission that is not tied to a
  board (the trial registry, the audit log, reports).
* ``restrict(queryset, user, board_path)``: the rows of the boards the user may read (delegates to
  ``apps.accounts.scoping``, so list and detail agree).
* ``readable_boards(user)`` / ``readable_board_ids(user)``: the boards the user may read (a filter's
  choices, a board picked from a query string).
* ``boards_where(user, permission)``: the boards on which the user may do ``permission`` (the choices of a
  "board" field on a form or a write endpoint).

An anonymous or inactive user, an unknown role or a missing grant is refused; so is a board-bound write
outside the actor's boards.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from apps.accounts.models import Board, User
from apps.accounts.roles import Permission
from apps.accounts.scoping import is_board_member, member_board_ids, scope_boards, scope_by_board, visible_board_ids

M = TypeVar("M", bound=Model)

#: Permissions about the platform rather than one board's patients.
GLOBAL_PERMISSIONS: frozenset[Permission] = frozenset(
    {Permission.TRIAL_REGISTRY_EDIT, Permission.AUDIT_VIEW, Permission.REPORTS_VIEW, Permission.RECOMPUTE}
)
#: Reads an administrator holds on every board without membership (auditing).
_READS: frozenset[Permission] = frozenset({Permission.CASE_VIEW, Permission.PATIENT_VIEW})


def _active(user: User | AnonymousUser | None) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def allowed(actor: User | AnonymousUser | None, permission: Permission, board_id: int | None = None) -> bool:
    """Whether ``actor`` may do ``permission`` (on ``board_id`` for a board-bound permission)."""
    user = _active(actor)
    if user is None or not user.has_clinical_permission(permission):
        return False
    if permission in GLOBAL_PERMISSIONS:
        return True
    if board_id is None:
        return False  # a board-bound permission asked without its board: refuse rather than guess
    if permission in _READS and user.is_administrator:
        return True
    return is_board_member(user, board_id)


def require(
    actor: User | AnonymousUser | None,
    permission: Permission,
    board_id: int | None = None,
    *,
    also: tuple[Permission, ...] = (),
) -> None:
    """Raise ``PermissionDenied`` (a 403 in the API) unless ``allowed`` for ``permission`` and every one of
    ``also`` (one membership lookup for all); the message says which rule refused."""
    user = _active(actor)
    if user is None:
        raise PermissionDenied("Sign in with an active account to do this.")
    for needed in (permission, *also):
        if not user.has_clinical_permission(needed):
            raise PermissionDenied(f"Your role ({user.role}) may not do this ({needed}).")
    if not allowed(actor, permission, board_id):
        raise PermissionDenied("You are not a member of this case's board.")


def restrict(queryset: QuerySet[M], user: User | AnonymousUser | None, board_path: str) -> QuerySet[M]:
    """``queryset`` limited to rows of the boards ``user`` may read (none for an anonymous user)."""
    return scope_by_board(queryset, user, board_path)


def readable_boards(user: User | AnonymousUser | None) -> QuerySet[Board]:
    """The boards whose cases ``user`` may read (every board for an administrator; none when signed out)."""
    return scope_boards(user)


def readable_board_ids(user: User | AnonymousUser | None) -> list[int] | None:
    """The ids of ``readable_boards``, sorted, without a query once read in this request; ``None`` means
    every board (an administrator)."""
    return visible_board_ids(user)


def boards_where(user: User | AnonymousUser | None, permission: Permission) -> QuerySet[Board]:
    """The boards on which ``user`` may do ``permission``: membership for every board-bound permission."""
    active = _active(user)
    if active is None or not active.has_clinical_permission(permission):
        return Board.objects.none()
    if permission in GLOBAL_PERMISSIONS or (permission in _READS and active.is_administrator):
        return Board.objects.all()
    return Board.objects.filter(id__in=sorted(member_board_ids(active)))
