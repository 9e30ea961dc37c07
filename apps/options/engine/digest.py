"""Stable fingerprint of everything :func:`treatment_options` reads, for idempotent storage.

SHA-256 of canonical JSON (sorted keys, no spaces) of the engine version, the case (every case and lesion
field as the risk engine canonicalises them, plus the prior courses) and the other inputs (stored risk
findings, active catalogue regimens, plans, trial matches). Equal inputs give the same digest; a new
engine version changes every digest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from apps.cases.facts import CaseFacts
from apps.options.engine.options import OptionInputs
from apps.options.engine.version import ENGINE_VERSION
from apps.risk.engine.digest import canonical_case


def _inputs(inputs: OptionInputs) -> dict[str, Any]:
    return {
        "risk": asdict(inputs.risk),
        "catalogue": {code: asdict(entry) for code, entry in sorted(inputs.catalogue.items())},
        "plans": sorted((asdict(plan) for plan in inputs.plans), key=lambda p: p["plan_id"]),
        "trials": sorted((asdict(trial) for trial in inputs.trials), key=lambda t: t["identifier"]),
    }


def options_inputs_digest(case: CaseFacts, inputs: OptionInputs) -> str:
    """Hex SHA-256 of the engine version and the inputs of ``treatment_options(case, inputs)``."""
    payload = {
        "engine_version": ENGINE_VERSION,
        "case": canonical_case(case),
        "prior_courses": [asdict(course) for course in case.prior_courses],
        "inputs": _inputs(inputs),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
