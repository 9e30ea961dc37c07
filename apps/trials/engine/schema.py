"""JSON Schema (draft 2020-12) of trial definitions and criteria, generated from the field registry.

The schema is built so that the common mistakes are errors at a precise JSON path:

* an unknown field name (``$.criteria[2].rule.field``), or a case field used inside a lesion quantifier;
* an operator that does not apply to the field's kind (``lt`` on ``primary_histology``: ``...op``);
* a value of the wrong type or outside the field's vocabulary (``$.criteria[0].rule.value[1]``);
* a missing or unexpected key, an expression with no known shape.

Dispatch uses ``if``/``then`` on the expression's key (and, for comparisons, on ``field`` and then ``op``)
rather than ``oneOf``, so a validator reports the error inside the branch that applies instead of "not
valid under any of the given schemas".

``validate_trial`` / ``validate_criteria`` / ``validate_rule`` return ``ValidationIssue`` objects (path and
message); they add the checks a schema cannot express (unique criterion codes, ``between`` bounds in
order, real calendar dates). ``check_trial`` raises ``CriteriaValidationError`` instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from apps.trials.engine.fields import ALL_OPS, COUNT_OPS, FieldSpec, Kind, Scope, fields_in

SCHEMA_ID = "urn:tumorboard:trial-criteria:1"

#: Registry statuses (ClinicalTrials.gov overall status, lower-case).
TRIAL_STATUSES: tuple[str, ...] = (
    "not_yet_recruiting",
    "recruiting",
    "enrolling_by_invitation",
    "active_not_recruiting",
    "suspended",
    "terminated",
    "completed",
    "withdrawn",
    "unknown",
)
TRIAL_PHASES: tuple[str, ...] = ("1", "1/2", "2", "2/3", "3", "4")
CRITERION_KINDS: tuple[str, ...] = ("inclusion", "exclusion")

_EXPRESSION_KEYS: dict[Scope, tuple[str, ...]] = {
    Scope.CASE: ("all", "any", "not", "field", "some_lesion", "no_lesion", "count_lesions"),
    Scope.LESION: ("all", "any", "not", "field"),
}
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_LABEL = {"type": "string", "minLength": 1, "maxLength": 200}


def _scalar_schema(spec: FieldSpec) -> dict[str, Any]:
    if spec.kind is Kind.INTEGER:
        schema: dict[str, Any] = {"type": "integer"}
    elif spec.kind is Kind.NUMBER:
        schema = {"type": "number"}
    elif spec.kind is Kind.BOOLEAN:
        return {"type": "boolean"}
    elif spec.kind is Kind.DATE:
        return {"type": "string", "pattern": _DATE_PATTERN}
    else:  # enum, and the members of a set
        return {"enum": list(spec.values)}
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    return schema


def _value_schema(spec: FieldSpec, op: str) -> dict[str, Any]:
    """What ``value`` must be for ``op`` on ``spec`` (``is_known`` takes no value)."""
    if op == "is_known":
        return {"not": {"required": ["value"]}, "x-no-value": True}
    scalar = _scalar_schema(spec)
    if op == "between":
        value: dict[str, Any] = {
            "type": "array",
            "prefixItems": [scalar, scalar],
            "items": False,
            "minItems": 2,
        }
    elif op in ("in", "not_in", "includes_any", "includes_all", "includes_none"):
        value = {"type": "array", "items": scalar, "minItems": 1, "uniqueItems": True}
    else:
        value = scalar
    return {"required": ["value"], "properties": {"value": value}}


def _ops_schema(spec: FieldSpec, ops: Sequence[str]) -> dict[str, Any]:
    return {
        "properties": {"op": {"enum": list(ops)}},
        "allOf": [
            {
                "if": {"properties": {"op": {"const": op}}, "required": ["op"]},
                "then": _value_schema(spec, op),
            }
            for op in ops
        ],
    }


def _comparison_schema(scope: Scope) -> dict[str, Any]:
    specs = fields_in(scope)
    return {
        "type": "object",
        "required": ["field", "op"],
        "properties": {
            "field": {"enum": list(specs), "x-scope": scope.value},
            # The operators a field allows are checked in its own branch (one error, naming the field).
            "op": {"type": "string"},
            "value": True,
            "label": _LABEL,
        },
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"field": {"const": name}}, "required": ["field"]},
                "then": {"$ref": f"#/$defs/{scope.value}_field_{name}"},
            }
            for name in specs
        ],
    }


def _dispatch(scope: Scope) -> dict[str, Any]:
    """if/then/else chain on the key that names the expression's shape."""
    keys = _EXPRESSION_KEYS[scope]
    schema: dict[str, Any] = {
        "anyOf": [{"required": [key]} for key in keys],
        "x-expression-keys": list(keys),
    }
    for key in reversed(keys):
        target = "comparison" if key == "field" else key
        schema = {
            "if": {"type": "object", "required": [key]},
            "then": {"$ref": f"#/$defs/{scope.value}_{target}"},
            "else": schema,
        }
    return {"type": "object", **schema}


