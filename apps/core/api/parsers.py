"""Request parsers that refuse, with a 400 naming the field, what must never reach the database.

* JSON nested deeper than :data:`MAX_JSON_DEPTH`: no clinical payload nests more than a handful of levels
  (case -> lesions -> item -> value is 3), and Python's own parser dies with ``RecursionError`` near 1,000
  levels, which answered 500.
* NUL characters (``\\x00``) in keys or string values: PostgreSQL text cannot hold them (psycopg raises
  ``DataError``, a 500), and no clinical text contains them.
* NaN and Infinity (DRF's strict JSON already refuses the bare tokens; kept strict here).

The same NUL rule for query parameters and form fields lives in :mod:`apps.core.middleware`
(``InputSafetyMiddleware``); both use :func:`nul_errors`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

#: Deepest nesting accepted in a JSON body (objects and arrays both count).
MAX_JSON_DEPTH = 32
NUL = "\x00"
NUL_REASON = "contains a NUL character (\\x00), which is not allowed."


def _visible(key: str) -> str:
    """A key as it can be named back to the caller: the NUL shown as the two characters ``\\x00``."""
    return key.replace(NUL, "\\x00")


def _set(errors: dict[str, Any], path: tuple[str, ...], reason: str) -> None:
    node = errors
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):  # a reason already stands at this level
            return
        node = child
    node.setdefault(path[-1], [reason])


def json_problems(data: Any) -> dict[str, Any]:
    """Field-keyed errors (nested, list items by index) for NUL characters and excess depth, or ``{}``.

    Iterative (an explicit stack), so a deep document cannot exhaust Python's recursion limit here.
    """
    errors: dict[str, Any] = {}
    stack: list[tuple[Any, tuple[str, ...], int]] = [(data, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, Mapping | list) and depth > MAX_JSON_DEPTH:
            return {"body": [f"nested too deep (max {MAX_JSON_DEPTH} levels)."]}
        if isinstance(value, Mapping):
            for key, item in value.items():
                child_path = (*path, _visible(str(key)))
                if NUL in str(key):
                    _set(errors, child_path, "this key " + NUL_REASON)
                    continue
                stack.append((item, child_path, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, (*path, str(index)), depth + 1))
        elif isinstance(value, str) and NUL in value:
            _set(errors, path or ("body",), NUL_REASON)
    return errors


def nul_errors(items: Any) -> dict[str, list[str]]:
    """Errors for a QueryDict-like (query string, form fields): each parameter or field holding a NUL."""
    errors: dict[str, list[str]] = {}
    for key, values in items.lists():
        if NUL in key:
            errors[_visible(key)] = ["this parameter name " + NUL_REASON]
        elif any(isinstance(v, str) and NUL in v for v in values):
            errors[key] = [NUL_REASON]
    return errors


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser with a depth limit and the NUL rule; errors are ``400 {"field": [reason]}``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError({"body": [f"is not valid {encoding} text."]}) from exc
        try:
            parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:
            raise exceptions.ParseError({"body": [f"nested too deep (max {MAX_JSON_DEPTH} levels)."]}) from exc
        except ValueError as exc:
            raise exceptions.ParseError({"body": [f"is not valid JSON: {exc}"]}) from exc
        problems = json_problems(data)
        if problems:
            raise exceptions.ParseError(problems)
        return data


class _FormNulMixin:
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        fields = parsed.data if isinstance(parsed, parsers.DataAndFiles) else parsed
        problems = nul_errors(fields)
        if problems:
            raise exceptions.ParseError(problems)
        return parsed


class SafeFormParser(_FormNulMixin, parsers.FormParser):
    """URL-encoded forms without NUL characters in field names or values."""


class SafeMultiPartParser(_FormNulMixin, parsers.MultiPartParser):
    """Multipart forms without NUL characters in field names or values (file contents: the upload validators)."""


DEFAULT_PARSERS = (SafeJSONParser, SafeFormParser, SafeMultiPartParser)
