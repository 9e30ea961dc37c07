"""Registry version 3 of the seed (issue 9): the trial corrections, and the one trial seed 004 names that was missing.

``seed_trials_v3.json`` is a frozen copy of the trials in ``apps/trials/engine/seed_trials.json``
(``registry_version`` 3) at the time of writing, so this migration replays identically whatever later
happens to the data file. The registry it upgrades is the one migrations 0002 and 0007 seeded (version 1
of every trial, overlaid by the seven version-2 corrections). For each trial of the new seed:

* not in the registry (NCT00182793, seed 004 Table 2): created as version 1;
* its current definition is still the previous seed's and the new seed changes it: a new current version
  (SABR-COMET, -3, -10: spinal-cord compression excluded per their registry records; SABR-COMET-3 and -10:
  solid tumours only; CLEAR: recurrence > 12 months measured from the end of primary treatment; Gillespie:
  minimally symptomatic lesions qualify);
* edited by an administrator since the seed (current definition no longer the previous seed's), or
  unchanged by the new seed: left alone (the administrator's version wins; correct it by hand if needed).

Old versions stay (stored matches and referrals keep pointing at them); stored matches of an old version,
or of the previous matcher, read ``stale`` until ``manage.py rematch_trials --wait`` recomputes them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import migrations

V1_FILE = Path(__file__).with_name("seed_trials_v1.json")
V2_FILE = Path(__file__).with_name("seed_trials_v2.json")
V3_FILE = Path(__file__).with_name("seed_trials_v3.json")
_COLUMNS = ("short_name", "title", "phase", "status", "sponsor", "summary")


def _digest(criteria: Any) -> str:
    canonical = json.dumps(criteria, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_version(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k != "version"}


def _load(path: Path) -> dict[str, dict[str, Any]]:
    return {d["identifier"]: d for d in json.loads(path.read_text(encoding="utf-8"))}


def previous_seed() -> dict[str, dict[str, Any]]:
    """The seed definitions as migrations 0002 and 0007 left them (version 2 where there is one)."""
    return {**_load(V1_FILE), **_load(V2_FILE)}


def _set_columns(trial: Any, definition: dict[str, Any]) -> None:
    for column in _COLUMNS:
        setattr(trial, column, definition.get(column))


def upgrade(apps: Any, schema_editor: Any) -> None:
    Trial = apps.get_model("trials", "Trial")
    TrialVersion = apps.get_model("trials", "TrialVersion")
    previous = previous_seed()
    for identifier, definition in _load(V3_FILE).items():
        trial = Trial.objects.filter(identifier=identifier).first()
        if trial is None:
            if identifier in previous:
                continue  # a previously seeded trial that an administrator removed: do not bring it back
            trial = Trial(identifier=identifier, current_version=1)
            _set_columns(trial, definition)
            trial.save()
            stored = {**definition, "version": 1}
            TrialVersion.objects.create(trial=trial, version=1, definition=stored, criteria_digest=_digest(stored["criteria"]))
            continue
        old = previous.get(identifier)
        if old is None or old == definition:
            continue
        current = TrialVersion.objects.filter(trial=trial, version=trial.current_version).first()
        if current is None or _without_version(current.definition) != old:
            continue  # edited by an administrator since the seed (or already upgraded): leave it
        version = trial.current_version + 1
        stored = {**definition, "version": version}
        TrialVersion.objects.create(trial=trial, version=version, definition=stored, criteria_digest=_digest(stored["criteria"]))
        _set_columns(trial, definition)
        trial.current_version = version
        trial.save()


def downgrade(apps: Any, schema_editor: Any) -> None:
    Trial = apps.get_model("trials", "Trial")
    TrialVersion = apps.get_model("trials", "TrialVersion")
    previous = previous_seed()
    for identifier, definition in _load(V3_FILE).items():
        trial = Trial.objects.filter(identifier=identifier).first()
        if trial is None:
            continue
        current = TrialVersion.objects.filter(trial=trial, version=trial.current_version).first()
        if current is None or _without_version(current.definition) != definition:
            continue  # edited since: leave it
        if identifier not in previous:
            # Added by this migration: removed unless referrals point at it (matches go with it).
            if not trial.referrals.exists():
                trial.delete()
            continue
        if previous[identifier] == definition or trial.current_version == 1:
            continue
        earlier = TrialVersion.objects.get(trial=trial, version=trial.current_version - 1)
        _set_columns(trial, earlier.definition)
        trial.current_version = earlier.version
        trial.save()
        if not current.matches.exists() and not current.referrals.exists():
            current.delete()


class Migration(migrations.Migration):
    dependencies = [("trials", "0008_rematch_job")]

    operations = [migrations.RunPython(upgrade, downgrade)]
