"""Celery tasks: thin wrappers over ``apps.trials.services``, ids in and counts out."""

from __future__ import annotations

from celery import Task, shared_task

from apps.core.tasks import same_queue
from apps.trials import services


@shared_task(name="trials.match_case")
def match_case(case_id: int) -> int:
    """Match one case against every trial's current version."""
    return services.case_match_trials(case_id)


@shared_task(name="trials.match_cases")
def match_cases(case_ids: list[int], trial_id: int | None = None, job_id: int | None = None) -> int:
    """Match a chunk of cases against one trial (or every trial); counts the chunk on its job, if any."""
    written = services.cases_match_trials(case_ids, trial_ids=None if trial_id is None else [trial_id])
    if job_id is not None:
        services.rematch_job_advance(job_id=job_id, cases=len(case_ids), written=written)
    return written


def _fan_out(task: Task, trial_id: int | None, job_id: int | None) -> int:
    """One ``match_cases`` task per chunk of open cases; returns the number of chunks enqueued (0 when the
    job was already claimed by an earlier delivery of this message)."""
    chunks = list(services.open_case_id_chunks())
    if job_id is not None and not services.rematch_job_start(job_id=job_id, chunks=chunks):
        return 0
    options = same_queue(task)
    for chunk in chunks:
        match_cases.apply_async((chunk, trial_id, job_id), **options)
    return len(chunks)


@shared_task(bind=True, name="trials.rematch_trial")
def rematch_trial(self: Task, trial_id: int, job_id: int | None = None) -> int:
    """After a registry edit: re-match every open case against the trial, one task per chunk of cases."""
    return _fan_out(self, trial_id, job_id)


@shared_task(bind=True, name="trials.rematch_open_cases")
def rematch_open_cases(self: Task, job_id: int | None = None) -> int:
    """Re-match every open case against every trial, one task per chunk of cases (after an engine release,
    or to rebuild the stored matches). Idempotent: matches whose inputs did not change are not rewritten."""
    return _fan_out(self, None, job_id)
