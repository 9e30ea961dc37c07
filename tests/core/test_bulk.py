"""``apps.core.bulk``: many-row inserts through ``COPY`` on PostgreSQL (issue 16), the same rows as
``bulk_create``: audit entries chained and verified, engine results with their ids, every field stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.audit.events import AuditEvent
from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.services import AuditRecord, audit_record_many
from apps.audit.verification import verify_chain
from apps.core.bulk import COPY_MIN_ROWS, bulk_insert, copy_insert
from apps.options import tasks
from apps.options.models import TreatmentOptionsResult
from apps.risk.models import LesionAssessment, RiskAssessment
from tests.conftest import Personas
from tests.options.test_options_service import make_case

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")


def _copies(queries: CaptureQueriesContext, table: str) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith(f'COPY "{table}"'))


def _records(n: int, personas: Personas) -> list[AuditRecord]:
    return [
        AuditRecord(
            actor=None,
            actor_label="test-engine",
            event=AuditEvent.RISK_ASSESSED,
            subject_type="risk.riskassessment",
            subject_id=str(i),
            board_id=personas.board.pk,
            after={"i": i, "text": 'quote " backslash \\ tab \t d\u00e9j\u00e0', "at": dt.date(2026, 12, 3).isoformat()},
        )
        for i in range(n)
    ]


@postgresql_only
def test_a_chunk_of_audit_entries_is_copied_chained_and_verifies(personas: Personas) -> None:
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        entries = audit_record_many(_records(COPY_MIN_ROWS + 2, personas))
    assert _copies(queries, "audit_auditentry") == 1
    assert not any(q["sql"].startswith('INSERT INTO "audit_auditentry"') for q in queries.captured_queries)
    ids = [e.pk for e in entries]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    stored = list(AuditEntry.objects.filter(pk__in=ids).order_by("sequence"))
    assert [e.pk for e in stored] == ids
    assert [e.after for e in stored] == [e.after for e in entries]
    assert [e.hash for e in stored] == [e.hash for e in entries]
    assert AuditEntry.objects.count() == before + len(entries)
    # The insert trigger moved the chain head row by row, to the last entry copied.
    head = AuditChainHead.objects.get(pk=1)
    assert (head.sequence, head.last_hash) == (stored[-1].sequence, stored[-1].hash)
    assert verify_chain().intact


@postgresql_only
def test_a_copied_audit_entry_stays_append_only(personas: Personas) -> None:
    with transaction.atomic():
        entries = audit_record_many(_records(COPY_MIN_ROWS, personas))
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).update(reason="changed")


def test_fewer_rows_than_the_threshold_are_one_insert(personas: Personas) -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        audit_record_many(_records(COPY_MIN_ROWS - 1, personas))
    assert _copies(queries, "audit_auditentry") == 0
    assert sum(1 for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditentry"')) == 1
    assert verify_chain().intact


@postgresql_only
def test_a_chunk_of_engine_results_stores_what_bulk_create_stored(personas: Personas) -> None:
    """Risk rows, their lesion rows (which refer to the ids drawn first) and options rows of a chunk of
    ``COPY_MIN_ROWS`` cases, against the same cases computed one by one (``bulk_create``'s single rows)."""
    cases = [make_case(personas, mrn=f"B-{i}") for i in range(COPY_MIN_ROWS)]
    ids = [c.pk for c in cases]
    with CaptureQueriesContext(connection) as queries:
        tasks.compute_derived_chunk(ids)
    for table in ("risk_riskassessment", "risk_lesionassessment", "options_treatmentoptionsresult", "audit_auditentry"):
        assert _copies(queries, table) == 1, table

    def stored() -> tuple[dict[int, object], dict[int, object], dict[int, list[object]]]:
        risk = {
            r.case_id: (r.inputs_digest, r.payload, r.highest_flag_code, r.is_current)
            for r in RiskAssessment.objects.filter(case_id__in=ids)
        }
        options = {
            o.case_id: (o.inputs_digest, o.payload, o.has_urgent, o.is_current, o.risk_digest)
            for o in TreatmentOptionsResult.objects.filter(case_id__in=ids)
        }
        lesions = {
            case_id: sorted(
                (la.lesion_ref, la.lesion_id, la.mirels_score, la.sins_score, la.escc_high_grade)
                for la in LesionAssessment.objects.filter(assessment__case_id=case_id)
            )
            for case_id in ids
        }
        return risk, options, lesions

    copied = stored()
    assert all(copied[2].values())  # every case's lesions assessed, under the risk row's drawn id
    RiskAssessment.objects.filter(case_id__in=ids).delete()
    TreatmentOptionsResult.objects.filter(case_id__in=ids).delete()
    for pk in ids:  # one case per chunk: below the threshold, Django's INSERT
        tasks.compute_derived_chunk([pk])
    assert stored() == copied
    assert verify_chain().intact


def test_bulk_insert_below_the_threshold_and_copy_insert_elsewhere(personas: Personas) -> None:
    if connection.vendor == "postgresql":
        with transaction.atomic():
            copy_insert(AuditEntry, [])  # nothing to copy: no statement at all
        return
    with pytest.raises(NotImplementedError):
        copy_insert(AuditEntry, [])
    with transaction.atomic():
        bulk_insert(AuditEntry, [])


NOW = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)

