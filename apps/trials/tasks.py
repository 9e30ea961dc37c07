"""Celery tasks: thin wrappers over ``apps.trials.services``, ids in and counts out."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from apps.trials import services


@shared_task(name="trials.match_case")
def match_case(case_id: int) -> int:
    """Match one case against every trial's current version."""
    return services.case_match_trials(case_id)


@shared_task(name="trials.match_cases")
def match_cases(case_ids: list[int], trial_id: int | None = None) -> int:
    """Match a chunk of cases against one trial (or every trial)."""
    return services.cases_match_trials(case_ids, trial_ids=None if trial_id is None else [trial_id])


def _same_queue(task: Task) -> dict[str, Any]:
    """Route follow-up tasks to the queue this one came from (a worker may serve a dedicated queue)."""
    delivery = getattr(task.request, "delivery_info", None) or {}
    queue = delivery.get("routing_key")
    return {"queue": queue} if queue else {}


def _fan_out(task: Task, trial_id: int | None) -> int:
    """One ``match_cases`` task per chunk of open cases; returns the number of chunks enqueued."""
    options = _same_queue(task)
    chunks = 0
    for chunk in services.open_case_id_chunks():
        match_cases.apply_async((chunk, trial_id), **options)
        chunks += 1
    return chunks


@shared_task(bind=True, name="trials.rematch_trial")
def rematch_trial(self: Task, trial_id: int) -> int:
    """After a registry edit: re-match every open case against the trial, one task per chunk of cases."""
    return _fan_out(self, trial_id)


@shared_task(bind=True, name="trials.rematch_open_cases")
def rematch_open_cases(self: Task) -> int:
    """Re-match every open case against every trial, one task per chunk of cases (after an engine release,
    or to rebuild the stored matches). Idempotent: matches whose inputs did not change are not rewritten."""
    return _fan_out(self, None)
