"""Derived results left behind: re-enqueue the work of results still ``pending``, or computed from an
older revision, long after the change that needed them, when no work for them is queued.

A result is recomputed by the task its change enqueued. That work can still be lost after the outbox
took it: a worker killed while running it (the message comes back only after the visibility timeout, and
not at all if the broker lost it), a task that crashed on a transient fault, a bulk write that enqueued
nothing. Each app that stores derived results registers one *finder* here (from its ``handlers.connect``):
a read that returns the ids whose result is missing or older than their input, for inputs that changed
before a cutoff; ``core.sweep`` (Celery beat, every minute) calls :func:`sweep_derived`, which enqueues
the app's task for each id that has no outbox row for that work since the cutoff (or still unsent), so
an item is re-enqueued at most once per ``STALE_DERIVED_AFTER``. Every task behind it is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.background import enqueue_to
from apps.core.models import OutboxMessage

logger = logging.getLogger(__name__)

#: A result still missing or outdated this long after its input changed is taken as lost work (longer
#: than a busy queue takes to reach it, so the sweep does not pile duplicates onto a backlog).
STALE_DERIVED_AFTER = timedelta(minutes=10)
#: Items one finder re-enqueues per sweep (the next sweep takes the rest).
SWEEP_BATCH = 500

#: ``find(changed_before, limit)``: ids (primary-key order) of the items whose stored result is missing or
#: older than their input, for inputs last changed before ``changed_before``; at most ``limit``.
StaleFinder = Callable[[datetime, int], list[int]]


@dataclass(frozen=True, slots=True)
class _Finder:
    task_name: str
    find: StaleFinder


_FINDERS: dict[str, _Finder] = {}


def register_stale_finder(name: str, *, task_name: str, find: StaleFinder) -> None:
    """Register ``find`` as the finder of derived result ``name``, recomputed by ``task_name(id)``.
    Registering a name again replaces it (``connect`` may run more than once)."""
    _FINDERS[name] = _Finder(task_name=task_name, find=find)


def stale_finders() -> dict[str, str]:
    """The registered derived results and the task that recomputes each."""
    return {name: finder.task_name for name, finder in sorted(_FINDERS.items())}


def _queued(task_name: str, since: datetime) -> set[tuple[Any, ...]]:
    """Arguments of the outbox rows for ``task_name`` recorded since ``since`` or still unsent."""
    rows = OutboxMessage.objects.filter(task_name=task_name).filter(Q(created_at__gte=since) | Q(sent_at__isnull=True))
    return {tuple(args) for args in rows.values_list("args", flat=True)}


def sweep_derived(*, now: datetime | None = None, stale_after: timedelta = STALE_DERIVED_AFTER) -> dict[str, int]:
    """Re-enqueue the recomputation of every derived result left behind (see the module docstring).
    Returns how many were re-enqueued, per derived result."""
    now = now or timezone.now()
    cutoff = now - stale_after
    revived: dict[str, int] = {}
    for name, finder in sorted(_FINDERS.items()):
        ids = finder.find(cutoff, SWEEP_BATCH)
        queued = _queued(finder.task_name, cutoff) if ids else set()
        todo = [item for item in ids if (item,) not in queued]
        with transaction.atomic():
            for item in todo:
                enqueue_to("", finder.task_name, item)
        if todo:
            logger.warning("sweep: %s %s result(s) left behind, re-enqueued", len(todo), name)
        revived[name] = len(todo)
    return revived
