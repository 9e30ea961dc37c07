"""Shared serializer bases of every app's API.

``StrictFieldsMixin`` (issue 15): a request body naming a field the serializer does not take is refused
with ``400 {"field": ["unknown field"]}``, and one naming a read-only field with ``["read-only field"]``,
instead of being silently ignored (a typo such as ``"ecgo": 3`` otherwise looks saved to the caller).
Nested serializers and list items check their own keys, so the error is nested where the key was
(``{"lesions": {"0": {"sitee": ["unknown field"]}}}``). Every writable serializer derives from
``StrictSerializer`` or ``StrictModelSerializer`` (``CodeModelSerializer`` is one).

Views whose body is validated by an engine or a service rather than by a serializer (the dose calculators,
decision drafts, trial definitions, bodiless actions) call ``refuse_unknown_fields`` with the body's
schema serializer (or the names it takes) first: the same check, the same messages, before anything else.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar, cast

from django.db.models import Model
from rest_framework import serializers

from apps.core.api.fields import CodeChoiceField
from apps.core.errors import READ_ONLY_FIELD as READ_ONLY_FIELD
from apps.core.errors import UNKNOWN_FIELD as UNKNOWN_FIELD


def _level_errors(data: Mapping[Any, Any], fields: Mapping[str, serializers.Field[Any, Any, Any, Any]]) -> dict[str, Any]:
    """The keys of one level of a body that ``fields`` does not take, each with its reason."""
    errors: dict[str, Any] = {}
    for key in data:
        field = fields.get(key) if isinstance(key, str) else None
        if field is None:
            errors[str(key)] = [UNKNOWN_FIELD]
        elif field.read_only:
            errors[str(key)] = [READ_ONLY_FIELD]
    return errors


def _nested_errors(schema: serializers.BaseSerializer[Any], data: Any) -> dict[Any, Any]:
    """``_level_errors`` of every level ``schema`` describes, nested as DRF nests its errors."""
    if isinstance(schema, serializers.ListSerializer):
        if not isinstance(data, list):
            return {}
        items = {index: _nested_errors(schema.child, item) for index, item in enumerate(data)}  # type: ignore[arg-type]
        return {index: errors for index, errors in items.items() if errors}
    # Only strict serializers close their level: a plain one documents an open shape (a decision action's
    # details depend on its kind and are checked by the service).
    if not isinstance(schema, StrictFieldsMixin) or not isinstance(data, Mapping):
        return {}
    assert isinstance(schema, serializers.Serializer)
    errors: dict[Any, Any] = _level_errors(data, schema.fields)
    if errors:
        return errors  # as the mixin does: the keys first, the values of a level only once its keys are right
    for name, field in schema.fields.items():
        if name in data and isinstance(field, serializers.BaseSerializer):
            inner = _nested_errors(field, data[name])
            if inner:
                errors[name] = inner
    return errors


def refuse_unknown_fields(body: Any, schema: serializers.BaseSerializer[Any] | Collection[str]) -> None:
    """Raise ``400 {"field": ["unknown field"]}`` (``["read-only field"]``) for each key of ``body`` that its
    schema serializer does not take, nested where it was; or, given names, for each key not among them
    (``()``: an action that takes no body). Values are not checked: the caller's engine or service does."""
    if isinstance(schema, serializers.BaseSerializer):
        errors = _nested_errors(schema, body)
    elif isinstance(body, Mapping):
        errors = {str(key): [UNKNOWN_FIELD] for key in body if key not in schema}
    else:
        errors = {}
    if errors:
        raise serializers.ValidationError(errors)


class StrictFieldsMixin:
    """Refuses unknown and read-only keys of a body with a 400 naming each of them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = _level_errors(data, cast(serializers.Serializer[Any], self).fields)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


_IN = TypeVar("_IN")
_MT = TypeVar("_MT", bound=Model)


class StrictSerializer(StrictFieldsMixin, serializers.Serializer[_IN]):
    """A plain serializer that refuses unknown and read-only keys."""


#: Each model serializer class's fields as ``ModelSerializer.get_fields`` built them, unbound (issue 16).
_BUILT_FIELDS: dict[type, dict[str, serializers.Field[Any, Any, Any, Any]]] = {}


def _fresh(field: serializers.Field[Any, Any, Any, Any]) -> serializers.Field[Any, Any, Any, Any]:
    """A new, unbound instance of ``field`` made with the arguments it was made with, as DRF's own
    ``Field.__deepcopy__`` makes one, but sharing those arguments (choices, querysets, validators: read,
    never changed, by the field) instead of deep-copying them; a nested serializer's child is made anew."""
    made: Any = field
    kwargs: dict[str, Any] = {
        key: _fresh(value) if isinstance(value, serializers.Field) else value for key, value in made._kwargs.items()
    }
    return cast(serializers.Field[Any, Any, Any, Any], field.__class__(*made._args, **kwargs))


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer[_MT]):
    """A ModelSerializer that refuses unknown and read-only keys.

    Its fields are built from the model once per class and made anew from those for each instance:
    ``ModelSerializer`` otherwise introspects the model and works out every field's arguments again on
    every request, and DRF's deep copy of the arguments (the code lists of every choice field) costs nearly
    as much (together about 3.5 ms of a case creation's CPU, with the nested lesions and prior courses).
    What it builds depends on the class alone (its ``Meta`` and declared fields), never on the instance or
    its context.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        built = _BUILT_FIELDS.get(type(self))
        if built is None:
            # Two threads may both build it once; either result is the same.
            built = _BUILT_FIELDS[type(self)] = super().get_fields()
        return {name: _fresh(field) for name, field in built.items()}


class CodeModelSerializer(StrictModelSerializer[Any]):
    """ModelSerializer whose choice fields name the allowed codes in their errors, strict about its keys."""

    serializer_choice_field = CodeChoiceField
