"""The one place that decides which records a user may see.

Every selector, view and export scopes its queryset through these functions, so list and detail agree
and a new endpoint that forgets to scope shows nothing rather than everything (``scope_*`` on an
unknown user returns ``none()``). Administrators see every board, read-only for clinical content.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from apps.accounts.models import Board, BoardMembership, User

M = TypeVar("M", bound=Model)


def _is_active_user(user: User | AnonymousUser | None) -> bool:
    return isinstance(user, User) and user.is_active


def visible_board_ids(user: User | AnonymousUser | None) -> QuerySet[BoardMembership, int] | None:
    """Subquery of the board ids the user belongs to; None means "every board" (administrators)."""
    if not _is_active_user(user):
        return BoardMembership.objects.none().values_list("board_id", flat=True)
    assert isinstance(user, User)
    if user.is_administrator:
        return None
    return BoardMembership.objects.filter(user_id=user.pk).values_list("board_id", flat=True)


def scope_by_board(queryset: QuerySet[M], user: User | AnonymousUser | None, board_path: str) -> QuerySet[M]:
    """Restrict ``queryset`` to rows whose board (reached through ``board_path``) the user may see."""
    if not _is_active_user(user):
        return queryset.none()
    board_ids = visible_board_ids(user)
    if board_ids is None:
        return queryset
    return queryset.filter(**{f"{board_path}__in": board_ids})


def scope_boards(user: User | AnonymousUser | None) -> QuerySet[Board]:
    return scope_by_board(Board.objects.all(), user, "id")


def is_board_member(user: User, board_id: int) -> bool:
    return BoardMembership.objects.filter(user_id=user.pk, board_id=board_id).exists()
