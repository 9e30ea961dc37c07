"""A Celery worker process freezes its start-up heap so the collector stops re-walking it (issue 16)."""

from __future__ import annotations

import gc

from celery.signals import worker_process_init

import tumorboard.celery  # noqa: F401 - connects the receiver


def test_a_worker_process_freezes_its_start_up_heap_when_it_starts() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 1000  # the interpreter, Django and the apps
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
