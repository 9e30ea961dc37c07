"""Registry seed migrations: the data file, its frozen copies, and the v3 reseed (issue 9)."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from apps.trials import services
from apps.trials.engine import REGISTRY_VERSION, load_seed_trials
from apps.trials.models import Trial, TrialVersion
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

MIGRATIONS = Path(import_module("apps.trials.migrations").__file__ or "").parent
v3 = import_module("apps.trials.migrations.0009_seed_trials_v3")


def current_definition(identifier: str) -> dict[str, Any]:
    trial = Trial.objects.get(identifier=identifier)
    definition = TrialVersion.objects.get(trial=trial, version=trial.current_version).definition
    return {k: v for k, v in definition.items() if k != "version"}


def test_data_file_equals_its_frozen_migration_copy() -> None:
    """An edit of seed_trials.json must ship as a new registry version with its own frozen copy."""
    frozen = json.loads((MIGRATIONS / f"seed_trials_v{REGISTRY_VERSION}.json").read_text(encoding="utf-8"))
    assert REGISTRY_VERSION == 3
    assert {d["identifier"]: d for d in frozen} == {d["identifier"]: d for d in load_seed_trials()}


def test_migrated_registry_is_the_seed() -> None:
    seeds = load_seed_trials()
    assert Trial.objects.count() == len(seeds) == 19
    for seed in seeds:
        assert current_definition(seed["identifier"]) == seed, seed["identifier"]
        trial = Trial.objects.get(identifier=seed["identifier"])
        assert (trial.status, trial.short_name, trial.phase) == (seed["status"], seed["short_name"], seed.get("phase"))


def test_v3_versions_only_the_trials_it_changes() -> None:
    previous = v3.previous_seed()
    changed = {s["identifier"] for s in load_seed_trials() if previous.get(s["identifier"]) not in (None, s)}
    assert {"NCT01446744", "NCT03862911", "NCT03721341"} <= changed
    for identifier in changed:
        trial = Trial.objects.get(identifier=identifier)
        earlier = TrialVersion.objects.get(trial=trial, version=trial.current_version - 1).definition
        assert {k: v for k, v in earlier.items() if k != "version"} == previous[identifier]
    added = Trial.objects.get(identifier="NCT00182793")
    assert added.current_version == 1 and added.status == "active_not_recruiting"


def test_downgrade_then_upgrade_restores_the_registry_and_is_idempotent() -> None:
    before = {s["identifier"]: current_definition(s["identifier"]) for s in load_seed_trials()}
    v3.downgrade(apps, None)
    assert not Trial.objects.filter(identifier="NCT00182793").exists()
    previous = v3.previous_seed()
    for identifier, definition in previous.items():
        assert current_definition(identifier) == definition, identifier
    v3.upgrade(apps, None)
    v3.upgrade(apps, None)  # a second run changes nothing
    assert {i: current_definition(i) for i in before} == before
    assert TrialVersion.objects.filter(trial__identifier="NCT03862911").count() == 2


def test_upgrade_leaves_a_trial_an_administrator_edited(personas: Personas) -> None:
    v3.downgrade(apps, None)
    trial = Trial.objects.get(identifier="NCT03862911")
    services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"status": "active_not_recruiting"})
    edited = current_definition("NCT03862911")
    v3.upgrade(apps, None)
    assert current_definition("NCT03862911") == edited
    assert current_definition("NCT03721341") == next(s for s in load_seed_trials() if s["identifier"] == "NCT03721341")
