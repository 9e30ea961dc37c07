"""The inputs digest of a stored match: what the re-match compares instead of the match itself.

A stored match is a pure function of the case facts, the trial version's criteria and the matcher
version, so the SHA-256 of those three identifies it: a re-match computes the digest of each case once
(canonical JSON of its facts, refs included, since explanations name lesions) and skips every pair whose
stored digest is the same, without evaluating the criteria or reading the stored payload back. Equal
inputs written differently (``20`` and ``20.0``) may hash differently: that only costs a recomputation,
never a missed change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from apps.cases.facts import CaseFacts
from apps.trials.engine.version import ENGINE_VERSION


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(item) for item in value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def case_facts_digest(case: CaseFacts) -> str:
    """Hex SHA-256 of every fact of the case (lesions, prior courses and refs included)."""
    text = json.dumps(_plain(case), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def match_inputs_digest(facts_digest: str, criteria_digest: str, trial_version: int) -> str:
    """Hex SHA-256 of what one stored match was computed from: the case facts (their digest), the
    criteria and number of the trial version (the payload names the version) and the matcher version."""
    text = f"{ENGINE_VERSION}|{trial_version}|{criteria_digest}|{facts_digest}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
