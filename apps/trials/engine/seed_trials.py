"""Registry seed data: the trials named in the seed papers (clinical-rules.md §9), read from a JSON data file.

The definitions live in ``seed_trials.json`` beside this module (issue 10: seed data as data, not Python):
``{"registry_version": N, "about": "...", "trials": [definition, ...]}``. Each definition validates against
``schema.TRIAL_SCHEMA`` and each criterion cites its source; ``docs/trial-criteria.md`` §10 gives the
choices made trial by trial. Load them with ``load_seed_trials()`` (deep copies, safe to mutate).

An edit of the data file is a new registry version: bump ``registry_version`` and ship a data migration
that replays a frozen copy (``apps/trials/migrations/seed_trials_v<N>.json``), so stored registries
receive it as new ``TrialVersion`` rows (never by rewriting an old version). A test checks that the data
file and the newest frozen copy agree.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SEED_FILE = Path(__file__).with_name("seed_trials.json")


def _read() -> dict[str, Any]:
    document = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("trials"), list):
        raise ValueError(f"{SEED_FILE.name}: expected an object with a 'trials' list")
    return document


_DOCUMENT = _read()

#: The registry version the data file describes (the number of its frozen migration copy).
REGISTRY_VERSION: int = int(_DOCUMENT["registry_version"])

SEED_TRIALS: tuple[dict[str, Any], ...] = tuple(_DOCUMENT["trials"])


def load_seed_trials() -> list[dict[str, Any]]:
    """Deep copies of the seed trial definitions, ready for a data migration or a test."""
    return [copy.deepcopy(trial) for trial in SEED_TRIALS]
