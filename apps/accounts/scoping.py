"""The one place that decides which records a user may see.

Every selector, view and export scopes its queryset through these functions, so list and detail agree
and a new endpoint that forgets to scope shows nothing rather than everything (``scope_*`` on an
unknown user returns ``none()``). Administrators see every board, read-only for clinical content.

The user's board ids are read once per user object and given to the database as values
(``board_id IN (1, 2)``), not as a membership subquery: with values the planner reads a board's page
straight off its ``(board, <order>)`` index, with the subquery it sorted the whole board (issue 16). The
ids are cached on the user instance for one request at most: a request starting, or a membership saved
or deleted in this process, bumps a generation that voids every cached copy, so a change is seen at once
and a user object kept across requests (a test client's forced user) reads its boards afresh.
"""

from __future__ import annotations

import itertools
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from apps.accounts.models import Board, BoardMembership, User
from apps.core.compiled import CompiledRead

M = TypeVar("M", bound=Model)


def _is_active_user(user: User | AnonymousUser | None) -> bool:
    return isinstance(user, User) and user.is_active


_generation = itertools.count(1)
_current_generation = 0
_CACHE_ATTRIBUTE = "_tb_member_board_ids"


def forget_board_ids(**kwargs: Any) -> None:
    """Receiver of every request start and ``BoardMembership`` save and delete: void the cached board ids."""
    global _current_generation
    _current_generation = next(_generation)


#: Every request of a member reads it: compiled once per thread (issue 16).
_MEMBER_BOARD_IDS = CompiledRead(lambda user_id: BoardMembership.objects.filter(user_id=user_id).values_list("board_id"))


def member_board_ids(user: User) -> frozenset[int]:
    """The ids of the boards ``user`` is a member of: one query per user object (and membership change)."""
    cached: tuple[int, frozenset[int]] | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] == _current_generation:
        return cached[1]
    ids = frozenset(board_id for (board_id,) in _MEMBER_BOARD_IDS.tuples(user.pk))
    setattr(user, _CACHE_ATTRIBUTE, (_current_generation, ids))
    return ids


def visible_board_ids(user: User | AnonymousUser | None) -> list[int] | None:
    """The board ids the user may read, sorted; None means "every board" (administrators)."""
    if not _is_active_user(user):
        return []
    assert isinstance(user, User)
    if user.is_administrator:
        return None
    return sorted(member_board_ids(user))


def scope_by_board(queryset: QuerySet[M], user: User | AnonymousUser | None, board_path: str) -> QuerySet[M]:
    """Restrict ``queryset`` to rows whose board (reached through ``board_path``) the user may see."""
    if not _is_active_user(user):
        return queryset.none()
    board_ids = visible_board_ids(user)
    if board_ids is None:
        return queryset
    if not board_ids:
        return queryset.none()
    return queryset.filter(**{f"{board_path}__in": board_ids})


def scope_boards(user: User | AnonymousUser | None) -> QuerySet[Board]:
    return scope_by_board(Board.objects.all(), user, "id")


def is_board_member(user: User, board_id: int) -> bool:
    return board_id in member_board_ids(user)
