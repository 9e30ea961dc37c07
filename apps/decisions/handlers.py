"""Receivers of the decisions app, connected once from ``DecisionsConfig.ready`` (``connect``)."""

from __future__ import annotations

from typing import Any

from apps.core.background import enqueue
from apps.meetings.signals import meeting_ended


def on_meeting_ended(sender: Any, meeting_id: int, board_id: int, **kwargs: Any) -> None:
    """A meeting of the board ended: carry cases with open implementation follow-up to the next agenda."""
    enqueue("decisions.carry_follow_ups", board_id)


def connect() -> None:
    meeting_ended.connect(on_meeting_ended, dispatch_uid="decisions.on_meeting_ended")
