"""Seed the registry with version 1 of the trials in ``seed_trials_v1.json``.

The JSON is a frozen copy of ``apps.trials.engine.load_seed_trials()`` at the time of writing, so this
migration gives the same result whatever later happens to the engine's seed module.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import migrations

SEED_FILE = Path(__file__).with_name("seed_trials_v1.json")


def _digest(criteria: Any) -> str:
    canonical = json.dumps(criteria, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seed(apps: Any, schema_editor: Any) -> None:
    Trial = apps.get_model("trials", "Trial")
    TrialVersion = apps.get_model("trials", "TrialVersion")
    for definition in json.loads(SEED_FILE.read_text(encoding="utf-8")):
        if Trial.objects.filter(identifier=definition["identifier"]).exists():
            continue
        definition = {**definition, "version": 1}
        trial = Trial.objects.create(
            identifier=definition["identifier"],
            short_name=definition["short_name"],
            title=definition["title"],
            phase=definition.get("phase"),
            status=definition["status"],
            sponsor=definition.get("sponsor"),
            summary=definition["summary"],
            current_version=1,
        )
        TrialVersion.objects.create(
            trial=trial, version=1, definition=definition, criteria_digest=_digest(definition["criteria"])
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    identifiers = [d["identifier"] for d in json.loads(SEED_FILE.read_text(encoding="utf-8"))]
    apps.get_model("trials", "Trial").objects.filter(identifier__in=identifiers).delete()


class Migration(migrations.Migration):
    dependencies = [("trials", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
