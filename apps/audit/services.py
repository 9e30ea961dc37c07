"""Writing audit rows. Call from inside the service's transaction, never from a signal."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from enum import Enum
from typing import Any

from django.db import models, transaction

from apps.accounts.models import User
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.core.request_context import current_request_id


def to_jsonable(value: Any) -> Any:
    """Model field values as plain JSON (dates as ISO strings, decimals as strings, enums as codes)."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, for the ``before``/``after`` of an audit row."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: to_jsonable(getattr(instance, name)) for name in names}


def audit_record(
    *,
    actor: User | None,
    event: AuditEvent,
    subject: models.Model,
    board_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    actor_label: str | None = None,
) -> AuditEntry:
    """Insert one audit row. Must run inside the caller's transaction so the change and its trail commit together."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction.atomic block")
    label = actor_label or (actor.get_username() if actor is not None else "system")
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=label,
        event=event,
        board_id=board_id,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:200],
        before=to_jsonable(before) if before is not None else None,
        after=to_jsonable(after) if after is not None else None,
        reason=reason,
        request_id=current_request_id(),
    )
