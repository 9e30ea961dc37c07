"""Each clinical field is declared once (``apps.cases.fields``) and every layer derives from that table.

Two kinds of proof: each consumer's field set and properties equal the table's (model columns, CHECK
constraints, serializers, rules, facts, trial fields, page labels), and a field added to the table alone
shows up in every derived consumer (the constraints, the serializer limits, the rules, the trial field
and the label), without touching them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Any, get_args, get_type_hints

import pytest
from django.db import models

from apps.cases import facts, fields, rules
from apps.cases.api import serializers
from apps.cases.columns import code_choices
from apps.cases.constraints import field_constraints
from apps.cases.fields import AppliesTo, ClinicalField, Entity, Kind, fields_of, names
from apps.cases.models import Case, Lesion, PriorRadiotherapyCourse
from apps.trials.engine import fields as trial_fields
from apps.trials.engine.fields import Scope
from frontend import forms as intake_forms
from frontend import labels

MODELS: dict[Entity, type[models.Model]] = {
    Entity.CASE: Case,
    Entity.LESION: Lesion,
    Entity.PRIOR_COURSE: PriorRadiotherapyCourse,
}
#: Columns that are bookkeeping or workflow, not clinical fields.
NOT_CLINICAL = {"id", "uuid", "created_at", "updated_at", "created_by", "board", "patient", "case"}
NOT_CLINICAL_CASE = {"status", "revision", "submitted_at", "facts_digest", "facts_stamp"}

COLUMN_OF_KIND: dict[Kind, type[models.Field[Any, Any]]] = {
    Kind.TEXT: models.CharField,  # TextField is a subclass check below
    Kind.CODE: models.CharField,
    Kind.CODES: models.JSONField,
    Kind.INTEGER: models.PositiveSmallIntegerField,
    Kind.NUMBER: models.FloatField,
    Kind.BOOLEAN: models.BooleanField,
    Kind.DATE: models.DateField,
}


@pytest.mark.parametrize("entity", list(Entity))
def test_the_model_columns_are_the_table_fields_with_its_codes_and_nullability(entity: Entity) -> None:
    model = MODELS[entity]
    columns = [f for f in model._meta.concrete_fields if f.name not in NOT_CLINICAL | NOT_CLINICAL_CASE]
    assert [f.name for f in columns] == list(names(entity))
    for column, row in zip(columns, fields_of(entity), strict=True):
        expected = COLUMN_OF_KIND[row.kind]
        assert isinstance(column, models.TextField if row.kind is Kind.TEXT and not column.max_length else expected), row.name
        assert column.null is row.nullable, row.name
        if row.kind is Kind.CODE:
            assert list(column.choices or []) == code_choices(row), row.name
            assert {code for code, _ in column.flatchoices} == set(row.code_values), row.name
        if row.help:
            assert column.help_text == row.help


@pytest.mark.parametrize("entity", list(Entity))
def test_every_declared_code_range_and_applicability_is_a_check_constraint_of_the_model(entity: Entity) -> None:
    model = MODELS[entity]
    declared = {c.name: c for c in model._meta.constraints}
    derived = field_constraints(entity)
    for constraint in derived:
        assert declared.get(constraint.name) == constraint, constraint.name
    derived_names = {c.name for c in derived}
    prefix = entity.value
    for row in fields_of(entity):
        if row.kind is Kind.CODE or row.values:
            assert f"{prefix}_{row.check_name}_valid" in derived_names, row.name
        if row.codes_by is not None:
            assert any(n.startswith(f"{prefix}_{row.check_name}_matches_") for n in derived_names), row.name
        if row.applies_to is not None:
            assert row.applies_to.constraint.format(field=row.name) in derived_names, row.name


def test_the_constraints_keep_the_names_the_database_has() -> None:
    # Pinned by the API's "breaks the rule <name>" answers and by integrators reading them.
    case = {c.name for c in field_constraints(Entity.CASE)}
    lesion = {c.name for c in field_constraints(Entity.LESION)}
    course = {c.name for c in field_constraints(Entity.PRIOR_COURSE)}
    assert {
        "case_histology_valid",
        "case_er_status_breast_only",
        "case_castration_status_prostate_only",
        "case_egfr_mutation_nsclc_only",
        "case_ecog_range",
        "case_survival_range",
        "case_karnofsky_valid",
        "case_paraplegia_hours_frankel_ab",
        "case_primary_subsite_matches_histology",
        "case_question_present",
    } <= case
    assert {
        "lesion_site_valid",
        "lesion_escc_valid",
        "lesion_diameter_range",
        "lesion_cord_distance_range",
        "lesion_spinal_fields_spine_only",
        "lesion_limb_fields_not_on_spine",
        "lesion_subsite_matches_site",
        "lesion_laterality_valid",
    } <= lesion
    assert {"prior_rt_dose_range", "prior_rt_fractions_range", "prior_rt_technique_valid", "prior_rt_levels_spine_only"} <= course


@pytest.mark.parametrize(
    ("serializer", "entity"),
    [
        (serializers.CaseWriteSerializer, Entity.CASE),
        (serializers.LesionSerializer, Entity.LESION),
        (serializers.PriorRadiotherapySerializer, Entity.PRIOR_COURSE),
    ],
)
def test_the_serializers_take_every_table_field_with_its_limits_and_codes(serializer: Any, entity: Entity) -> None:
    built = serializer().fields
    for row in fields_of(entity):
        field = built[row.name]
        if row.kind in (Kind.INTEGER, Kind.NUMBER):
            assert field.min_value == row.entry_low, row.name
            if row.entry_high is not None:  # else DRF caps at the column's own limit
                assert field.max_value == row.entry_high, row.name
        if row.kind is Kind.CODE:
            assert set(field.choices) == set(row.code_values), row.name
        if row.kind is Kind.CODES:
            assert set(field.child.choices) == set(row.code_values), row.name
        assert field.allow_null is row.nullable or row.kind in (Kind.TEXT, Kind.BOOLEAN) or row.extra.get("blank"), row.name


def _governing_value(applies: AppliesTo) -> str | None:
    """A value of the governing field for which the governed field does not apply."""
    if applies.exclude:
        return sorted(applies.codes)[0]
    others = {"site": "femur", "primary_histology": "melanoma", "frankel_grade": "E"}
    return others[applies.governor]


def _valid_value(row: ClinicalField) -> Any:
    if row.kind is Kind.CODE:
        return row.code_values[0]
    if row.kind in (Kind.INTEGER, Kind.NUMBER):
        return row.values[0] if row.values else row.entry_low
    return True


@pytest.mark.parametrize("entity", list(Entity))
def test_the_rules_refuse_every_field_recorded_where_the_table_says_it_does_not_apply(entity: Entity) -> None:
    for row in fields_of(entity):
        if row.applies_to is None:
            continue
        record = {"site": "femur", row.applies_to.governor: _governing_value(row.applies_to), row.name: _valid_value(row)}
        errors = rules.field_errors(entity, record)
        assert row.name in errors, row.name
        assert errors[row.name] == [row.applies_to.reason_for(record[row.applies_to.governor])]


@pytest.mark.parametrize("entity", list(Entity))
def test_the_rules_refuse_every_code_and_range_the_table_does_not_allow(entity: Entity) -> None:
    for row in fields_of(entity):
        if row.kind is Kind.CODE:
            assert rules.field_errors(entity, {row.name: "no_such_code"}).get(row.name), row.name
        if row.kind in (Kind.INTEGER, Kind.NUMBER) and row.entry_high is not None:
            assert rules.field_errors(entity, {row.name: row.entry_high + 1}).get(row.name), row.name
        if row.kind in (Kind.INTEGER, Kind.NUMBER) and row.minimum is not None:
            assert rules.field_errors(entity, {row.name: row.minimum - 1}).get(row.name), row.name


def test_the_rules_keep_their_words_for_the_scales() -> None:
    assert rules.field_errors(Entity.CASE, {"karnofsky_performance_status": 55}) == {
        "karnofsky_performance_status": ["55 is not a Karnofsky score; use 10 to 100 in steps of 10."]
    }
    assert rules.field_errors(Entity.LESION, {"max_diameter_mm": 0}) == {
        "max_diameter_mm": ["0 is out of range; record more than 0 to 500 mm."]
    }


def _annotation_enum(annotation: Any) -> type[StrEnum] | None:
    for arg in (annotation, *get_args(annotation)):
        for inner in (arg, *get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, StrEnum):
                return inner
    return None


@pytest.mark.parametrize(
    ("facts_class", "entity", "context"),
    [
        (facts.CaseFacts, Entity.CASE, {"lesions", "prior_courses", "date_of_birth", "as_of", "ref", "extra"}),
        (facts.LesionFacts, Entity.LESION, {"ref"}),
        (facts.PriorCourseFacts, Entity.PRIOR_COURSE, set()),
    ],
)
def test_the_engine_facts_are_the_table_fields_with_their_vocabularies(
    facts_class: type, entity: Entity, context: set[str]
) -> None:
    hints = get_type_hints(facts_class, vars(facts), {"date": dt.date})
    declared = [f.name for f in dataclasses.fields(facts_class) if f.name not in context]
    assert sorted(declared) == sorted(names(entity, engine_only=True))
    for row in fields_of(entity):
        # The technique is kept as its code string (the dose engine compares codes).
        if row.engine and row.enum is not None and row.name != "technique":
            assert _annotation_enum(hints[row.name]) is row.enum, row.name


def test_the_facts_selectors_read_every_coded_field_as_its_vocabulary() -> None:
    from apps.cases import selectors

    # Level codes are plain strings (no enum): the selector keeps them as stored.
    assert fields.enums_of(Entity.CASE) == selectors._CASE_ENUMS
    assert fields.enums_of(Entity.LESION) == selectors._LESION_ENUMS


def test_the_trial_fields_are_the_table_fields_with_its_kinds_codes_bounds_and_words() -> None:
    context = {spec.name for spec in trial_fields.CONTEXT_FIELDS}
    for scope, entity in ((Scope.CASE, Entity.CASE), (Scope.LESION, Entity.LESION)):
        plain = {name: spec for name, spec in trial_fields.fields_in(scope).items() if not spec.derived and name not in context}
        assert set(plain) == set(names(entity, engine_only=True))
        for row in fields_of(entity):
            if not row.engine:
                continue
            spec = plain[row.name]
            assert spec.label == row.spoken
            assert (spec.minimum, spec.maximum, spec.unit, spec.noun) == (row.minimum, row.maximum, row.unit, row.noun)
            expected = [c for c in row.code_values if c != row.unknown_code]
            assert [v for v in spec.values if v != trial_fields.NOT_APPLICABLE] == expected
            assert (trial_fields.NOT_APPLICABLE in spec.values) is (row.asked_on is not None)


def test_every_table_field_has_its_label_on_the_pages_and_the_intake_follows_its_applicability() -> None:
    for row in fields.all_fields():
        assert labels.field_label(row.name) == row.label
    histology = fields.governed_by(Entity.CASE, "primary_histology")
    assert {name: set(codes) for name, codes in intake_forms.HISTOLOGY_FIELDS.items()} == {
        name: set(codes) for name, codes in histology.items()
    }
    assert set(rules.SPINE_ONLY_FIELDS) <= set(intake_forms.SPINE_FIELDS)
    assert set(intake_forms.LIMB_FIELDS) == set(rules.LIMB_ONLY_FIELDS)


def test_a_field_added_to_the_table_alone_reaches_every_derived_consumer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a new spine-only lesion field declared only in the table, the constraints, the serializer
    limits, the rules, the trial language and the labels all know it."""
    new = ClinicalField(
        Entity.LESION,
        "canal_compromise_percent",
        Kind.NUMBER,
        "spinal canal compromise (%)",
        phrase="canal compromise",
        minimum=0,
        maximum=100,
        unit="%",
        applies_to=AppliesTo(
            governor="site",
            codes=frozenset({"thoracic_spine"}),
            reason="applies to thoracic lesions only; this lesion's site is {governor}.",
            constraint="lesion_canal_compromise_thoracic_only",
        ),
        asked_on=frozenset({"thoracic_spine"}),
    )
    monkeypatch.setitem(fields.TABLE, Entity.LESION, (*fields.LESION_FIELDS, new))

    constraints = {c.name: c for c in field_constraints(Entity.LESION)}
    assert "lesion_canal_compromise_percent_range" in constraints
    assert "lesion_canal_compromise_thoracic_only" in constraints
    assert serializers.clinical_limits(Entity.LESION)["canal_compromise_percent"] == {"min_value": 0, "max_value": 100}
    assert rules.field_errors(Entity.LESION, {"site": "femur", "canal_compromise_percent": 120}) == {
        "canal_compromise_percent": [
            "120 is out of range; record 0 to 100 %.",
            "applies to thoracic lesions only; this lesion's site is femur.",
        ]
    }
    spec = trial_fields._spec(new, Scope.LESION)
    assert (spec.kind, spec.label, spec.maximum, spec.unit) == (trial_fields.Kind.NUMBER, "canal compromise", 100, "%")
    labels.field_labels.cache_clear()
    try:
        assert labels.field_label("canal_compromise_percent") == "spinal canal compromise (%)"
    finally:
        labels.field_labels.cache_clear()
