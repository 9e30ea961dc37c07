"""The only writers of who may do what: a user's role and flags, board memberships and the chair.

Access is managed by IT staff (``is_superuser``, a separate staff right that no role grants), never on
one's own account, and every change writes its audit row in the same transaction (issues 10 and 15:
today's demo administrator could make itself a surgeon on another board through the admin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from apps.accounts.models import Board, BoardMembership, User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record

#: The fields of a user that grant rights.
ACCESS_FIELDS: tuple[str, ...] = ("role", "is_active", "is_staff", "is_superuser")


def can_manage_access(actor: User | Any) -> bool:
    return isinstance(actor, User) and actor.is_active and actor.is_superuser


def _require_access_manager(actor: User, subject: User) -> None:
    if not can_manage_access(actor):
        raise PermissionDenied("Only access managers (IT staff) may change roles, flags or board memberships.")
    if subject.pk is not None and subject.pk == actor.pk:
        raise PermissionDenied("Nobody may change their own role, flags or board memberships; ask another access manager.")


@transaction.atomic
def user_access_save(*, actor: User, user: User, before: Mapping[str, Any] | None) -> User:
    """Save ``user`` as edited in the access screens; ``before`` is its state when the edit began (None: new)."""
    if before is None:
        _require_access_manager(actor, user)
        user.save()
        audit_record(actor=actor, event=AuditEvent.USER_ACCESS_CHANGED, subject=user, after=_access(user))
        return user
    changed = {f for f in ACCESS_FIELDS if before.get(f) != getattr(user, f)}
    if changed:
        _require_access_manager(actor, user)
    elif not can_manage_access(actor):
        raise PermissionDenied("Only access managers (IT staff) may edit accounts.")
    user.save()
    audit_record(
        actor=actor,
        event=AuditEvent.USER_ACCESS_CHANGED,
        subject=user,
        before={f: before.get(f) for f in ACCESS_FIELDS},
        after=_access(user),
    )
    return user


@transaction.atomic
def membership_save(*, actor: User, membership: BoardMembership, before: Mapping[str, Any] | None) -> BoardMembership:
    """Add a member to a board or change their chair flag."""
    _require_access_manager(actor, membership.user)
    membership.save()
    audit_record(
        actor=actor,
        event=AuditEvent.MEMBERSHIP_CHANGED,
        subject=membership,
        board_id=membership.board_id,
        before=dict(before) if before is not None else None,
        after={"board": membership.board_id, "user": membership.user_id, "is_chair": membership.is_chair},
    )
    return membership


@transaction.atomic
def membership_delete(*, actor: User, membership: BoardMembership) -> None:
    _require_access_manager(actor, membership.user)
    audit_record(
        actor=actor,
        event=AuditEvent.MEMBERSHIP_CHANGED,
        subject=membership,
        board_id=membership.board_id,
        before={"board": membership.board_id, "user": membership.user_id, "is_chair": membership.is_chair},
        after=None,
    )
    membership.delete()


@transaction.atomic
def board_save(*, actor: User, board: Board, created: bool) -> Board:
    if not can_manage_access(actor):
        raise PermissionDenied("Only access managers (IT staff) may create or edit boards.")
    board.save()
    audit_record(
        actor=actor,
        event=AuditEvent.BOARD_CHANGED,
        subject=board,
        board_id=board.pk,
        after={"name": board.name, "institution": board.institution_id, "created": created},
    )
    return board


def _access(user: User) -> dict[str, Any]:
    return {f: getattr(user, f) for f in ACCESS_FIELDS}
