"""The vocabulary's and the field table's rules as database CHECK constraints (portable: SQLite and PostgreSQL).

Per-field constraints are generated from ``apps.cases.fields`` (``field_constraints``); the cross-field
rules (levels in order, levels touching the site, laterality fitting the site) are the helpers below.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db.models import Case, CheckConstraint, IntegerField, Q, Value, When
from django.db.models.lookups import LessThanOrEqual

from apps.cases.fields import AppliesTo, ClinicalField, Entity, Kind, applicability_groups, field_of, fields_of
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


def structured_target_constraints(prefix: str) -> list[CheckConstraint]:
    """The cross-field rules of a structured target (site, vertebral levels, laterality; clinical-rules.md
    §1 and §7), named ``<prefix>_...``: shared by a lesion, a prior course and a planned course, so the three
    cannot drift apart. The per-field codes are each model's own (the field table or ``in_enum``)."""
    return [
        CheckConstraint(condition=Q(level_to__isnull=True) | Q(level_from__isnull=False), name=f"{prefix}_level_to_needs_from"),
        CheckConstraint(condition=levels_in_order("level_from", "level_to"), name=f"{prefix}_levels_in_order"),
        # The levels must touch the spinal region named by the site (no T4-T5 on a lumbar lesion); a span may
        # cross a junction (T12-L1 filed as thoracic or lumbar), see rules.lesion_errors.
        CheckConstraint(condition=levels_touch_site("site", "level_from", "level_to"), name=f"{prefix}_levels_touch_site"),
        CheckConstraint(condition=laterality_fits_site("site", "laterality"), name=f"{prefix}_laterality_fits_site"),
    ]


# --- constraints derived from the field table (``apps.cases.fields``) ------------------------------------


def _known(name: str, row: ClinicalField | None) -> dict[str, bool]:
    """``{name__isnull: False}`` when ``name`` may be NULL: a CHECK passes when its condition is NULL."""
    return {} if row is not None and row.required else {f"{name}__isnull": False}


def _range(row: ClinicalField) -> dict[str, float]:
    """The bounds the column does not already enforce (a positive integer column is never negative)."""
    bounds: dict[str, float] = {}
    if row.minimum is not None and not (row.kind is Kind.INTEGER and row.minimum == 0):
        bounds[f"{row.name}__{'gt' if row.exclusive_minimum else 'gte'}"] = row.minimum
    if (high := row.entry_high) is not None:
        bounds[f"{row.name}__lte"] = high
    return bounds


def _code_check(row: ClinicalField, prefix: str) -> CheckConstraint | None:
    if row.kind is not Kind.CODE:
        return None
    name = f"{prefix}_{row.check_name}_valid"
    if row.extra.get("blank"):
        return CheckConstraint(condition=Q(**{row.name: ""}) | Q(**{f"{row.name}__in": list(row.code_values)}), name=name)
    return CheckConstraint(condition=in_enum(row.name, row.code_values, nullable=row.nullable), name=name)


def _value_check(row: ClinicalField, prefix: str) -> CheckConstraint | None:
    """Ranges and scales; a range of a field that applies only somewhere is part of its applicability."""
    if row.kind is Kind.TEXT and row.required:
        return CheckConstraint(condition=~Q(**{row.name: ""}), name=f"{prefix}_{row.check_name}_present")
    if row.values:
        return CheckConstraint(
            condition=Q(**{f"{row.name}__isnull": True}) | Q(**{f"{row.name}__in": list(row.values)}),
            name=f"{prefix}_{row.check_name}_valid",
        )
    bounds = _range(row) if row.kind in (Kind.INTEGER, Kind.NUMBER) else {}
    if not bounds or _range_is_folded(row):
        return None
    condition = Q(**bounds) if row.required else Q(**{f"{row.name}__isnull": True}) | Q(**bounds)
    return CheckConstraint(condition=condition, name=f"{prefix}_{row.check_name}_range")


def _range_is_folded(row: ClinicalField) -> bool:
    """A field that applies only for a nullable governor states its range in its applicability constraint."""
    return row.applies_to is not None and not field_of(row.entity, row.applies_to.governor).required


def _applicability_check(entity: Entity, name: str, applies: AppliesTo, members: tuple[ClinicalField, ...]) -> CheckConstraint:
    """The governed fields stay unknown unless the governing field holds one of the codes.

    A required governor (a lesion's site) is never NULL, so its test comes first and alone; a nullable
    one must also be known in the permitting branch.
    """
    governor = field_of(entity, applies.governor)
    codes = sorted(applies.codes)
    unknown = Q(**{f"{row.name}__isnull": True for row in members})
    if governor.required:
        among = Q(**{f"{applies.governor}__in": codes})
        return CheckConstraint(condition=(~among if applies.exclude else among) | unknown, name=name)
    if applies.exclude:
        raise ValueError(f"{name}: an excluding applicability needs a required governor")
    which: dict[str, object] = {applies.governor: codes[0]} if len(codes) == 1 else {f"{applies.governor}__in": codes}
    bounds = {key: value for row in members for key, value in _range(row).items()}
    permit = Q(**bounds, **which, **_known(applies.governor, governor))
    return CheckConstraint(condition=unknown | permit, name=name)


def _codes_by_check(entity: Entity, row: ClinicalField) -> CheckConstraint:
    """A code that is only a code of some governing values (a subsite of its site, of its histology)."""
    assert row.codes_by is not None
    governor_name, by_code = row.codes_by
    governor = field_of(entity, governor_name)
    branches = [
        Q(**{governor_name: code, f"{row.name}__in": sorted(allowed), **_known(governor_name, governor)})
        for code, allowed in sorted(by_code.items())
    ]
    return CheckConstraint(
        condition=Q(**{f"{row.name}__isnull": True}) | Q(*branches, _connector=Q.OR),
        name=f"{entity.value}_{row.check_name}_matches_{governor.check_name}",
    )


def field_constraints(entity: Entity) -> list[CheckConstraint]:
    """Every CHECK constraint the field table states for ``entity``: codes, ranges, scales, required text,
    applicability and codes that depend on another field. The names are the ones the database has."""
    prefix = entity.value
    out: list[CheckConstraint] = []
    for row in fields_of(entity):
        out.extend(c for c in (_code_check(row, prefix), _value_check(row, prefix)) if c is not None)
        if row.codes_by is not None:
            out.append(_codes_by_check(entity, row))
    for name, (applies, members) in applicability_groups(entity).items():
        out.append(_applicability_check(entity, name, applies, members))
    return out
