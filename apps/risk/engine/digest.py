"""Stable fingerprints of an assessment's inputs, for idempotency.

``inputs_digest`` is the SHA-256 of canonical JSON (sorted keys, no spaces, UTF-8) holding the engine
version and every input the assessment reads. Two equal inputs give the same digest whatever their Python
types (an enum member or its code, ``20`` or ``20.0`` for a float field, the order of
``systemic_therapy_classes``); a new engine version changes every digest, so stored results go stale.

A lesion's digest covers the lesion's facts and, when the case is given, the whole case (every case field,
every lesion, every prior course, the legacy ``extra`` paraplegia duration), because ESCC reads the
survival, the histology, the Frankel grade, the other lesions and the prior courses: recomputing a little
too often is safe, missing a change is not. ``ref`` fields are identities, not inputs, and are left out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from datetime import date
from enum import StrEnum
from typing import Any, Final

from apps.cases.facts import CASE_FIELD_NAMES, LESION_FIELD_NAMES, CaseFacts, LesionFacts, PriorCourseFacts
from apps.risk.engine.escc import PARAPLEGIA_EXTRA_KEY
from apps.risk.engine.version import ENGINE_VERSION

#: Fields declared ``float`` in the facts: an int there is the same value and must hash the same.
_FLOAT_FIELDS: Final = frozenset(
    {
        "max_diameter_mm",
        "distance_to_spinal_cord_mm",
        "estimated_survival_months",
        "complete_paraplegia_hours",
        "total_dose_gy",
        PARAPLEGIA_EXTRA_KEY,
    }
)


def _value(name: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if name in _FLOAT_FIELDS and isinstance(value, int | float):
        return float(value)
    if isinstance(value, tuple | list | frozenset | set):
        return sorted(_value(name, item) for item in value)
    return value


def canonical_lesion(lesion: LesionFacts) -> dict[str, Any]:
    """The lesion's inputs as plain JSON data (no ``ref``)."""
    return {name: _value(name, getattr(lesion, name)) for name in LESION_FIELD_NAMES}


def canonical_course(course: PriorCourseFacts) -> dict[str, Any]:
    """A prior radiotherapy course as plain JSON data (ESCC reads its target for the Patchell criteria)."""
    return {f.name: _value(f.name, getattr(course, f.name)) for f in fields(course)}


def canonical_case(case: CaseFacts) -> dict[str, Any]:
    """The case's inputs to the risk engine as plain JSON data (no refs)."""
    data = {name: _value(name, getattr(case, name)) for name in CASE_FIELD_NAMES}
    data["lesions"] = [canonical_lesion(lesion) for lesion in case.lesions]
    data["prior_courses"] = [canonical_course(course) for course in case.prior_courses]
    data[PARAPLEGIA_EXTRA_KEY] = _value(PARAPLEGIA_EXTRA_KEY, case.extra.get(PARAPLEGIA_EXTRA_KEY))
    return data


def _sha256(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_digest(lesion: LesionFacts, case: CaseFacts | None = None) -> str:
    """Hex SHA-256 of the engine version and the inputs of ``assess_lesion(lesion, case)``."""
    return _sha256(
        {
            "engine_version": ENGINE_VERSION,
            "lesion": canonical_lesion(lesion),
            "case": None if case is None else canonical_case(case),
        }
    )


def case_inputs_digest(case: CaseFacts) -> str:
    """Hex SHA-256 of the engine version and the inputs of ``assess_case(case)``."""
    return _sha256({"engine_version": ENGINE_VERSION, "case": canonical_case(case)})
