"""Checking the stored chain against its hashes (``manage.py verify_audit_chain``, the audit API)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections

from apps.audit.chain import BrokenLink, StoredLink, first_broken_link
from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.services import content_of


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _links(using: str) -> Iterator[StoredLink]:
    for entry in AuditEntry.objects.using(using).order_by("sequence").iterator(chunk_size=2000):
        yield StoredLink(entry_id=entry.pk, content=content_of(entry), stored_hash=entry.hash)


def verify_chain(using: str = "default") -> ChainReport:
    """Recompute every hash in sequence order; report the first broken link (and how many entries there are)."""
    connections[using].ensure_connection()
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    count = AuditEntry.objects.using(using).count()
    if head is None and count:
        return ChainReport(count, BrokenLink(None, 0, "the chain head row is missing"))
    broken = first_broken_link(
        _links(using),
        head_sequence=head.sequence if head is not None else None,
        head_hash=head.last_hash if head is not None else None,
    )
    return ChainReport(count, broken)
