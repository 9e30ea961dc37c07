"""Issue 15 "Reliability", on the real services: a worker killed (SIGKILL of its process group) in the
middle of a recompute and of a re-match. A new worker and the periodic sweep finish each job, with exactly
one current result per case (and per case and trial): none missing, none twice.

How it recovers: the killed worker's message is neither acknowledged nor given back (``acks_late``; Redis
would redeliver it only after the visibility timeout), so the job is left ``running`` with one chunk never
counted. Its heartbeat stops moving; ``core.sweep`` (Celery beat) re-enqueues it, the fan-out claims a new
run and enqueues every chunk again; chunks of the old run still count nothing, and every chunk is
idempotent (results keyed by inputs digest, matches by case and trial), so work done twice writes nothing.
The sweep's ``stale_after`` is shortened here, as the beat would run it 20 minutes later.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.core.jobs import job_create, sweep_jobs
from apps.core.models import Job
from apps.risk.models import RiskAssessment
from apps.trials.models import Trial, TrialMatch
from apps.trials.services import rematch_job_create
from tests.conftest import Personas, WorkerProcess, wait_for
from tests.reliability.conftest import bulk_cases, job_row, queue_drained

pytestmark = pytest.mark.services

CASES = 300
#: Small chunks, so the kill lands in the middle of the job (30 chunks of 10 cases).
CHUNK_SIZE = 10
#: How long a silent job waits before this test's sweep revives it (the beat's is 20 minutes).
SILENT_FOR = timedelta(seconds=3)


def _kill_mid_run(worker: WorkerProcess, job_id: int) -> Job:
    """Wait until the job has counted a few chunks, then SIGKILL the worker; the job is left unfinished."""
    wait_for(lambda: job_row(job_id).chunks_done >= 3, timeout=90, interval=0.05)
    worker.kill()
    job = job_row(job_id)
    assert job.status == Job.Status.RUNNING, "the job finished before the kill: make the chunks smaller"
    assert job.chunks_done < job.chunks_total
    return job


def _recover(worker: WorkerProcess, job_id: int) -> Job:
    """Start a new worker and run the sweep, as beat does, until the job is finished."""
    worker.start()

    def finished() -> Job | None:
        job = job_row(job_id)
        if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return job
        # the sweep only revives a job whose heartbeat stopped: while the new worker still counts chunks
        # of the first run, nothing happens; once its queue is drained, the lost chunk's job is silent
        if queue_drained(worker):
            sweep_jobs(stale_after=SILENT_FOR)
        return None

    job: Job = wait_for(finished, timeout=120, interval=0.5)
    return job


def test_a_risk_recompute_finishes_after_its_worker_is_killed(restartable_worker: WorkerProcess, personas: Personas) -> None:
    # given 300 cases never assessed, and a recompute job over them in chunks of 10
    case_ids = bulk_cases(personas.board, CASES)
    job = job_create(kind=Job.Kind.RECOMPUTE_RISK, task_name="risk.recompute", params={"force": False, "chunk_size": CHUNK_SIZE})

    # when the worker is killed mid-run
    _kill_mid_run(restartable_worker, job.pk)
    assert 0 < RiskAssessment.objects.count() < CASES

    # then a new worker and the sweep finish the job
    job = _recover(restartable_worker, job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total, job.chunks_done) == (job.total, job.total, job.chunks_total)
    # with exactly one current assessment per case: none missing, none twice, none written twice
    current = list(RiskAssessment.objects.filter(is_current=True).values_list("case_id", flat=True))
    assert sorted(current) == sorted(case_ids)
    assert RiskAssessment.objects.count() == CASES
    assert AuditEntry.objects.filter(event="risk.assessed").count() == CASES
    assert set(RiskAssessment.objects.values_list("case_revision", flat=True)) == {1}


def test_a_trial_rematch_finishes_after_its_worker_is_killed(
    seeded_registry: None, restartable_worker: WorkerProcess, personas: Personas
) -> None:
    # given 300 open cases never matched, and a re-match job against every trial in chunks of 10
    case_ids = bulk_cases(personas.board, CASES)
    trials = dict(Trial.objects.values_list("pk", "current_version"))
    job = rematch_job_create(trial_id=None, actor=None, reason="fault test", chunk_size=CHUNK_SIZE)

    # when the worker is killed mid-run
    _kill_mid_run(restartable_worker, job.pk)
    assert 0 < TrialMatch.objects.count() < CASES * len(trials)

    # then a new worker and the sweep finish the job: succeeded, not left "running"
    job = _recover(restartable_worker, job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (CASES, CASES)
    # with exactly one current match per case and trial, at the trial's current version
    matches = list(TrialMatch.objects.values_list("case_id", "trial_id", "trial_version__version", "case_revision"))
    assert len(matches) == CASES * len(trials)
    assert {(case_id, trial_id) for case_id, trial_id, _, _ in matches} == {(c, t) for c in case_ids for t in trials}
    assert all(version == trials[trial_id] and revision == 1 for _, trial_id, version, revision in matches)
