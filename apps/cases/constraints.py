"""Helpers to state the vocabulary's rules as database CHECK constraints (portable: SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.lookups import LessThanOrEqual

from apps.cases.vocabulary import VERTEBRAL_LEVELS


def in_enum(field: str, enum: type[StrEnum] | Iterable[str], *, nullable: bool = True) -> Q:
    values = [str(v) for v in enum]
    condition = Q(**{f"{field}__in": values})
    return condition | Q(**{f"{field}__isnull": True}) if nullable else condition


def level_index(field: str) -> Case:
    """The cranio-caudal position of a vertebral level stored as its code (C1 = 0 ... coccyx = 24)."""
    return Case(
        *(When(**{field: level}, then=Value(i)) for i, level in enumerate(VERTEBRAL_LEVELS)),
        output_field=IntegerField(),
    )


def levels_in_order(level_from: str, level_to: str) -> Q:
    return Q(**{f"{level_to}__isnull": True}) | Q(LessThanOrEqual(level_index(level_from), level_index(level_to)))
