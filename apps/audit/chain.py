"""The hash chain of the audit trail: how an entry's hash is computed and how a chain is checked.

Pure Python (no Django), so the rule is stated once and read by the writer (``services``), the checker
(``manage.py verify_audit_chain``) and the migration that chained the rows written before the chain
existed.

Each entry's hash is SHA-256 over a canonical JSON text of its content *and the previous entry's hash*
(``prev_hash``; the first entry's previous hash is ``GENESIS``). Changing any recorded value, deleting an
entry or inserting one breaks the link at that point, even where the database trigger that refuses
UPDATE and DELETE has been dropped.

The canonical text must come out the same from the values written and from the values read back on
PostgreSQL (``jsonb``, ``inet``, ``timestamptz``) and on SQLite, so:

* keys are sorted, separators fixed, text kept as UTF-8 (``ensure_ascii=False``);
* numbers are written as their normalised decimal (``2``, ``2.0`` and ``2.00`` are one number, ``1e20`` is
  ``100000000000000000000``): ``jsonb`` keeps the decimal value but not the spelling;
* times are UTC ISO 8601 with microseconds; IP addresses in their compressed form.

Changing anything here invalidates every stored hash: a new rule needs a new ``HASH_SCHEME`` and a
migration that says from which entry it applies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

HASH_SCHEME = "sha256-canonical-json-v1"
GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainContent:
    """What an entry's hash covers: every recorded value of the entry, and the hash before it."""

    sequence: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor_label: str
    actor_role: str
    event: str
    board_id: int | None
    case_id: int | None
    patient_id: int | None
    subject_type: str
    subject_id: str
    subject_label: str
    before: Any
    after: Any
    reason: str
    request_id: str
    ip_address: str | None
    prev_hash: str


@dataclass(frozen=True)
class StoredLink:
    """An entry as read back: its content and the hash stored with it."""

    entry_id: int
    content: ChainContent
    stored_hash: str


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the stored chain differs from the recomputed one."""

    entry_id: int | None
    sequence: int
    reason: str


def normalise_ip(value: str | None) -> str | None:
    """The compressed text of an IP address (``None`` for none); ``ValueError`` for a malformed one."""
    if value in (None, ""):
        return None
    return str(ipaddress.ip_address(str(value).strip()))


def _number(value: int | float | Decimal) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"an audit value must be a finite number, not {value!r}")
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


#: ``json.dumps(text, ensure_ascii=False)`` without its per-call set-up (the same C function writes it):
#: a recompute chunk hashes ~480 entries of ~30 strings each (issue 16).
_string = json.encoder.encode_basestring


def _canonical(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_string(k)}:{_canonical(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    raise TypeError(f"an audit value must be JSON data, not {type(value).__name__}")


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_text(content: ChainContent) -> str:
    """The exact text that is hashed (also useful to show an auditor what a hash covers)."""
    return _canonical(
        {
            "scheme": HASH_SCHEME,
            "sequence": content.sequence,
            "occurred_at": _utc(content.occurred_at),
            "actor_id": content.actor_id,
            "actor_label": content.actor_label,
            "actor_role": content.actor_role,
            "event": content.event,
            "board_id": content.board_id,
            "case_id": content.case_id,
            "patient_id": content.patient_id,
            "subject_type": content.subject_type,
            "subject_id": content.subject_id,
            "subject_label": content.subject_label,
            "before": content.before,
            "after": content.after,
            "reason": content.reason,
            "request_id": content.request_id,
            "ip_address": normalise_ip(content.ip_address),
            "prev_hash": content.prev_hash,
        }
    )


def entry_hash(content: ChainContent) -> str:
    """SHA-256 (hex) of the canonical text of ``content``."""
    return hashlib.sha256(canonical_text(content).encode("utf-8")).hexdigest()


def first_broken_link(
    links: Iterable[StoredLink], *, head_sequence: int | None = None, head_hash: str | None = None
) -> BrokenLink | None:
    """Walk ``links`` in sequence order and return the first broken link, or ``None`` when intact.

    A link is broken when its sequence is not the next one (an entry deleted or inserted), when its
    ``prev_hash`` is not the hash of the entry before, or when its stored hash is not the hash of its
    content (a value changed). ``head_sequence``/``head_hash`` (the chain head row) witness the end of the
    chain, so entries deleted from the end are found too.
    """
    expected_prev = GENESIS
    expected_sequence = 1
    for link in links:
        content = link.content
        if content.sequence != expected_sequence:
            return BrokenLink(
                link.entry_id, expected_sequence, f"expected sequence {expected_sequence}, found {content.sequence}"
            )
        if content.prev_hash != expected_prev:
            return BrokenLink(link.entry_id, content.sequence, "prev_hash is not the hash of the entry before")
        try:
            recomputed = entry_hash(content)
        except (TypeError, ValueError) as exc:
            return BrokenLink(link.entry_id, content.sequence, f"content cannot be hashed: {exc}")
        if recomputed != link.stored_hash:
            return BrokenLink(link.entry_id, content.sequence, "stored hash does not match the entry's content")
        expected_prev = link.stored_hash
        expected_sequence += 1
    last_sequence = expected_sequence - 1
    if head_sequence is not None and head_sequence != last_sequence:
        return BrokenLink(None, last_sequence + 1, f"the chain head records {head_sequence} entries, found {last_sequence}")
    if head_hash is not None and head_hash != expected_prev:
        return BrokenLink(None, last_sequence, "the chain head's hash is not the hash of the last entry")
    return None
