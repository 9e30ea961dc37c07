"""Migration operations shared by every app."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

#: The TOAST compression of the engines' stored results: lz4 compresses a 20 KB payload in about half
#: pglz's time (a recompute chunk's database CPU -20 %, issue 16) and decompresses it faster on every read.
RESULT_COMPRESSION = "lz4"


class CompressColumn(Operation):
    """PostgreSQL: compress the large values of ``model_name.name`` with ``method`` (``SET COMPRESSION``).

    Only values written afterwards are compressed so; older ones are read as they were stored. A server
    built without the method keeps its default (``pglz``), as it lists only the methods it has in
    ``pg_settings``. Other databases: nothing (SQLite does not compress). Reversed to the server default.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, name: str, method: str = RESULT_COMPRESSION) -> None:
        self.model_name, self.name, self.method = model_name, name, method

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name, self.name], {"method": self.method})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass  # storage only: the model state does not change

    def _set(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState, method: str) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        if method != "default":
            with connection.cursor() as cursor:
                cursor.execute("SELECT %s = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'", [method])
                row = cursor.fetchone()
            if not row or not row[0]:
                return
        model = state.apps.get_model(app_label, self.model_name)
        qn = connection.ops.quote_name
        column = model._meta.get_field(self.name).column
        schema_editor.execute(f"ALTER TABLE {qn(model._meta.db_table)} ALTER COLUMN {qn(column)} SET COMPRESSION {method}")

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._set(app_label, schema_editor, to_state, self.method)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._set(app_label, schema_editor, to_state, "default")

    def describe(self) -> str:
        return f"Compress {self.model_name}.{self.name} with {self.method}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_{self.name}_{self.method}"
