"""The trail in the database: appends chained in order, UPDATE and DELETE refused, tampering found."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.audit.chain import GENESIS, entry_hash
from apps.audit.db import append_only_installed
from apps.audit.events import AuditEvent
from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.services import AuditRecord, audit_record, audit_record_many, content_of
from apps.audit.verification import verify_chain
from apps.core.request_context import client_ip_var
from tests.conftest import Personas
from tests.factories import CaseFactory, PatientFactory


def append(personas: Personas, n: int = 1, **kwargs: object) -> list[AuditEntry]:
    case = CaseFactory(board=personas.board)
    entries = []
    with transaction.atomic():
        for i in range(n):
            entries.append(
                audit_record(
                    actor=personas.radonc,
                    event=AuditEvent.CASE_UPDATED,
                    subject=case,
                    board_id=case.board_id,
                    before={"question": f"v{i}", "dose": 8.0},
                    after={"question": f"v{i + 1}", "dose": 20, "nested": {"b": [1, 2.5], "a": None}},
                    **kwargs,  # type: ignore[arg-type]
                )
            )
    return entries


def verify() -> tuple[int, str]:
    try:
        call_command("verify_audit_chain", stdout=(out := __import__("io").StringIO()))
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_each_entry_links_to_the_one_before_and_records_who_when_where(personas: Personas) -> None:
    token = client_ip_var.set("198.51.100.7")
    try:
        first, second, third = append(personas, 3)
    finally:
        client_ip_var.reset(token)
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash and third.prev_hash == second.hash
    stored = AuditEntry.objects.get(pk=second.pk)
    assert (stored.actor_id, stored.actor_label, stored.actor_role) == (personas.radonc.pk, "radonc", "radiation_oncologist")
    assert stored.ip_address == "198.51.100.7"
    assert (stored.case_id, stored.patient_id) == (
        stored.case_id,
        CaseFactory._meta.model.objects.get(pk=stored.case_id).patient_id,
    )
    # The hash recomputed from the row as read back (jsonb on PostgreSQL) is the stored hash.
    assert entry_hash(content_of(stored)) == stored.hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.last_hash) == (3, third.hash)


def test_the_command_reports_an_intact_chain_with_exit_status_0(personas: Personas) -> None:
    append(personas, 4)
    status, output = verify()
    assert status == 0 and "audit chain intact: 4 entries" in output


def test_an_empty_trail_is_intact(db: None) -> None:
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction_and_unknown_codes(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=None, event=AuditEvent.CASE_UPDATED, subject=case)
    with transaction.atomic(), pytest.raises(ValueError):
        audit_record(actor=None, event="case.renamed", subject=case)  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()


def test_a_patient_entry_names_no_patient(personas: Personas) -> None:
    patient = PatientFactory(family_name="Lovelace", mrn="MRN-SECRET-1")
    with transaction.atomic():
        entry = audit_record(actor=personas.coordinator, event=AuditEvent.PATIENT_UPDATED, subject=patient)
    assert entry.subject_label == f"patient {patient.pk}"
    assert "Lovelace" not in str(entry) and "MRN-SECRET-1" not in entry.subject_label
    assert entry.patient_id == patient.pk


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET reason = 'rewritten'",
        "UPDATE audit_auditentry SET after = NULL WHERE sequence = 1",
        "DELETE FROM audit_auditentry",
        "DELETE FROM audit_auditentry WHERE sequence = 2",
    ],
)
def test_the_database_refuses_update_and_delete_in_plain_sql(personas: Personas, sql: str) -> None:
    entries = append(personas, 2)
    assert append_only_installed(connection)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert [(e.reason, e.after) for e in AuditEntry.objects.order_by("sequence")] == [(e.reason, e.after) for e in entries]


def test_the_orm_is_refused_too(personas: Personas) -> None:
    (entry,) = append(personas)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, reason="").exists()


@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_truncate_but_flush_still_empties_the_database(personas: Personas) -> None:
    # (transactional: PostgreSQL will not TRUNCATE a table with rows inserted earlier in the same transaction)
    append(personas, 2)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry CASCADE")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    case = CaseFactory()
    with transaction.atomic():
        audit_record(actor=None, event=AuditEvent.CASE_CREATED, subject=case)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()  # the door closed again after flush
    assert verify_chain().intact  # a flushed database starts a new chain


def test_a_tampered_row_is_found_even_after_the_trigger_is_dropped(personas: Personas, triggers_dropped: None) -> None:
    entries = append(personas, 5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'nothing happened' WHERE sequence = 3")
    status, message = verify()
    assert status == 1
    assert f"entry {entries[2].pk} (sequence 3)" in message and "does not match" in message


def test_a_tampered_row_with_a_recomputed_hash_breaks_the_next_link(personas: Personas, triggers_dropped: None) -> None:
    entries = append(personas, 4)
    forged = AuditEntry.objects.get(sequence=2)
    forged.reason = "forged"
    forged.hash = entry_hash(content_of(forged))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s, hash = %s WHERE sequence = 2", ["forged", forged.hash])
    status, message = verify()
    assert status == 1 and f"entry {entries[2].pk} (sequence 3)" in message and "prev_hash" in message


def test_deleted_rows_are_found_in_the_middle_and_at_the_end(personas: Personas, triggers_dropped: None) -> None:
    append(personas, 5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 5")
    status, message = verify()
    assert status == 1 and "records 5 entries, found 4" in message
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 2")
    status, message = verify()
    assert status == 1 and "expected sequence 2, found 3" in message


def test_the_chain_cannot_fork_the_database_refuses_a_second_successor(personas: Personas) -> None:
    (entry,) = append(personas)
    twin = AuditEntry.objects.get(pk=entry.pk)
    twin.pk = None
    twin.hash = "a" * 64
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)  # same sequence, same prev_hash
    twin.sequence = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)  # a new sequence, but a second child of the same parent


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_append_one_unforked_chain(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (one write lock per database); covered by the fork test above")
    case = CaseFactory(board=personas.board)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(label: str) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_record(actor=None, actor_label=label, event=AuditEvent.CASE_UPDATED, subject=case, after={"i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(f"writer-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 41))
    assert verify_chain().intact


def test_a_chunk_of_entries_is_chained_in_order_with_one_lock_and_one_insert(personas: Personas) -> None:
    """``audit_record_many`` (a recompute chunk's entries): 120 entries, more than SQLite takes in one insert;
    on PostgreSQL one ``COPY``."""
    case = CaseFactory(board=personas.board)
    append(personas, 2)
    records = [
        AuditRecord(actor=None, actor_label="risk-engine", event=AuditEvent.RISK_ASSESSED, subject=case, after={"n": i})
        for i in range(120)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        entries = audit_record_many(records)
    assert [e.sequence for e in entries] == list(range(3, 123))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    stored = list(AuditEntry.objects.filter(sequence__gte=3).order_by("sequence"))
    assert [e.after for e in stored] == [{"n": i} for i in range(120)]
    assert all(entry_hash(content_of(e)) == e.hash for e in stored)
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.last_hash) == (122, entries[-1].hash)
    assert verify_chain().intact
    if connection.vendor == "postgresql":
        # One COPY of every entry, after one statement drawing their ids (apps.core.bulk.copy_insert).
        inserts = [q for q in captured.captured_queries if q["sql"].startswith(('COPY "audit_auditentry"', "SELECT nextval("))]
        assert [q["sql"][:4] for q in inserts] == ["SELE", "COPY"]
    else:
        inserts = [q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditentry"')]
        fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
        assert len(inserts) == -(-120 // connection.ops.bulk_batch_size(fields, entries))
    assert len(captured) - len(inserts) <= 3  # the head lock (and the savepoint pair of the atomic block)


def test_a_chunk_refuses_an_unknown_event_before_writing_anything(personas: Personas) -> None:
    with pytest.raises(ValueError), transaction.atomic():
        audit_record_many([AuditRecord(event="no.such_event", subject_type="x")])  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()
