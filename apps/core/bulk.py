"""Bulk upserts of many narrow-to-medium rows through PostgreSQL's ``COPY`` (issue 16).

Django 5.2's ``bulk_create(update_conflicts=True)`` inserts several rows on PostgreSQL as ``INSERT ...
SELECT * FROM UNNEST(%s::jsonb[], ...)``. With psycopg's client-side binding every element of a text or
``jsonb`` array literal is escaped in Python (``ListDumper._dump_list``: one ``re.sub`` template expansion
per double quote), and server-side binding does not help: the array is still dumped as text. For a
recompute chunk's 3,800 trial matches (1.2 KB of JSON each) that was 0.4 s of CPU per chunk, a third of
the chunk. ``COPY ... FROM STDIN`` sends the same rows in the copy text format, escaped by psycopg's C
extension, into a staging table that lives only until commit; one ``INSERT ... ON CONFLICT`` moves them
into the table. Same rows, same ``jsonb`` (the JSON text is produced by the field's own adapter), a
tenth of the client CPU and a third of the database time (``docs/performance.md`` "Recompute, round 4").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import connection, models


def _logged(cursor: Any, sql: str) -> AbstractContextManager[None]:
    """A ``COPY`` goes past Django's cursor wrapper: log it like any statement (the debug cursor's
    ``queries_log``, which query counts and SQL logs read) when the connection logs queries."""
    debug_sql = getattr(cursor, "debug_sql", None)
    return debug_sql(sql) if debug_sql is not None else nullcontext()


def copy_upsert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> None:
    """Insert ``rows`` (tuples of Python values in the order of ``fields``, foreign keys as ids by their
    attname, e.g. ``case_id``) into ``model``'s table, updating ``update_fields`` of a row whose
    ``unique_fields`` already exist. PostgreSQL only, inside a transaction (the staging table is dropped
    at commit). No model instance is built, no ``save`` signal is sent and no primary key is returned:
    for derived rows that are only written. Duplicate unique keys within ``rows`` are an error, as in one
    ``INSERT ... ON CONFLICT DO UPDATE``.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_upsert is PostgreSQL only; use bulk_create elsewhere")
    if not connection.in_atomic_block:
        raise RuntimeError("copy_upsert must run inside a transaction (its staging table is dropped at commit)")
    meta = model._meta
    qn = connection.ops.quote_name

    def column(name: str) -> str:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{model.__name__}.{name} is not a column")
        return qn(field.column)

    columns = ", ".join(column(name) for name in fields)
    table = qn(meta.db_table)
    stage = qn(f"copy_upsert_{meta.db_table}")
    conflict = ", ".join(column(name) for name in unique_fields)
    updates = ", ".join(f"{column(name)} = EXCLUDED.{column(name)}" for name in update_fields)
    # JSON goes through the field's own adapter (the same json.dumps Django binds); other values as they are.
    json_fields = {i: f for i, f in enumerate(meta.get_field(name) for name in fields) if isinstance(f, models.JSONField)}
    json_positions = list(json_fields)
    with connection.cursor() as cursor:
        # Same column types as the table; IF NOT EXISTS: a second call in one transaction finds it empty.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608  # nosec B608 - names from the model
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        sql = f"COPY {stage} ({columns}) FROM STDIN"
        with _logged(cursor, sql), cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = json_fields[i].get_db_prep_save(row[i], connection)
                copy.write_row(row)
        # The DELETE empties the staging table as its rows are moved: one statement, nothing left behind.
        cursor.execute(
            f"WITH staged AS (DELETE FROM {stage} RETURNING {columns}) "  # noqa: S608  # nosec B608 - names from the model
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM staged "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )


#: Fewer rows than this are inserted by ``bulk_create``: one ``INSERT`` is one round trip, the ``COPY``
#: path two (the ids, then the rows), which only pays for itself on a recompute chunk's many rows.
COPY_MIN_ROWS = 10


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """``model.objects.bulk_create(objs)``, through ``copy_insert`` on PostgreSQL for ``COPY_MIN_ROWS`` rows
    or more (inside a transaction). Either way every object has its primary key afterwards."""
    if connection.vendor == "postgresql" and len(objs) >= COPY_MIN_ROWS and connection.in_atomic_block:
        copy_insert(model, objs)
    else:
        model._default_manager.bulk_create(objs)


def copy_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new ``objs`` with ``COPY ... FROM STDIN``: what ``bulk_create`` stores, without compiling an
    ``INSERT`` of thousands of parameters (Django) and splitting and dumping it (psycopg) in Python, which
    was a fifth of a recompute chunk's CPU for its risk, options, lesion and audit rows (issue 16).

    The primary keys are drawn first from the table's identity sequence (ascending, in the order of
    ``objs``, as ``bulk_create`` gives them) and set on the objects, so rows that refer to them can be
    built next. Values are prepared by each field as ``bulk_create`` prepares them (``pre_save``,
    ``get_db_prep_save``); row triggers, constraints and defaults of the table apply as to an ``INSERT``.
    No signals are sent (neither does ``bulk_create``). PostgreSQL only, inside a transaction.
    """
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_insert is PostgreSQL only; use bulk_create elsewhere")
    if not objs:
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    qn = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    columns = ", ".join(qn(f.column) for f in fields)
    for obj in objs:  # as bulk_create: a related object saved since assignment gives its id, an unsaved one fails
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]  # not in the stubs
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (new_id,) in zip(missing, sorted(cursor.fetchall()), strict=True):
                obj.pk = new_id
        sql = f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"
        with _logged(cursor, sql), cursor.cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
