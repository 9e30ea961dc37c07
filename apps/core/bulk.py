"""Bulk upserts of many narrow-to-medium rows through PostgreSQL's ``COPY`` (issue 16).

Django 5.2's ``bulk_create(update_conflicts=True)`` inserts several rows on PostgreSQL as ``INSERT ...
SELECT * FROM UNNEST(%s::jsonb[], ...)``. With psycopg's client-side binding every element of a text or
``jsonb`` array literal is escaped in Python (``ListDumper._dump_list``: one ``re.sub`` template expansion
per double quote), and server-side binding does not help: the array is still dumped as text. For a
recompute chunk's 3,800 trial matches (1.2 KB of JSON each) that was 0.4 s of CPU per chunk, a third of
the chunk. ``COPY ... FROM STDIN`` sends the same rows in the copy text format, escaped by psycopg's C
extension, into a staging table that lives only until commit; one ``INSERT ... ON CONFLICT`` moves them
into the table. Same rows, same ``jsonb`` (the JSON text written by orjson, ``_copy_json``), a
tenth of the client CPU and a third of the database time (``docs/performance.md`` "Recompute, round 4").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson
from django.db import connection, models

#: orjson as ``json.dumps`` behaves for what it refuses: dataclasses and dates are not JSON (the engines
#: hand over plain data), and non-string keys become strings as ``json.dumps`` makes them.
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _copy_json(field: models.JSONField[Any]) -> Callable[[Any], Any]:
    """How a copied row carries ``field``'s value: the JSON text, which the ``jsonb`` column parses.

    A field without an encoder of its own gets orjson's text: the same ``jsonb`` as ``json.dumps`` gives
    (the column stores the parsed value, not the text), in a fifth to a tenth of the time for the engines'
    1-21 KB payloads, which were 14 % of a recompute chunk's CPU (issue 16, ``docs/performance.md``
    "Recompute, round 6"). JSON has no NaN or infinity: ``json.dumps`` wrote them and the database refused
    the row; orjson writes ``null``. The engines' values are bounded numbers of validated inputs. A
    field with an encoder keeps it (its adapter, as Django binds it)."""
    if field.encoder is not None:
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: None if value is None else orjson.dumps(value, default=_refuse, option=_ORJSON_OPTIONS).decode()


def _logged(cursor: Any, sql: str) -> AbstractContextManager[None]:
    """A ``COPY`` goes past Django's cursor wrapper: log it like any statement (the debug cursor's
    ``queries_log``, which query counts and SQL logs read) when the connection logs queries."""
    debug_sql = getattr(cursor, "debug_sql", None)
    return debug_sql(sql) if debug_sql is not None else nullcontext()


def _columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    """The quoted columns of ``model``'s fields ``names`` (foreign keys by their attname or name)."""
    qn = connection.ops.quote_name
    columns = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{model.__name__}.{name} is not a column")
        columns.append(qn(field.column))
    return columns


def _copy_rows(cursor: Any, model: type[models.Model], target: str, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``COPY`` ``rows`` (tuples in the order of ``fields``) into the table ``target`` (quoted)."""
    meta = model._meta
    # JSON as its text (``_copy_json``); other values as they are.
    json_fields = {
        i: _copy_json(f) for i, f in enumerate(meta.get_field(name) for name in fields) if isinstance(f, models.JSONField)
    }
    json_positions = list(json_fields)
    sql = f"COPY {target} ({', '.join(_columns(model, fields))}) FROM STDIN"
    # The raw psycopg cursor's errors become Django's (an IntegrityError, not psycopg's UniqueViolation).
    with connection.wrap_database_errors, _logged(cursor, sql), cursor.cursor.copy(sql) as copy:
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    row[i] = json_fields[i](row[i])
            copy.write_row(row)


def _check_copy(name: str) -> None:
    if connection.vendor != "postgresql":
        raise NotImplementedError(f"{name} is PostgreSQL only; use bulk_create elsewhere")
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside a transaction")


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
    _check_copy("copy_upsert")
    qn = connection.ops.quote_name
    columns = ", ".join(_columns(model, fields))
    table = qn(model._meta.db_table)
    stage = qn(f"copy_upsert_{model._meta.db_table}")
    conflict = ", ".join(_columns(model, unique_fields))
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in _columns(model, update_fields))
    with connection.cursor() as cursor:
        # Same column types as the table; IF NOT EXISTS: a second call in one transaction finds it empty.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608  # nosec B608 - names from the model
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        _copy_rows(cursor, model, stage, fields, rows)
        # The DELETE empties the staging table as its rows are moved: one statement, nothing left behind.
        cursor.execute(
            f"WITH staged AS (DELETE FROM {stage} RETURNING {columns}) "  # noqa: S608  # nosec B608 - names from the model
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM staged "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )


def copy_new_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """``COPY`` ``rows`` (as for ``copy_upsert``) straight into ``model``'s table: for rows the caller knows
    are new, because it holds the locks every writer of those rows takes and has read that none exists.
    Half the database work of ``copy_upsert`` (no staging table, no second statement), which a first
    computation of every derived result spends on each of its half a million trial matches (issue 16).
    Were a row there after all, the table's unique constraint fails the transaction: nothing is
    overwritten or duplicated. The columns left out (the primary key) take their defaults. PostgreSQL
    only, inside a transaction."""
    _check_copy("copy_new_rows")
    with connection.cursor() as cursor:
        _copy_rows(cursor, model, connection.ops.quote_name(model._meta.db_table), fields, rows)


def _prep_save(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    return lambda value: field.get_db_prep_save(value, connection)


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
        # Each value as bulk_create prepares it; JSON as its text (``_copy_json``).
        prepare: list[Callable[[Any], Any]] = [
            _copy_json(f) if isinstance(f, models.JSONField) else _prep_save(f) for f in fields
        ]
        with connection.wrap_database_errors, _logged(cursor, sql), cursor.cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row([prep(f.pre_save(obj, True)) for prep, f in zip(prepare, fields, strict=True)])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
