"""Receivers of the risk app, connected once from ``RiskConfig.ready`` (``connect``)."""

from __future__ import annotations

from typing import Any

from apps.cases.signals import case_changed
from apps.core.background import enqueue


def on_case_changed(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """A case's clinical content changed: reassess its risk."""
    enqueue("risk.assess_case", case_id)


def connect() -> None:
    case_changed.connect(on_case_changed, dispatch_uid="risk.on_case_changed")
