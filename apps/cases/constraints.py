"""Helpers to state the vocabulary's rules as database CHECK constraints (portable: SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.lookups import LessThanOrEqual

from apps.cases.vocabulary import MIDLINE_SITES, SITE_LEVELS, VERTEBRAL_LEVELS, Laterality, Site


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


def levels_touch_site(site: str, level_from: str, level_to: str) -> Q:
    """The levels touch the spinal region the site names (a span may cross a junction, e.g. T12-L1).

    A CHECK passes when its condition is NULL, so every compared column is also required to be known.
    """

    def known(**lookups: object) -> Q:
        return Q(**lookups, **{f"{name.split('__')[0]}__isnull": False for name in lookups})

    return Q(**{f"{level_from}__isnull": True}) | Q(
        *[
            known(**{site: code.value})
            & (known(**{f"{level_from}__in": sorted(levels)}) | known(**{f"{level_to}__in": sorted(levels)}))
            for code, levels in sorted(SITE_LEVELS.items())
        ],
        _connector=Q.OR,
    )


def laterality_fits_site(site: str, laterality: str) -> Q:
    """Midline sites take ``midline``; the others (but ``other``) take left, right or bilateral.

    A CHECK passes when its condition is NULL (``NOT (site IN ...)`` is NULL for an unknown site), so each
    branch that permits a laterality also requires a known site.
    """
    sided = [Laterality.LEFT.value, Laterality.RIGHT.value, Laterality.BILATERAL.value]
    midline = sorted(s.value for s in MIDLINE_SITES)
    site_known = Q(**{f"{site}__isnull": False})
    return (
        Q(**{f"{laterality}__isnull": True})
        | (site_known & Q(**{f"{site}__in": midline, laterality: Laterality.MIDLINE.value}))
        | (site_known & ~Q(**{f"{site}__in": [*midline, Site.OTHER.value]}) & Q(**{f"{laterality}__in": sided}))
        | (site_known & Q(**{site: Site.OTHER.value}))
    )
