"""Receivers of the risk app, connected once from ``RiskConfig.ready`` (``connect``)."""

from __future__ import annotations

from typing import Any

from apps.cases.signals import case_changed
from apps.core.background import enqueue
from apps.core.stale import register_stale_finder
from apps.risk.selectors import cases_with_risk_left_behind


def on_case_changed(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """A case's clinical content changed: reassess its risk."""
    enqueue("risk.assess_case", case_id)


def connect() -> None:
    register_stale_finder("risk_assessments", task_name="risk.assess_case", find=cases_with_risk_left_behind)
    case_changed.connect(on_case_changed, dispatch_uid="risk.on_case_changed")
