"""Signals of the cases app.

``case_changed`` is sent in the worker (task ``cases.case_changed``), after the commit of any change to
a case's clinical content: the case services record one outbox message per change, and this signal fans
it out to each app's receiver (``apps/<app>/handlers.py``), which enqueues that app's recomputation.
``sender`` is ``Case``; kwargs: ``case_id``, ``revision``.
"""

from __future__ import annotations

from django.dispatch import Signal

case_changed = Signal()
