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
from dataclasses import asdict
from typing import Any

from apps.cases.facts import CaseFacts
from apps.options.engine.options import OptionInputs, RegimenEntry
from apps.options.engine.version import ENGINE_VERSION
from apps.risk.engine.digest import canonical_case


def _canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def catalogue_fingerprint(catalogue: Mapping[str, RegimenEntry]) -> str:
    """Hex SHA-256 of the canonical catalogue regimens (what an options digest holds of the catalogue)."""
    text = _canonical({code: asdict(entry) for code, entry in sorted(catalogue.items())})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _inputs(inputs: OptionInputs, catalogue: str) -> dict[str, Any]:
    return {
        "risk": asdict(inputs.risk),
        "catalogue": catalogue,
        "plans": sorted((asdict(plan) for plan in inputs.plans), key=lambda p: p["plan_id"]),
        "trials": sorted((asdict(trial) for trial in inputs.trials), key=lambda t: t["identifier"]),
    }


def options_inputs_digest(case: CaseFacts, inputs: OptionInputs, *, catalogue: str | None = None) -> str:
    """Hex SHA-256 of the engine version and the inputs of ``treatment_options(case, inputs)``.

    ``catalogue`` is ``catalogue_fingerprint(inputs.catalogue)``, given by a caller digesting many cases
    against one catalogue; computed here when omitted."""
    payload = {
        "engine_version": ENGINE_VERSION,
        "case": canonical_case(case),
        "prior_courses": [asdict(course) for course in case.prior_courses],
        "inputs": _inputs(inputs, catalogue if catalogue is not None else catalogue_fingerprint(inputs.catalogue)),
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()
