"""Receivers of the trials app, connected once from ``TrialsConfig.ready`` (``connect``)."""

from __future__ import annotations

from typing import Any

from apps.cases.signals import case_changed
from apps.core.background import enqueue
from apps.core.stale import register_stale_finder
from apps.trials.selectors import cases_with_matches_left_behind


def on_case_changed(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """A case changed: match it again against every trial's current version."""
    enqueue("trials.match_case", case_id)


def connect() -> None:
    register_stale_finder("trial_matches", task_name="trials.match_case", find=cases_with_matches_left_behind)
    case_changed.connect(on_case_changed, dispatch_uid="trials.on_case_changed")
