"""Reads whose SQL Django builds and compiles once per thread: only the one bound value changes (issue 16).

Building a queryset and compiling its SQL was about 40 % of the case detail's CPU (``SQLCompiler.as_sql``
for statements such as the stored options' six correlated subqueries), although the statement is the same
on every request but for the case id. A :class:`CompiledRead` is declared with a function that builds the
queryset for a value (``lambda case_id: Model.objects.filter(case_id=case_id).values(...)``); on first use
in a thread it compiles it twice, with two placeholder values, and keeps the SQL, the constant parameters
and where the value goes. Each read then binds the value, runs the statement through Django's cursor (query
logging, ``django_assert_num_queries`` and execute wrappers see it as before) and applies the compiler's own
converters, so a row holds exactly what ``queryset.values()`` would have returned.

It refuses (``ValueError``) a queryset whose SQL or other parameters depend on the value or on when it was
built (a ``timezone.now()``, a list whose length varies): those must stay ordinary querysets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

#: Two values no row has (ids are positive), inside a 32-bit integer so Django's lookups keep them (an
#: out-of-range integer makes a lookup match nothing and leaves it out of the SQL); and two for text.
_PLACEHOLDERS: dict[type, tuple[Any, Any]] = {
    int: (-2_147_000_001, -2_147_000_003),
    str: ("~compiled-read-placeholder-1~", "~compiled-read-placeholder-2~"),
}


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]
    names: tuple[str, ...]
    compiler: SQLCompiler


def _compile(queryset: QuerySet[Any], using: str) -> tuple[str, tuple[Any, ...], tuple[str, ...], SQLCompiler]:
    query = queryset.query
    if not query.values_select and not query.annotation_select:
        raise ValueError("a CompiledRead builds a .values() queryset (its rows are dicts)")
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    # As Django's ValuesIterable names the columns (``selected`` keeps the order values() was given).
    names = tuple(query.selected) if query.selected else (*query.extra_select, *query.values_select, *query.annotation_select)
    return sql, tuple(params), names, compiler


class CompiledRead:
    """A ``.values()`` read by one value (a case id; a text with ``value_type=str``), compiled once per
    thread and database."""

    def __init__(self, build: Callable[[Any], QuerySet[Any]], *, using: str = DEFAULT_DB_ALIAS, value_type: type = int) -> None:
        self._build = build
        self._using = using
        self._placeholders = _PLACEHOLDERS[value_type]
        self._local = threading.local()

    @property
    def using(self) -> str:
        return self._using

    def _statement(self) -> _Statement:
        connection = connections[self._using]
        cached = getattr(self._local, "cached", None)
        if cached is not None and cached[0] is connection:
            return cached[1]
        first, second = (_compile(self._build(value), self._using) for value in self._placeholders)
        sql, params, names, compiler = first
        if second[0] != sql or len(second[1]) != len(params) or second[2] != names:
            raise ValueError("the queryset's SQL depends on the value: keep it an ordinary queryset")
        slots = []
        for index, (a, b) in enumerate(zip(params, second[1], strict=True)):
            if (a, b) == self._placeholders:
                slots.append(index)
            elif a != b:
                raise ValueError(f"parameter {index} changes between builds ({a!r}, {b!r}): keep it an ordinary queryset")
        if not slots:
            raise ValueError("the queryset does not use its value")
        statement = _Statement(sql, params, tuple(slots), names, compiler)
        self._local.cached = (connection, statement)
        return statement

    def tuples(self, value: Any) -> list[tuple[Any, ...]]:
        """The rows for ``value`` as ``build(value).values_list()`` would return them."""
        statement = self._statement()
        params: list[Any] = list(statement.params)
        for slot in statement.slots:
            params[slot] = value
        with connections[self._using].cursor() as cursor:
            cursor.execute(statement.sql, params)
            fetched: Any = cursor.fetchall()
        return [tuple(row) for row in statement.compiler.results_iter([fetched])]

    def rows(self, value: Any) -> list[dict[str, Any]]:
        """The rows for ``value`` as ``build(value).values()`` would return them."""
        names = self._statement().names
        return [dict(zip(names, row, strict=True)) for row in self.tuples(value)]

    def first(self, value: Any) -> dict[str, Any] | None:
        found = self.rows(value)
        return found[0] if found else None
