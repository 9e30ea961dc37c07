"""Signals of the meetings app.

``meeting_ended`` is sent in the worker (task ``meetings.meeting_ended``) after the chair's closing of a
meeting committed; receivers in other apps (``apps/<app>/handlers.py``) enqueue their own follow-on work,
e.g. the decisions app carries cases with open implementation follow-up to the next agenda.
``sender`` is ``Meeting``; kwargs: ``meeting_id``, ``board_id``.
"""

from __future__ import annotations

from django.dispatch import Signal

meeting_ended = Signal()
