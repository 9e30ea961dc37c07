"""Receivers of the dosimetry app, connected once from ``DosimetryConfig.ready`` (``connect``)."""

from __future__ import annotations

from typing import Any

from apps.cases.signals import case_changed
from apps.core.background import enqueue
from apps.core.stale import register_stale_finder
from apps.dosimetry.selectors import plans_with_summary_left_behind


def on_case_changed(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """A case changed (its prior courses may have): recompute the dose summaries of its plans."""
    enqueue("dosimetry.compute_case_summaries", case_id)


def connect() -> None:
    register_stale_finder("dose_summaries", task_name="dosimetry.compute_plan_summary", find=plans_with_summary_left_behind)
    case_changed.connect(on_case_changed, dispatch_uid="dosimetry.on_case_changed")
