"""Writing audit rows: the only writer of ``AuditEntry``. Call inside the caller's transaction.

``audit_record`` appends one entry (``audit_record_many`` a chunk's entries) to the hash chain in two
statements: it locks and reads the chain head, so concurrent appends are serialised (PostgreSQL:
``SELECT ... FOR UPDATE``; SQLite: ``UPDATE ... RETURNING``, which takes the database's write lock), then
inserts the entries (a trigger moves the head).
The entry's ``sequence`` and ``prev_hash`` are unique in the database, so two writers can never fork the
chain. Take the transaction's row locks *before* auditing: the head is then the last lock taken and
cannot be part of a lock cycle.

``audit_read`` and ``audit_export`` record reads and exports of patient data (issue 13, HIPAA
164.312(b)); ``audit_security_event`` sign-ins and the like, where there is no clinical subject.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.chain import ChainContent, entry_hash, normalise_ip
from apps.audit.events import AuditEvent
from apps.audit.models import AuditChainHead, AuditEntry
from apps.core.bulk import bulk_insert
from apps.core.request_context import current_client_ip, current_request_id

#: The entries an ``audit_appended_last`` block holds back (None outside one).
_held_back: ContextVar[list[AuditEntry] | None] = ContextVar("audit_held_back", default=None)

#: Models whose ``str()`` carries patient identifiers (name, MRN): labelled by type and id instead, so
#: no identifier reaches the trail's labels, its CSV export or a log line (issue 15).
_IDENTIFYING_LABELS = frozenset({"cases.patient"})


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


def subject_label(subject: models.Model) -> str:
    """A label for the row that names no patient: ``str()`` except for identifying models."""
    if subject._meta.label_lower in _IDENTIFYING_LABELS:
        return f"{subject._meta.verbose_name} {subject.pk}"
    return str(subject)[:200]


def _links(subject: models.Model | None) -> tuple[int | None, int | None]:
    """The case and patient a subject concerns, read from the subject itself (no query)."""
    if subject is None:
        return None, None
    label = subject._meta.label_lower
    if label == "cases.case":
        return subject.pk, getattr(subject, "patient_id", None)
    if label == "cases.patient":
        return None, subject.pk
    case_id = getattr(subject, "case_id", None)
    return (case_id if isinstance(case_id, int) else None), None


def _lock_head() -> tuple[int, str]:
    """The chain head's (sequence, last hash), locked until the caller's transaction ends: one statement."""
    connection = transaction.get_connection()
    # SQLite has no row locks: writing takes the database's write lock, so the head read in the same
    # statement is the newest and stays so until commit (a concurrent writer waits). The statement is
    # written out: every audited read runs it, and building it as a queryset cost more than running it.
    if connection.vendor == "sqlite":
        statement = "UPDATE audit_auditchainhead SET sequence = sequence WHERE id = 1 RETURNING sequence, last_hash"
    else:
        statement = "SELECT sequence, last_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE"
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(statement)
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        # The row is made by migration 0007; a database emptied by ``flush`` starts a new chain here.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
    raise RuntimeError("the audit chain head row cannot be created")


def _request_ip(request: HttpRequest | Any | None) -> str:
    if request is not None:
        from apps.core.middleware import client_ip

        meta_request = getattr(request, "_request", request)  # a DRF Request wraps Django's
        if isinstance(meta_request, HttpRequest):
            return client_ip(meta_request)
    return current_client_ip()


@dataclass(frozen=True)
class AuditRecord:
    """One entry to append (the arguments of ``audit_record``), for ``audit_record_many``."""

    event: AuditEvent
    actor: User | None = None
    subject: models.Model | None = None
    board_id: int | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str = ""
    actor_label: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    case_id: int | None = None
    patient_id: int | None = None


def audit_record(
    *,
    actor: User | None,
    event: AuditEvent,
    subject: models.Model | None = None,
    board_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    actor_label: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    case_id: int | None = None,
    patient_id: int | None = None,
    request: HttpRequest | Any | None = None,
) -> AuditEntry:
    """Append one audit entry. Must run inside the caller's transaction so the change and its trail commit together.

    ``subject`` is the record concerned; without one (a failed sign-in) give ``subject_type`` and
    optionally ``subject_id``. ``case_id``/``patient_id`` default to what the subject says. The client IP
    comes from ``request`` or else the request being served (``apps.core`` middleware).
    """
    record = AuditRecord(
        event=event,
        actor=actor,
        subject=subject,
        board_id=board_id,
        before=before,
        after=after,
        reason=reason,
        actor_label=actor_label,
        subject_type=subject_type,
        subject_id=subject_id,
        case_id=case_id,
        patient_id=patient_id,
    )
    return audit_record_many([record], request=request)[0]


def audit_record_many(records: Sequence[AuditRecord], *, request: HttpRequest | Any | None = None) -> list[AuditEntry]:
    """Append ``records`` to the chain in order: one head lock and one multi-row insert for all of them.

    A chunk of a recompute audits each new result (issue 16: one lock and one insert per result was a third
    of a risk chunk's time). The entries are chained in memory under the one lock; the insert trigger moves
    the head row by row, so it ends on the last entry. Same rules as ``audit_record``.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction.atomic block")
    if not records:
        return []
    ip = normalise_ip(_request_ip(request) or None)
    request_id = current_request_id()
    prepared = [_prepared(record) for record in records]  # an unknown event or subject-less record fails here
    for entry in prepared:
        entry.request_id = request_id
        entry.ip_address = ip
    pending = _held_back.get()
    if pending is not None:
        pending.extend(prepared)  # appended when the ``audit_appended_last`` block ends
        return prepared
    return _append(prepared)


def _append(prepared: list[AuditEntry]) -> list[AuditEntry]:
    head_sequence, head_hash = _lock_head()
    occurred_at = timezone.now()  # taken under the lock, so time order follows chain order
    for offset, entry in enumerate(prepared, start=1):
        entry.sequence = head_sequence + offset
        entry.occurred_at = occurred_at
        entry.prev_hash = head_hash
        entry.hash = head_hash = entry_hash(content_of(entry))
    if len(prepared) == 1:
        prepared[0].save(force_insert=True)  # the insert trigger moves the chain head to this entry
    else:
        bulk_insert(AuditEntry, prepared)  # COPY for a recompute chunk's many entries (apps.core.bulk)
    return prepared


@contextmanager
def audit_appended_last() -> Iterator[None]:
    """Hold back the entries appended inside the block and append them in one go as it ends, still inside
    the caller's transaction (and in the order they were recorded).

    The chain head stays locked from an append until commit, so a service that audits early and then
    computes holds every other writer's audit back meanwhile: the options chunk audits the risk results it
    writes, then matches and evaluates its cases (issue 16: two workers took turns instead of running
    side by side). Nested blocks append with the outermost one. An exception appends nothing: the
    transaction it leaves rolls back anyway.
    """
    if _held_back.get() is not None:
        yield
        return
    held: list[AuditEntry] = []
    token = _held_back.set(held)
    try:
        yield
    finally:
        _held_back.reset(token)
    if held:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("audit_appended_last must end inside the service's transaction.atomic block")
        _append(held)


def audit_engine_results(
    *, engine: str, event: AuditEvent, results: Iterable[tuple[models.Model, int | None, Mapping[str, Any]]]
) -> list[AuditEntry]:
    """Audit the new results of an engine chunk, each as ``(row, board id, after)``, in one append."""
    return audit_record_many(
        [
            AuditRecord(actor=None, actor_label=engine, event=event, subject=row, board_id=board_id, after=after)
            for row, board_id, after in results
        ]
    )


def _prepared(record: AuditRecord) -> AuditEntry:
    """The entry of ``record`` without its place in the chain (sequence, hashes, time, request)."""
    code = AuditEvent(record.event)  # an unknown code is a ValueError here, not a silent new event
    subject = record.subject
    if subject is None and not record.subject_type:
        raise ValueError("audit_record needs a subject or a subject_type")
    derived_case, derived_patient = _links(subject)
    actor = record.actor
    label = record.actor_label or (actor.get_username() if actor is not None else "system")
    role = str(getattr(actor, "role", "") or "") if actor is not None else ""
    return AuditEntry(
        actor=actor,
        actor_label=label[:150],
        actor_role=role,
        event=code.value,
        board_id=record.board_id,
        case_id=record.case_id if record.case_id is not None else derived_case,
        patient_id=record.patient_id if record.patient_id is not None else derived_patient,
        subject_type=record.subject_type or (subject._meta.label_lower if subject is not None else ""),
        subject_id=record.subject_id if record.subject_id is not None else (str(subject.pk) if subject is not None else ""),
        subject_label=subject_label(subject) if subject is not None else "",
        before=to_jsonable(record.before) if record.before is not None else None,
        after=to_jsonable(record.after) if record.after is not None else None,
        reason=record.reason,
    )


def content_of(entry: AuditEntry) -> ChainContent:
    """The hashed content of an entry (as written, or as read back)."""
    return ChainContent(
        sequence=entry.sequence,
        occurred_at=entry.occurred_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        actor_role=entry.actor_role,
        event=entry.event,
        board_id=entry.board_id,
        case_id=entry.case_id,
        patient_id=entry.patient_id,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        subject_label=entry.subject_label,
        before=entry.before,
        after=entry.after,
        reason=entry.reason,
        request_id=entry.request_id,
        ip_address=entry.ip_address,
        prev_hash=entry.prev_hash,
    )


def _user_or_none(actor: User | AnonymousUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


def _read_event(subject: models.Model) -> AuditEvent:
    return {"cases.case": AuditEvent.CASE_READ, "cases.patient": AuditEvent.PATIENT_READ}.get(
        subject._meta.label_lower, AuditEvent.RECORD_READ
    )


def audit_read(
    *,
    actor: User | AnonymousUser | None,
    subject: models.Model,
    request: HttpRequest | Any | None = None,
    board_id: int | None = None,
    event: AuditEvent | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` read ``subject`` (a patient, a case, a decision ...): its own transaction.

    The event is ``case.read``/``patient.read`` for those models and ``record.read`` otherwise (or
    ``event``). ``board_id`` defaults to the subject's ``board_id`` (a case's board). ``detail`` goes to
    ``after`` (e.g. which page or endpoint).
    """
    board = board_id if board_id is not None else getattr(subject, "board_id", None)
    with transaction.atomic():
        return audit_record(
            actor=_user_or_none(actor),
            event=event or _read_event(subject),
            subject=subject,
            board_id=board,
            after=detail,
            request=request,
        )


def audit_export(
    *,
    actor: User | AnonymousUser | None,
    what: str,
    parameters: Mapping[str, Any] | None = None,
    subject: models.Model | None = None,
    request: HttpRequest | Any | None = None,
    board_id: int | None = None,
    rows: int | None = None,
    event: AuditEvent = AuditEvent.RECORD_EXPORTED,
) -> AuditEntry:
    """Record an export (a CSV, a PDF for the chart, a FHIR bundle): what, with which parameters, how many rows.

    Without a ``subject`` the export is recorded against ``what`` (e.g. ``"audit.csv"``).
    """
    after: dict[str, Any] = {"what": what, "parameters": dict(parameters or {})}
    if rows is not None:
        after["rows"] = rows
    board = board_id if board_id is not None else getattr(subject, "board_id", None)
    with transaction.atomic():
        return audit_record(
            actor=_user_or_none(actor),
            event=event,
            subject=subject,
            subject_type=None if subject is not None else "export",
            subject_id=None if subject is not None else what,
            board_id=board,
            after=after,
            request=request,
        )


def audit_security_event(
    *,
    event: AuditEvent,
    actor: User | None,
    actor_label: str | None = None,
    request: HttpRequest | Any | None = None,
    reason: str = "",
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record a sign-in, a failed sign-in, a sign-out or a token issued: its own transaction.

    The subject is the account (``accounts.user`` and its id, empty when no account has that name).
    """
    with transaction.atomic():
        return audit_record(
            actor=actor,
            actor_label=actor_label,
            event=event,
            subject=actor,
            subject_type=None if actor is not None else "accounts.user",
            subject_id=None if actor is not None else "",
            reason=reason,
            after=after,
            request=request,
        )