def _junction(scope: Scope, key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "properties": {
            key: {"type": "array", "minItems": 1, "items": {"$ref": f"#/$defs/{scope.value}_expression"}},
            "label": _LABEL,
        },
        "additionalProperties": False,
    }


def _wrapper(scope: Scope, key: str, inner: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "properties": {key: {"$ref": f"#/$defs/{inner}_expression"}, "label": _LABEL},
        "additionalProperties": False,
    }


_COUNT_FIELD = FieldSpec(
    name="count_lesions",
    scope=Scope.CASE,
    kind=Kind.INTEGER,
    label="lesion count",
    getter=lambda obj: None,
    minimum=0,
)


def build_schema() -> dict[str, Any]:
    """The complete schema; its root validates a trial definition, ``$defs`` hold every part."""
    defs: dict[str, Any] = {}
    for scope in Scope:
        defs[f"{scope.value}_expression"] = _dispatch(scope)
        defs[f"{scope.value}_all"] = _junction(scope, "all")
        defs[f"{scope.value}_any"] = _junction(scope, "any")
        defs[f"{scope.value}_not"] = _wrapper(scope, "not", scope.value)
        defs[f"{scope.value}_comparison"] = _comparison_schema(scope)
        for name, spec in fields_in(scope).items():
            defs[f"{scope.value}_field_{name}"] = _ops_schema(spec, spec.ops)
    defs["case_some_lesion"] = _wrapper(Scope.CASE, "some_lesion", "lesion")
    defs["case_no_lesion"] = _wrapper(Scope.CASE, "no_lesion", "lesion")
    defs["case_count_lesions"] = {
        "type": "object",
        "required": ["count_lesions"],
        "properties": {
            "count_lesions": {
                "type": "object",
                "required": ["op", "value"],
                "properties": {
                    "where": {"$ref": "#/$defs/lesion_expression"},
                    "op": {"enum": list(COUNT_OPS)},
                    "value": True,
                },
                "additionalProperties": False,
                "allOf": _ops_schema(_COUNT_FIELD, COUNT_OPS)["allOf"],
            },
            "label": _LABEL,
        },
        "additionalProperties": False,
    }
    defs["criterion"] = {
        "type": "object",
        "required": ["code", "text", "kind", "rule", "source"],
        "properties": {
            "code": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9_.-]{0,63}$"},
            "text": {"type": "string", "minLength": 1},
            "kind": {"enum": list(CRITERION_KINDS)},
            "rule": {"$ref": "#/$defs/case_expression"},
            "source": {"type": "string", "minLength": 1},
            "note": {"type": "string"},
        },
        "additionalProperties": False,
    }
    defs["criteria"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/criterion"}}
    defs["trial"] = {
        "type": "object",
        "required": ["identifier", "short_name", "title", "status", "summary", "criteria"],
        "properties": {
            "identifier": {"type": "string", "minLength": 1, "maxLength": 64},
            "version": {"type": "integer", "minimum": 1},
            "short_name": {"type": "string", "minLength": 1, "maxLength": 120},
            "title": {"type": "string", "minLength": 1},
            "phase": {"enum": [*TRIAL_PHASES, None]},
            "status": {"enum": list(TRIAL_STATUSES)},
            "status_verified": {"type": "boolean"},
            "status_note": {"type": "string"},
            "sponsor": {"type": ["string", "null"]},
            "summary": {"type": "string", "minLength": 1},
            "sources": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "criteria": {"$ref": "#/$defs/criteria"},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Trial definition (tumorboard trial-criteria language)",
        "$ref": "#/$defs/trial",
        "$defs": defs,
    }


TRIAL_SCHEMA: dict[str, Any] = build_schema()
#: The top-level keys of a trial definition.
TRIAL_DEFINITION_KEYS: frozenset[str] = frozenset(TRIAL_SCHEMA["$defs"]["trial"]["properties"])


def _rooted(ref: str) -> dict[str, Any]:
    """The same definitions with another root (a criteria list, or one case-level expression)."""
    return {**TRIAL_SCHEMA, "$ref": f"#/$defs/{ref}"}


CRITERIA_SCHEMA: dict[str, Any] = _rooted("criteria")
RULE_SCHEMA: dict[str, Any] = _rooted("case_expression")


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem in a definition: where (a JSON path such as ``$.criteria[0].rule.op``) and what."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class CriteriaValidationError(ValueError):
    """A trial definition, criteria list or rule that does not validate."""

    def __init__(self, issues: Sequence[ValidationIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in self.issues))

    def as_field_errors(self) -> dict[str, list[str]]:
        """DRF-style ``{path: [message, ...]}`` for a 400 response."""
        errors: dict[str, list[str]] = {}
        for issue in self.issues:
            errors.setdefault(issue.path, []).append(issue.message)
        return errors


@cache
def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator(TRIAL_SCHEMA if ref == "trial" else _rooted(ref))


def _resolve(document: Any, path: Sequence[Any]) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _message(error: ValidationError, document: Any) -> str:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    keys = schema.get("x-expression-keys")
    if error.validator == "anyOf" and keys:
        found = sorted(error.instance) if isinstance(error.instance, Mapping) else type(error.instance).__name__
        return f"not an expression (found {found}); an expression has one of the keys: {', '.join(keys)}"
    path = list(error.absolute_path)
    if error.validator == "enum" and path and path[-1] == "field":
        scope = schema.get("x-scope", "case")
        allowed = list(schema.get("enum", []))
        close = difflib.get_close_matches(str(error.instance), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        where = "a case field" if scope == "case" else "a lesion field (inside a lesion quantifier)"
        return f"unknown field {error.instance!r}: not {where}{hint}"
    if error.validator == "enum" and path and path[-1] == "op":
        ops = ", ".join(schema.get("enum", []))
        parent = _resolve(document, path[:-1])
        field = parent.get("field") if isinstance(parent, Mapping) else None
        if field is not None and error.instance in ALL_OPS:
            return f"operator {error.instance!r} does not apply to field {field!r} (allowed: {ops})"
        if field is not None:
            return f"unknown operator {error.instance!r}; field {field!r} allows: {ops}"
        return f"unknown operator {error.instance!r} (allowed: {ops})"
    if error.validator == "enum":
        allowed = schema.get("enum", [])
        shown = ", ".join(repr(a) for a in allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        close = difflib.get_close_matches(str(error.instance), [str(a) for a in allowed], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{error.instance!r} is not one of {shown}{hint}"
    if error.validator == "additionalProperties" and error.validator_value is False:
        return error.message
    return error.message


def _schema_issues(ref: str, document: Any, prefix: str) -> list[ValidationIssue]:
    errors = sorted(_validator(ref).iter_errors(document), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    issues = []
    for error in errors:
        path = error.json_path
        if prefix != "$":
            path = prefix + path[1:]
        if isinstance(error.schema, Mapping) and error.schema.get("x-no-value"):
            path, message = f"{path}.value", "operator 'is_known' takes no value"
        else:
            message = _message(error, document)
        issues.append(ValidationIssue(path, message))
    return issues


def _semantic_issues(node: Any, path: str) -> list[ValidationIssue]:
    """Checks a schema cannot express: ``between`` bounds in order, real calendar dates."""
    issues: list[ValidationIssue] = []
    if isinstance(node, Mapping):
        value = node.get("value")
        if node.get("op") == "between" and isinstance(value, list) and len(value) == 2:
            low, high = value
            try:
                if low > high:
                    issues.append(ValidationIssue(f"{path}.value", f"between bounds reversed: {low} > {high}"))
            except TypeError:
                pass
        for v, where in _dates(value, f"{path}.value"):
            try:
                date.fromisoformat(v)
            except ValueError:
                issues.append(ValidationIssue(where, f"{v!r} is not a calendar date (YYYY-MM-DD)"))
        for key, child in node.items():
            if key != "value":
                issues.extend(_semantic_issues(child, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            issues.extend(_semantic_issues(child, f"{path}[{i}]"))
    return issues


_DATE_RE = re.compile(_DATE_PATTERN)


def _dates(value: Any, path: str) -> list[tuple[str, str]]:
    pattern = _DATE_RE
    if isinstance(value, str) and pattern.match(value):
        return [(value, path)]
    if isinstance(value, list):
        return [(v, f"{path}[{i}]") for i, v in enumerate(value) if isinstance(v, str) and pattern.match(v)]
    return []


def _criteria_code_issues(criteria: Any, path: str) -> list[ValidationIssue]:
    issues = []
    seen: set[str] = set()
    if isinstance(criteria, list):
        for i, criterion in enumerate(criteria):
            code = criterion.get("code") if isinstance(criterion, Mapping) else None
            if isinstance(code, str):
                if code in seen:
                    issues.append(ValidationIssue(f"{path}[{i}].code", f"duplicate criterion code {code!r}"))
                seen.add(code)
    return issues


def validate_rule(rule: Any, *, path: str = "$") -> list[ValidationIssue]:
    """Problems in one case-level expression (empty list: valid)."""
    issues = _schema_issues("case_expression", rule, path)
    return issues or _semantic_issues(rule, path)


def validate_criteria(criteria: Any, *, path: str = "$") -> list[ValidationIssue]:
    """Problems in a list of criteria (empty list: valid)."""
    issues = _schema_issues("criteria", criteria, path)
    if issues:
        return issues
    return _criteria_code_issues(criteria, path) + _semantic_issues(criteria, path)


def validate_trial(trial: Any) -> list[ValidationIssue]:
    """Problems in a trial definition (empty list: valid)."""
    issues = _schema_issues("trial", trial, "$")
    if issues:
        return issues
    return _criteria_code_issues(trial["criteria"], "$.criteria") + _semantic_issues(trial["criteria"], "$.criteria")


def check_trial(trial: Any) -> None:
    """Raise ``CriteriaValidationError`` unless ``trial`` is a valid trial definition."""
    issues = validate_trial(trial)
    if issues:
        raise CriteriaValidationError(issues)


def check_criteria(criteria: Any) -> None:
    issues = validate_criteria(criteria)
    if issues:
        raise CriteriaValidationError(issues)


def check_rule(rule: Any) -> None:
    issues = validate_rule(rule)
    if issues:
        raise CriteriaValidationError(issues)
