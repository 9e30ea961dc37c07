"""``facts_digest``: the canonical JSON of every fact of a case, unchanged by round 4's faster walk."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from enum import Enum
from typing import Any

from apps.cases.facts import PriorCourseFacts, facts_digest
from tests.options.engine.builders import case_of, femur, spine


def _plain_before(value: Any) -> Any:
    """The walk as written before issue 16's round 4 (``dataclasses.fields`` per value): the reference."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain_before(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain_before(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain_before(item) for item in value)
    if isinstance(value, dict):
        return {str(key): _plain_before(item) for key, item in value.items()}
    return value


def test_the_digest_is_the_one_the_field_by_field_walk_gave() -> None:
    """Every stored ``Case.facts_digest`` and match digest still holds after the deploy."""
    course = PriorCourseFacts(region="T8", total_dose_gy=30.0, fractions=10, site="spine")  # type: ignore[arg-type]
    case = dataclasses.replace(case_of(spine(), femur()), prior_courses=(course,))
    text = json.dumps(_plain_before(case), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    assert facts_digest(case) == hashlib.sha256(text.encode("utf-8")).hexdigest()
