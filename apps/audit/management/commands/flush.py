"""``manage.py flush``, with the audit table's triggers let through: flush empties *every* table.

Django's ``flush`` (also what the test runner calls between transactional tests) is a TRUNCATE on
PostgreSQL and ``DELETE FROM`` on SQLite, both refused by the append-only triggers. Emptying the whole
database is a deliberate operator act outside the trail's protection (as dropping the database is);
this override runs it under ``apps.audit.db.audit_maintenance`` and is the only code that does.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from apps.audit.db import audit_maintenance


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with audit_maintenance(connections[options["database"]]):
            super().handle(**options)
