"""Every concrete model of ``apps/`` has a factory in ``tests/factories.py`` that saves a valid row."""

from __future__ import annotations

import factory
import pytest
from django.apps import apps as django_apps
from django.db import models

from tests import factories


def _our_models() -> list[type[models.Model]]:
    return [
        m for m in django_apps.get_models() if m.__module__.startswith("apps.") and not m._meta.abstract and not m._meta.proxy
    ]


def _factories() -> dict[type[models.Model], type[factory.django.DjangoModelFactory]]:
    found = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory) and value._meta.model:
            found.setdefault(value._meta.model, value)
    return found


def test_every_model_has_a_factory() -> None:
    missing = sorted(m._meta.label for m in _our_models() if m not in _factories())
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_each_factory_saves_a_valid_row(model: type[models.Model]) -> None:
    row = _factories()[model]()
    assert row.pk is not None
    row.refresh_from_db()
    row.full_clean()
    assert model.objects.filter(pk=row.pk).exists()
