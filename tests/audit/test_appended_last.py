"""``audit_appended_last``: entries recorded inside the block join the chain in one append as it ends
(issue 16: the options chunk no longer holds the chain head while it matches and evaluates)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.audit.services import AuditRecord, audit_appended_last, audit_record, audit_record_many
from apps.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


def _head_reads(ctx: CaptureQueriesContext) -> int:
    return sum("audit_auditchainhead" in q["sql"] for q in ctx.captured_queries)


def test_entries_inside_the_block_are_appended_once_at_its_end_in_order() -> None:
    start = AuditEntry.objects.count()
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        with audit_appended_last():
            audit_record(actor=None, actor_label="t", event=AuditEvent.CASE_CREATED, subject_type="cases.case", subject_id="1")
            audit_record_many(
                [
                    AuditRecord(event=AuditEvent.CASE_UPDATED, actor_label="t", subject_type="cases.case", subject_id="1"),
                    AuditRecord(event=AuditEvent.CASE_UPDATED, actor_label="t", subject_type="cases.case", subject_id="2"),
                ]
            )
            assert AuditEntry.objects.count() == start  # held back
            assert _head_reads(ctx) == 0  # the head is not locked inside the block
        assert _head_reads(ctx) == 1
    rows = list(AuditEntry.objects.order_by("sequence")[start:])
    assert [(r.event, r.subject_id) for r in rows] == [("case.created", "1"), ("case.updated", "1"), ("case.updated", "2")]
    assert [r.sequence for r in rows] == list(range(rows[0].sequence, rows[0].sequence + 3))
    assert verify_chain().intact


def test_a_nested_block_appends_with_the_outer_one() -> None:
    start = AuditEntry.objects.count()
    with transaction.atomic():
        with audit_appended_last():
            with audit_appended_last():
                audit_record(
                    actor=None, actor_label="t", event=AuditEvent.CASE_CREATED, subject_type="cases.case", subject_id="9"
                )
            assert AuditEntry.objects.count() == start
        assert AuditEntry.objects.count() == start + 1
    assert verify_chain().intact


def test_an_exception_appends_nothing_and_outside_a_block_entries_append_at_once() -> None:
    start = AuditEntry.objects.count()
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic(), audit_appended_last():
        audit_record(actor=None, actor_label="t", event=AuditEvent.CASE_CREATED, subject_type="cases.case", subject_id="3")
        raise RuntimeError("boom")
    assert AuditEntry.objects.count() == start
    with transaction.atomic():
        audit_record(actor=None, actor_label="t", event=AuditEvent.CASE_CREATED, subject_type="cases.case", subject_id="4")
        assert AuditEntry.objects.count() == start + 1
    assert verify_chain().intact
