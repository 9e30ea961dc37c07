"""The database's own refusal to change the audit trail: triggers on PostgreSQL and on SQLite.

(A third trigger, after each INSERT, moves the chain head to the new entry: ``services.audit_record``
then costs two statements, lock-and-read the head and insert.)

The triggers refuse every UPDATE and DELETE of ``audit_auditentry`` (and, on PostgreSQL, TRUNCATE). They
are installed by migration ``0007`` and re-asserted after every ``migrate`` (``post_migrate``), because
SQLite rebuilds a table, dropping its triggers, whenever a later migration alters one of its columns.

One door stays open, on purpose: ``manage.py flush`` (which empties every table, and which the test
runner uses between transactional tests) runs under ``audit_maintenance()``. On PostgreSQL flush is a
TRUNCATE, and only the TRUNCATE trigger honours the session variable ``tumorboard.audit_maintenance``
(row UPDATE and DELETE have no bypass). SQLite's flush is ``DELETE FROM``: its triggers ask a function
that Django registers on its own connections and that answers from this process's state, so no SQL can
open the door, and a plain ``sqlite3`` client (which lacks the function) is refused too.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditentry"
_MAINTENANCE_SETTING = "tumorboard.audit_maintenance"
_SQLITE_FUNCTION = "tumorboard_audit_maintenance"
_maintenance: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_maintenance", default=False)

_POSTGRES_INSTALL = [
    # Row changes: refused, always. There is no bypass for UPDATE or DELETE on PostgreSQL.
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    # TRUNCATE empties the whole table: refused too, except for ``flush`` (see ``audit_maintenance``).
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
    BEGIN
        IF coalesce(current_setting('{_MAINTENANCE_SETTING}', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    # The chain head follows every insert, in the inserting statement (no extra round trip per entry).
    """
    CREATE OR REPLACE FUNCTION audit_advance_head() RETURNS trigger AS $$
    BEGIN
        UPDATE audit_auditchainhead SET sequence = NEW.sequence, last_hash = NEW.hash WHERE id = 1;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS audit_entry_advance_head ON {TABLE}",
    f"CREATE TRIGGER audit_entry_advance_head AFTER INSERT ON {TABLE} FOR EACH ROW EXECUTE FUNCTION audit_advance_head()",
    f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE}",
    f"CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    f"DROP TRIGGER IF EXISTS audit_entry_no_truncate ON {TABLE}",
    f"CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()",
]
_POSTGRES_REMOVE_HEAD = [
    f"DROP TRIGGER IF EXISTS audit_entry_advance_head ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_advance_head()",
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_entry_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_refuse_truncate()",
]
_SQLITE_INSTALL = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_entry_advance_head AFTER INSERT ON audit_auditentry
    BEGIN UPDATE audit_auditchainhead SET sequence = NEW.sequence, last_hash = NEW.hash WHERE id = 1; END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON {TABLE}
    WHEN {_SQLITE_FUNCTION}() = 0
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON {TABLE}
    WHEN {_SQLITE_FUNCTION}() = 0
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END
    """,
]
_SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_entry_no_update", "DROP TRIGGER IF EXISTS audit_entry_no_delete"]
_SQLITE_REMOVE_HEAD = ["DROP TRIGGER IF EXISTS audit_entry_advance_head"]


def install_append_only(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the triggers; idempotent. Other vendors are refused rather than left open."""
    statements = {"postgresql": _POSTGRES_INSTALL, "sqlite": _SQLITE_INSTALL}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"no append-only trigger for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove_append_only(connection: BaseDatabaseWrapper, *, head: bool = False) -> None:
    """Drop the refusing triggers (the test that shows the hash chain still holds); with ``head`` also the
    trigger that advances the chain head (the reverse migration)."""
    statements = {"postgresql": _POSTGRES_REMOVE, "sqlite": _SQLITE_REMOVE}.get(connection.vendor, [])
    if head:
        statements = statements + {"postgresql": _POSTGRES_REMOVE_HEAD, "sqlite": _SQLITE_REMOVE_HEAD}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def append_only_installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether both refusals are in place."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname IN "
                "('audit_entry_append_only', 'audit_entry_no_truncate') AND tgenabled <> 'D'",
                [TABLE],
            )
            return bool(cursor.fetchone()[0] == 2)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
            "AND name IN ('audit_entry_no_update', 'audit_entry_no_delete')",
            [TABLE],
        )
        return bool(cursor.fetchone()[0] == 2)


def register_sqlite_function(connection: BaseDatabaseWrapper) -> None:
    """Give a SQLite connection the function the triggers ask (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(_SQLITE_FUNCTION, 0, lambda: 1 if _maintenance.get() else 0, deterministic=False)


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    register_sqlite_function(connection)


@contextmanager
def audit_maintenance(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let the triggers through for the duration (``flush`` only: it empties the whole database)."""
    token = _maintenance.set(True)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', false)", [_MAINTENANCE_SETTING])
        yield
    finally:
        _maintenance.reset(token)
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', false)", [_MAINTENANCE_SETTING])
