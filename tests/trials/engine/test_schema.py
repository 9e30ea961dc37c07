"""Validation of trial definitions: every mistake is reported at its JSON path."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from apps.trials.engine import (
    CRITERIA_SCHEMA,
    RULE_SCHEMA,
    TRIAL_SCHEMA,
    CriteriaValidationError,
    ValidationIssue,
    check_trial,
    compile_trial,
    load_seed_trials,
    validate_criteria,
    validate_rule,
    validate_trial,
)


def trial(*criteria: dict[str, Any]) -> dict[str, Any]:
    return {
        "identifier": "NCT00000000",
        "short_name": "TEST",
        "title": "A test trial",
        "phase": "2",
        "status": "recruiting",
        "sponsor": None,
        "summary": "For tests.",
        "criteria": list(criteria)
        or [
            {
                "code": "controlled",
                "text": "Controlled primary tumour",
                "kind": "inclusion",
                "rule": {"field": "primary_controlled", "op": "eq", "value": True},
                "source": "test",
            }
        ],
    }


def criterion(rule: Any, code: str = "c1") -> dict[str, Any]:
    return {"code": code, "text": "A criterion", "kind": "inclusion", "rule": rule, "source": "test"}


def paths(issues: list[ValidationIssue]) -> list[str]:
    return [issue.path for issue in issues]


def test_the_schemas_are_valid_draft_2020_12() -> None:
    for schema in (TRIAL_SCHEMA, CRITERIA_SCHEMA, RULE_SCHEMA):
        Draft202012Validator.check_schema(schema)


def test_a_valid_trial_has_no_issues() -> None:
    assert validate_trial(trial()) == []


def test_a_typo_in_a_field_name_names_the_path() -> None:
    rule = {
        "all": [
            {"field": "primary_controlled", "op": "eq", "value": True},
            {"field": "primary_histolgy", "op": "eq", "value": "breast"},
        ]
    }
    issues = validate_trial(trial(criterion(rule)))
    assert paths(issues) == ["$.criteria[0].rule.all[1].field"]
    assert issues[0].message == ("unknown field 'primary_histolgy': not a case field; did you mean 'primary_histology'?")


def test_a_case_field_inside_a_lesion_quantifier_is_an_error() -> None:
    issues = validate_rule({"some_lesion": {"field": "primary_histology", "op": "eq", "value": "breast"}})
    assert paths(issues) == ["$.some_lesion.field"]
    assert "not a lesion field" in issues[0].message
    # ... and a lesion field at case level as well.
    assert paths(validate_rule({"field": "site", "op": "eq", "value": "femur"})) == ["$.field"]


def test_a_wrong_enum_value_names_the_path() -> None:
    issues = validate_rule({"field": "primary_histology", "op": "in", "value": ["breast", "brest"]})
    assert paths(issues) == ["$.value[1]"]
    assert issues[0].message.startswith("'brest' is not one of 'breast'")
    assert issues[0].message.endswith("did you mean 'breast'?")
    lesion = validate_rule({"no_lesion": {"field": "site", "op": "eq", "value": "femoral"}})
    assert paths(lesion) == ["$.no_lesion.value"]
    receptor = validate_rule({"field": "er_status", "op": "eq", "value": "unknown"})
    assert paths(receptor) == ["$.value"]


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        (
            {"field": "primary_histology", "op": "lt", "value": "breast"},
            "$.op",
            "operator 'lt' does not apply to field 'primary_histology' (allowed: eq, ne, in, not_in, is_known)",
        ),
        (
            {"field": "primary_controlled", "op": "between", "value": [0, 1]},
            "$.op",
            "operator 'between' does not apply to field 'primary_controlled' (allowed: eq, ne, is_known)",
        ),
        (
            {"field": "systemic_therapy_classes", "op": "eq", "value": "endocrine"},
            "$.op",
            "operator 'eq' does not apply to field 'systemic_therapy_classes' "
            "(allowed: includes_any, includes_all, includes_none, is_known)",
        ),
        ({"field": "ecog", "op": "le", "value": "2"}, "$.value", "'2' is not of type 'integer'"),
        ({"field": "ecog", "op": "le", "value": 7}, "$.value", "7 is greater than the maximum of 4"),
        (
            {"field": "primary_controlled", "op": "eq", "value": "yes"},
            "$.value",
            "'yes' is not of type 'boolean'",
        ),
        ({"field": "metastases_count", "op": "between", "value": [1]}, "$.value", "[1] is too short"),
        (
            {"field": "metastases_count", "op": "between", "value": [5, 1]},
            "$.value",
            "between bounds reversed: 5 > 1",
        ),
        ({"field": "metastases_count", "op": "in", "value": []}, "$.value", "[] should be non-empty"),
        ({"field": "ecog", "op": "is_known", "value": 1}, "$.value", "operator 'is_known' takes no value"),
        ({"field": "ecog", "op": "le"}, "$", "'value' is a required property"),
        (
            {"field": "ecog", "op": "approx", "value": 1},
            "$.op",
            "unknown operator 'approx'; field 'ecog' allows: eq, ne, lt, le, gt, ge, between, in, not_in, is_known",
        ),
        (
            {"field": "primary_diagnosis_date", "op": "lt", "value": "2021-02-30"},
            "$.value",
            "'2021-02-30' is not a calendar date (YYYY-MM-DD)",
        ),
        (
            {
                "count_lesions": {
                    "where": {"field": "site", "op": "eq", "value": "femur"},
                    "op": "ge",
                    "value": "1",
                }
            },
            "$.count_lesions.value",
            "'1' is not of type 'integer'",
        ),
    ],
)
def test_operator_and_value_mismatches(rule: dict[str, Any], path: str, message: str) -> None:
    issues = validate_rule(rule)
    assert [(i.path, i.message) for i in issues] == [(path, message)]


def test_shapes_that_are_not_expressions() -> None:
    issues = validate_rule({"all": [{"field": "ecog", "op": "le", "value": 2}, {"foo": 1}]})
    assert paths(issues) == ["$.all[1]"]
    assert issues[0].message.startswith("not an expression (found ['foo'])")
    nested = validate_rule({"some_lesion": {"some_lesion": {"field": "site", "op": "eq", "value": "femur"}}})
    assert paths(nested) == ["$.some_lesion"]
    assert "all, any, not, field" in nested[0].message
    extra_key = validate_rule({"not": {"field": "ecog", "op": "le", "value": 2}, "because": "x"})
    assert paths(extra_key) == ["$"]
    assert paths(validate_rule({"any": []})) == ["$.any"]


def test_criteria_level_errors() -> None:
    bad_kind = dict(criterion({"field": "ecog", "op": "le", "value": 2}), kind="include")
    assert paths(validate_criteria([bad_kind])) == ["$[0].kind"]
    no_source = criterion({"field": "ecog", "op": "le", "value": 2})
    del no_source["source"]
    assert [(i.path, i.message) for i in validate_criteria([no_source])] == [("$[0]", "'source' is a required property")]
    duplicate = [criterion({"field": "ecog", "op": "le", "value": 2}, code="same")] * 2
    assert [(i.path, i.message) for i in validate_criteria(duplicate)] == [("$[1].code", "duplicate criterion code 'same'")]
    assert paths(validate_criteria([criterion({"field": "ecog", "op": "le", "value": 2}, code="Bad Code")])) == ["$[0].code"]


def test_trial_level_errors() -> None:
    bad = trial()
    bad["status"] = "open"
    bad["phase"] = "II"
    bad["criteria"][0]["rule"]["value"] = "true"
    assert paths(validate_trial(bad)) == ["$.criteria[0].rule.value", "$.phase", "$.status"]
    assert paths(validate_trial(dict(trial(), criteria=[]))) == ["$.criteria"]


def test_check_trial_raises_with_drf_style_errors() -> None:
    bad = trial(criterion({"field": "ecgo", "op": "le", "value": 2}))
    with pytest.raises(CriteriaValidationError) as raised:
        check_trial(bad)
    assert raised.value.as_field_errors() == {
        "$.criteria[0].rule.field": ["unknown field 'ecgo': not a case field; did you mean 'ecog'?"]
    }
    with pytest.raises(CriteriaValidationError):
        compile_trial(bad)


def test_every_seed_trial_validates() -> None:
    for definition in load_seed_trials():
        assert validate_trial(definition) == [], definition["short_name"]


def test_validation_does_not_modify_the_definition() -> None:
    definition = load_seed_trials()[0]
    before = copy.deepcopy(definition)
    validate_trial(definition)
    compile_trial(definition)
    assert definition == before
