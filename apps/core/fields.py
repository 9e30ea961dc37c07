"""Model fields shared by the apps.

``PayloadJSONField`` is the column of a stored engine result (and of the audit trail's before/after): JSON
written many rows at a time by a recompute chunk's ``bulk_create``.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class PayloadJSONField(models.JSONField):
    """A ``JSONField`` bound as one parameter per row in bulk inserts, never inside an array.

    Django 5.2 inserts several rows on PostgreSQL as ``SELECT * FROM UNNEST(%s::jsonb[], ...)``: every
    column's values go as one array literal, and psycopg's client-side binding escapes each element of a
    text array with ``re.sub(rb'(["\\\\])', rb"\\\\\\1", ...)``, a Python-level template expansion for every
    double quote of the JSON. For the engines' payloads (1-21 KB of JSON each, a quote every few bytes)
    that escaping was 60-75 % of a recompute chunk's CPU (issue 16, ``docs/performance.md`` "Recompute,
    round 3"). A field that defines ``get_placeholder`` makes Django use the ``VALUES (%s, ...)`` form
    (``SQLInsertCompiler.assemble_as_sql``), where the JSON is quoted by libpq's escaping in C: the same
    rows, the same stored ``jsonb``, about a fifth of the CPU. Nothing changes in the database (no column
    type, no constraint), so the migration that switches a column to this field is a no-op.
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
