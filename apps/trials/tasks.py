"""Celery tasks: thin wrappers over ``apps.trials.services``, ids in and counts out."""

from __future__ import annotations

from celery import shared_task

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


@shared_task(name="trials.rematch_trial")
def rematch_trial(trial_id: int) -> int:
    """After a registry edit: re-match every open case against the trial, one task per chunk of cases."""
    chunks = 0
    for chunk in services.open_case_id_chunks():
        match_cases.delay(chunk, trial_id)
        chunks += 1
    return chunks