#: JSON whose text differs between encoders (escapes, non-ASCII, floats, big and negative numbers,
#: integer keys) but whose parsed value must not.
_AWKWARD_JSON = {
    "text": 'q " b \\ t \t n \n nul-like \\u0000 d\u00e9j\u00e0 \u2264 \u2028 emoji \U0001f9b4',
    "floats": [0.1, 1e-07, 1e16, 2.5e-300, -0.0, 123456.789, 1.0],
    "ints": [0, -1, 2**53 + 1, -(2**62)],
    "nested": {"a": [None, True, False, {"b": []}], "": {}},
    3: "an integer key becomes a string, as json.dumps makes it",
}


@postgresql_only
def test_copied_json_is_the_jsonb_django_stores(personas: Personas) -> None:
    """The COPY writes orjson's text; the column holds the same ``jsonb`` as Django's own binding."""
    case = make_case(personas)
    with transaction.atomic():
        copied = [
            RiskAssessment(
                case=case,
                case_revision=1,
                inputs_digest=f"c{i}",
                engine_version="e",
                payload=_AWKWARD_JSON,
                is_current=False,
                computed_at=NOW,
            )
            for i in range(COPY_MIN_ROWS)
        ]
        copy_insert(RiskAssessment, copied)
    saved = RiskAssessment.objects.create(
        case=case,
        case_revision=1,
        inputs_digest="s",
        engine_version="e",
        payload=_AWKWARD_JSON,
        is_current=False,
        computed_at=NOW,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM risk_riskassessment c, risk_riskassessment s WHERE s.id = %s AND c.id = ANY(%s) "
            "AND c.payload = s.payload AND c.payload::text = s.payload::text",
            [saved.pk, [r.pk for r in copied]],
        )
        assert cursor.fetchone() == (len(copied),)
    assert RiskAssessment.objects.get(pk=copied[0].pk).payload == {
        **{k: v for k, v in _AWKWARD_JSON.items() if k != 3},
        "3": _AWKWARD_JSON[3],
    }


@postgresql_only
@pytest.mark.parametrize(
    "value", [dt.date(2026, 12, 4), dt.datetime(2026, 12, 4, tzinfo=dt.UTC), object()], ids=["date", "datetime", "object"]
)
def test_a_value_json_dumps_refuses_is_refused_by_the_copy_too(personas: Personas, value: object) -> None:
    case = make_case(personas)
    rows = [
        RiskAssessment(
            case=case,
            case_revision=1,
            inputs_digest=f"x{i}",
            engine_version="e",
            payload={"v": value},
            is_current=False,
            computed_at=NOW,
        )
        for i in range(COPY_MIN_ROWS)
    ]
    with pytest.raises(TypeError, match="is not JSON serializable"), transaction.atomic():
        copy_insert(RiskAssessment, rows)
    assert not RiskAssessment.objects.filter(inputs_digest__startswith="x").exists()
