"""Issue 15 "Backups": pg_dump, pg_restore into an empty database, then the audit chain verifies there.

The commands are the ones in docs/backup.md. PostgreSQL only (marked ``services``); it fails, never skips,
without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.audit.services import audit_record
from tests.cases.test_case_api import create_case
from tests.conftest import ROOT, Personas
from tests.factories import CaseFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"] or "",
    }


def run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env or _env(), capture_output=True, text=True, timeout=300, check=False)  # noqa: S603


def verify(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tumorboard.settings.base"}
    return run(sys.executable, str(ROOT / "manage.py"), "verify_audit_chain", env=env)


@pytest.fixture
def restored_name() -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.fail("the backup test needs PostgreSQL: set DATABASE_URL (see README / .ci/run)")
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    run("dropdb", "--if-exists", name)
    yield name
    run("dropdb", "--if-exists", "--force", name)


def test_a_backup_restored_into_an_empty_database_verifies(personas: Personas, restored_name: str, tmp_path: Path) -> None:
    # Given a trail with clinical writes, a read and a sign-in, committed
    created = create_case(personas)
    personas.client(personas.radonc).get(f"/api/v1/cases/{created['id']}/")
    case = CaseFactory(board=personas.board)
    with transaction.atomic():
        for i in range(20):
            audit_record(actor=personas.radonc, event=AuditEvent.CASE_UPDATED, subject=case, after={"dose_gy": 8.0 + i / 3})
    count = AuditEntry.objects.count()
    assert count >= 23

    # When the database is dumped and restored into an empty one (docs/backup.md)
    dump = tmp_path / "tumorboard.dump"
    dumped = run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", connection.settings_dict["NAME"])
    assert dumped.returncode == 0, dumped.stderr
    assert run("createdb", "--template=template0", restored_name).returncode == 0
    restored = run("pg_restore", "--exit-on-error", "--no-owner", f"--dbname={restored_name}", str(dump))
    assert restored.returncode == 0, restored.stderr

    # Then the restored chain verifies, entry for entry
    result = verify(_url(restored_name))
    assert result.returncode == 0, result.stderr
    assert f"audit chain intact: {count} entries" in result.stdout

    # and the restored copy still refuses changes to the trail
    with psycopg.connect(_url(restored_name), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("UPDATE audit_auditentry SET reason = 'edited after restore'")
        # and tampering behind a dropped trigger is found there too
        conn.execute("DROP TRIGGER audit_entry_append_only ON audit_auditentry")
        conn.execute("UPDATE audit_auditentry SET after = '{\"dose_gy\": 80}' WHERE sequence = 10")
    tampered = verify(_url(restored_name))
    assert tampered.returncode == 1
    assert "(sequence 10)" in tampered.stderr and "does not match" in tampered.stderr
    # the source database was not touched
    assert verify(_url(connection.settings_dict["NAME"])).returncode == 0
