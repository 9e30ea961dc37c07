"""Registry version 2 of seven seeded trials whose version 1 criteria were wrong (audit against clinical-rules.md §9).

``seed_trials_v2.json`` is a frozen copy of those definitions from ``apps.trials.engine.load_seed_trials()``
at the time of writing, so this migration replays identically whatever later happens to the seed module.
Version 1 stays (stored matches and referrals keep pointing at it); each trial gets a new current version:

* CORE, STOMP, ORIOLE, EXTEND, ESO-Shanghai 13, ERASur: "<= N metastases" was ``metastases_count le N``,
  which matched a case with no metastasis; these trials treat metastatic disease, so it is now 1-N
  (``between [1, N]``), criterion codes unchanged.
* STEREO-SEIN: "de novo" was ``de_novo_synchronous`` only (metastases within 6 months of the primary); the
  trial's registry record defines de novo as the first metastatic presentation without prior treatment,
  at diagnosis or at relapse, so it is now de novo synchronous or metachronous (code
  ``de_novo_oligometastatic``).

A trial that an administrator has already edited (current definition no longer the version 1 seed) is
left alone: the administrator's version wins and should be corrected by hand if needed. Stored matches of
the old version read as ``stale`` and are recomputed when shown or re-matched.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import migrations

V1_FILE = Path(__file__).with_name("seed_trials_v1.json")
V2_FILE = Path(__file__).with_name("seed_trials_v2.json")
_COLUMNS = ("short_name", "title", "phase", "status", "sponsor", "summary")


def _digest(criteria: Any) -> str:
    canonical = json.dumps(criteria, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_version(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k != "version"}


def upgrade(apps: Any, schema_editor: Any) -> None:
    Trial = apps.get_model("trials", "Trial")
    TrialVersion = apps.get_model("trials", "TrialVersion")
    v1 = {d["identifier"]: d for d in json.loads(V1_FILE.read_text(encoding="utf-8"))}
    for definition in json.loads(V2_FILE.read_text(encoding="utf-8")):
        trial = Trial.objects.filter(identifier=definition["identifier"]).first()
        if trial is None:
            continue
        current = TrialVersion.objects.filter(trial=trial, version=trial.current_version).first()
        if current is None or _without_version(current.definition) != v1[definition["identifier"]]:
            continue  # edited by an administrator since the seed (or already upgraded): leave it
        version = trial.current_version + 1
        stored = {**definition, "version": version}
        TrialVersion.objects.create(trial=trial, version=version, definition=stored, criteria_digest=_digest(stored["criteria"]))
        for column in _COLUMNS:
            setattr(trial, column, definition.get(column))
        trial.current_version = version
        trial.save()


def downgrade(apps: Any, schema_editor: Any) -> None:
    Trial = apps.get_model("trials", "Trial")
    TrialVersion = apps.get_model("trials", "TrialVersion")
    v2 = {d["identifier"]: d for d in json.loads(V2_FILE.read_text(encoding="utf-8"))}
    for trial in Trial.objects.filter(identifier__in=list(v2), current_version__gt=1):
        current = TrialVersion.objects.filter(trial=trial, version=trial.current_version).first()
        if current is None or _without_version(current.definition) != v2[trial.identifier]:
            continue
        previous = TrialVersion.objects.get(trial=trial, version=trial.current_version - 1)
        for column in _COLUMNS:
            setattr(trial, column, previous.definition.get(column))
        trial.current_version = previous.version
        trial.save()
        if not current.matches.exists() and not current.referrals.exists():
            current.delete()


class Migration(migrations.Migration):
    dependencies = [("trials", "0006_match_flag_resolution")]

    operations = [migrations.RunPython(upgrade, downgrade)]
