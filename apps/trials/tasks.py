"""Celery tasks: thin wrappers over ``apps.trials.services``, ids in and counts out."""

from __future__ import annotations

from celery import Task, shared_task

from apps.core.background import enqueue
from apps.core.jobs import MAX_RETRIES, job_chunk, job_fan_out
from apps.core.models import Job
from apps.trials import services


@shared_task(name="trials.match_case")
def match_case(case_id: int) -> int:
    """Match one case against every trial's current version."""
    return services.case_match_trials(case_id)


@shared_task(bind=True, name="trials.match_cases", max_retries=MAX_RETRIES)
def match_cases(self: Task, case_ids: list[int], trial_id: int | None = None, job_id: int | None = None, run: int = 0) -> int:
    """Match a chunk of cases against one trial (or every trial); counts the chunk on run ``run`` of its
    job, if any (a crash fails the job with its error)."""
    trial_ids = None if trial_id is None else [trial_id]
    if job_id is None:
        return services.cases_match_trials(case_ids, trial_ids=trial_ids)
    return job_chunk(self, job_id, run, len(case_ids), lambda: services.cases_match_trials(case_ids, trial_ids=trial_ids))


@shared_task(name="trials.rematch_open_cases")
def rematch_open_cases(job_id: int | None = None) -> int:
    """Re-match every open case, one ``match_cases`` task per chunk: for re-match job ``job_id`` (against
    its trial, or every trial), or without a job against every trial. Returns the chunks enqueued (0 when
    an earlier delivery of this message already claimed the job). Idempotent: matches whose inputs did not
    change are not rewritten."""
    if job_id is None:
        chunks = list(services.open_case_id_chunks())
        for chunk in chunks:
            enqueue("trials.match_cases", chunk, None, None, 0)
        return len(chunks)
    return job_fan_out(
        job_id,
        kind=Job.Kind.TRIAL_REMATCH,
        chunk_task="trials.match_cases",
        plan=lambda params: services.open_case_ids(),
        chunk_args=lambda params: (params.get("trial_id"),),
    )
