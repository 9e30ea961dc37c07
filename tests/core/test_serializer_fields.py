"""Model serializers build their fields once per class (issue 16) and hand each instance fields of its own
that are exactly the ones ``ModelSerializer`` builds."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from rest_framework import serializers

from apps.cases.api.serializers import CaseWriteSerializer
from apps.core.api.serializers import StrictModelSerializer


def _every_strict_model_serializer() -> list[type[StrictModelSerializer[Any]]]:
    for config in django_apps.get_app_configs():
        if config.name.startswith("apps."):
            try:
                importlib.import_module(f"{config.name}.api.serializers")
            except ModuleNotFoundError:
                continue
    found: list[type[StrictModelSerializer[Any]]] = []
    pending = list(StrictModelSerializer.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if getattr(getattr(cls, "Meta", None), "model", None) is not None:
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


SERIALIZERS = _every_strict_model_serializer()


def test_every_app_s_model_serializers_are_found() -> None:
    names = {cls.__name__ for cls in SERIALIZERS}
    assert {"CaseWriteSerializer", "LesionSerializer", "PriorRadiotherapySerializer"} <= names
    assert len({cls.__module__ for cls in SERIALIZERS}) >= 2


@pytest.mark.django_db  # the repr of a related field's queryset reads it
@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda cls: cls.__qualname__)
def test_the_fields_are_the_ones_model_serializer_builds(serializer_class: type[StrictModelSerializer[Any]]) -> None:
    built_by_drf = serializers.ModelSerializer.get_fields(serializer_class())
    for _ in range(2):  # the first instance fills the cache, the second is served from it
        fields = serializer_class().get_fields()
        assert list(fields) == list(built_by_drf)
        for name, field in fields.items():
            assert type(field) is type(built_by_drf[name]), name
            assert repr(field) == repr(built_by_drf[name]), name


def test_each_instance_gets_fields_of_its_own() -> None:
    first, second = CaseWriteSerializer(), CaseWriteSerializer()
    first_fields, second_fields = first.fields, second.fields
    for name, field in first_fields.items():
        assert field is not second_fields[name], name
        assert field.parent is first
        assert second_fields[name].parent is second
    lesions_1, lesions_2 = first_fields["lesions"], second_fields["lesions"]
    assert isinstance(lesions_1, serializers.ListSerializer) and isinstance(lesions_2, serializers.ListSerializer)
    child_1, child_2 = lesions_1.child, lesions_2.child
    assert isinstance(child_1, serializers.Serializer) and isinstance(child_2, serializers.Serializer)
    assert child_1 is not child_2
    assert child_1.fields["site"] is not child_2.fields["site"]
    # A change one request makes to its field (as the view narrows the board queryset) stays its own.
    board = first_fields["board"]
    assert isinstance(board, serializers.PrimaryKeyRelatedField)
    board.required = False
    assert second_fields["board"].required is True
    assert CaseWriteSerializer().fields["board"].required is True


@pytest.mark.django_db
def test_validation_errors_still_name_the_field_and_the_codes() -> None:
    body = {"lesions": [{"site": "femurr"}]}
    serializer = CaseWriteSerializer(data=body, context={})
    assert not serializer.is_valid()
    assert set(serializer.errors) >= {"board", "patient", "lesions"}
    site_error = str(serializer.errors["lesions"][0]["site"][0])
    assert "femurr" in site_error and "femur" in site_error
    again = CaseWriteSerializer(data=body, context={})
    assert not again.is_valid()
    assert again.errors == serializer.errors
