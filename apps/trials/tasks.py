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
    trial_ids = None if trial_id is None else [trial_id]
    return sum(services.case_match_trials(case_id, trial_ids=trial_ids) for case_id in case_ids)


def _same_queue(task: Task) -> dict[str, Any]:
    """Route follow-up tasks to the queue this one came from (a worker may serve a dedicated queue)."""
    delivery = getattr(task.request, "delivery_info", None) or {}
    queue = delivery.get("routing_key")
    return {"queue": queue} if queue else {}


@shared_task(bind=True, name="trials.rematch_trial")
def rematch_trial(self: Task, trial_id: int) -> int:
    """After a registry edit: re-match every open case against the trial, one task per chunk of cases."""
    options = _same_queue(self)
    chunks = 0
    for chunk in services.open_case_id_chunks():
        match_cases.apply_async((chunk, trial_id), **options)
        chunks += 1
    return chunks
