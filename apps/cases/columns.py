"""Model columns built from the field table (``apps.cases.fields``): choices, nullability and help.

The storage details (``max_length``, a ``verbose_name`` the admin has always shown) stay in the model;
everything a field means comes from its ``ClinicalField``. The table's kinds map to the columns the
database already has, so the migrations do not change.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from apps.cases.fields import ClinicalField, Entity, Kind, field_of
from apps.cases.vocabulary import choices


def code_choices(row: ClinicalField) -> list[tuple[str, str]]:
    """Django ``choices`` for a coded field: (code, label), the label in words unless the table names it."""
    if row.enum is not None and row.code_labels is None:
        return choices(row.enum)
    labels = row.code_labels or {}
    return [(code, labels.get(code, code)) for code in row.code_values]


def model_field(entity: Entity, name: str, **column: Any) -> models.Field[Any, Any]:
    """The model column of ``entity.name``; ``column`` adds storage details (``max_length``, ``verbose_name``)."""
    row = field_of(entity, name)
    if row.help:
        column.setdefault("help_text", row.help)
    nullable: dict[str, Any] = {"null": True, "blank": True} if row.nullable else {}
    if row.kind is Kind.TEXT:
        blank: dict[str, Any] = {"blank": True} if not row.required else {}
        if "max_length" in column:
            return models.CharField(**blank, **column)
        return models.TextField(**blank, **column)
    if row.kind is Kind.CODE:
        coded: dict[str, Any] = {"blank": True} if row.extra.get("blank") else nullable
        return models.CharField(choices=code_choices(row), **coded, **column)
    if row.kind is Kind.CODES:
        return models.JSONField(**nullable, **column)
    if row.kind is Kind.BOOLEAN:
        return models.BooleanField(default=None if row.nullable else False, **nullable, **column)
    if row.kind is Kind.INTEGER:
        return models.PositiveSmallIntegerField(**nullable, **column)
    if row.kind is Kind.NUMBER:
        return models.FloatField(**nullable, **column)
    if row.kind is Kind.DATE:
        return models.DateField(**nullable, **column)
    raise ValueError(f"{entity}.{name}: no column for kind {row.kind}")
