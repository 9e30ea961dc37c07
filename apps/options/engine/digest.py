"""Stable fingerprint of everything :func:`treatment_options` reads, for idempotent storage.

SHA-256 of canonical JSON (sorted keys, no spaces) of the engine version, the case (every case and lesion
field as the risk engine canonicalises them, plus the prior courses) and the other inputs (stored risk
findings, the active catalogue regimens by their own fingerprint, plans, trial matches). Equal inputs give
the same digest; a new engine version changes every digest. The catalogue is the same for every case of a
recompute chunk, so the service fingerprints it once (``catalogue_fingerprint``) rather than per case.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from apps.cases.facts import CaseFacts
from apps.options.engine.options import OptionInputs, RegimenEntry
from apps.options.engine.version import ENGINE_VERSION
from apps.risk.engine.digest import canonical_case

#: Exact types written as they are (an enum member is not one: its type is its enum's).
_LEAF_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None)})
#: Field names of each dataclass met, read once per type.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _data(value: Any) -> Any:
    """``dataclasses.asdict`` for canonical JSON: the same data without ``asdict``'s deep copy of every
    leaf (issue 16: a fifth of the options' share of a recompute chunk). Tuples become lists, which JSON
    writes alike."""
    kind = type(value)
    if kind in _LEAF_TYPES:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _data(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [_data(item) for item in value]
    if isinstance(value, dict):
        return {_data(key): _data(item) for key, item in value.items()}
    return value


def _canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def catalogue_fingerprint(catalogue: Mapping[str, RegimenEntry]) -> str:
    """Hex SHA-256 of the canonical catalogue regimens (what an options digest holds of the catalogue)."""
    text = _canonical({code: _data(entry) for code, entry in sorted(catalogue.items())})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _inputs(inputs: OptionInputs, catalogue: str) -> dict[str, Any]:
    return {
        "risk": _data(inputs.risk),
        "catalogue": catalogue,
        "plans": sorted((_data(plan) for plan in inputs.plans), key=lambda p: p["plan_id"]),
        "trials": sorted((_data(trial) for trial in inputs.trials), key=lambda t: t["identifier"]),
    }


def options_inputs_digest(case: CaseFacts, inputs: OptionInputs, *, catalogue: str | None = None) -> str:
    """Hex SHA-256 of the engine version and the inputs of ``treatment_options(case, inputs)``.

    ``catalogue`` is ``catalogue_fingerprint(inputs.catalogue)``, given by a caller digesting many cases
    against one catalogue; computed here when omitted."""
    payload = {
        "engine_version": ENGINE_VERSION,
        "case": canonical_case(case),
        "prior_courses": [_data(course) for course in case.prior_courses],
        "inputs": _inputs(inputs, catalogue if catalogue is not None else catalogue_fingerprint(inputs.catalogue)),
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()
