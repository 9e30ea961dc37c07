"""Shared serializer bases of every app's API.

``StrictFieldsMixin`` (issue 15): a request body naming a field the serializer does not take is refused
with ``400 {"field": ["unknown field"]}``, and one naming a read-only field with ``["read-only field"]``,
instead of being silently ignored (a typo such as ``"ecgo": 3`` otherwise looks saved to the caller).
Nested serializers and list items check their own keys, so the error is nested where the key was
(``{"lesions": {"0": {"sitee": ["unknown field"]}}}``). Every writable serializer derives from
``StrictSerializer`` or ``StrictModelSerializer`` (``CodeModelSerializer`` is one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from django.db.models import Model
from rest_framework import serializers

from apps.core.api.fields import CodeChoiceField

UNKNOWN_FIELD = "unknown field"
READ_ONLY_FIELD = "read-only field"


class StrictFieldsMixin:
    """Refuses unknown and read-only keys of a body with a 400 naming each of them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            fields = cast(serializers.Serializer[Any], self).fields
            writable = {name for name, field in fields.items() if not field.read_only}
            known = set(fields)
            errors: dict[str, list[str]] = {}
            for key in data:
                if key in writable:
                    continue
                errors[str(key)] = [READ_ONLY_FIELD if key in known else UNKNOWN_FIELD]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


_IN = TypeVar("_IN")
_MT = TypeVar("_MT", bound=Model)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer[_IN]):
    """A plain serializer that refuses unknown and read-only keys."""


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer[_MT]):
    """A ModelSerializer that refuses unknown and read-only keys."""


class CodeModelSerializer(StrictModelSerializer[Any]):
    """ModelSerializer whose choice fields name the allowed codes in their errors, strict about its keys."""

    serializer_choice_field = CodeChoiceField
