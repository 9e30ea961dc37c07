"""The one Job model (``apps.core.models.Job``, ``apps.core.jobs``): claimed once, a crash ends it
``failed`` with its error (issue 10: a crash used to leave a job "running" forever), only named transient
errors retried, and the sweep re-enqueues jobs left queued or silent too long."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from apps.core import jobs
from apps.core.models import Job, OutboxMessage
from tests.conftest import Personas, call_job_command
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

EAGER = None  # called directly, not by a worker: no retries


def _job(**fields: Any) -> Job:
    return Job.objects.create(kind=Job.Kind.DOSE_IMPORT, task_name="dosimetry.run_import", **fields)


def test_a_failing_job_ends_failed_with_its_error() -> None:
    job = _job()

    def body(job: Job) -> None:
        raise ValueError("RT Dose grid has no frame of reference")

    assert jobs.job_run(EAGER, job.pk, body) is True
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None and job.progress_pct == 100.0
    assert job.error == "ValueError: RT Dose grid has no frame of reference"
    assert "failed: ValueError" in job.log and job.attempts == 1


def test_a_job_that_works_ends_succeeded_and_a_redelivery_does_not_run_it_again() -> None:
    job = _job()
    runs: list[int] = []
    assert jobs.job_run(EAGER, job.pk, lambda j: runs.append(j.pk), total=3) is True
    assert jobs.job_run(EAGER, job.pk, lambda j: runs.append(j.pk)) is False  # redelivered message
    job.refresh_from_db()
    assert runs == [job.pk]
    assert (job.status, job.done, job.total, job.error) == ("succeeded", 3, 3, "")


class _Retry(Exception):
    pass


class _WorkerTask:
    """A task as a worker runs it (not eager): ``retry`` raises, as Celery's does."""

    def __init__(self, retries: int) -> None:
        self.request = SimpleNamespace(is_eager=False, retries=retries)
        self.retried: list[dict[str, Any]] = []

    def retry(self, **options: Any) -> Exception:
        self.retried.append(options)
        return _Retry()


def test_a_transient_error_is_retried_with_backoff_and_requeues_the_job() -> None:
    job = _job()
    task = _WorkerTask(retries=2)

    def body(job: Job) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(_Retry):
        jobs.job_run(task, job.pk, body)
    job.refresh_from_db()
    # back in the queue for the retry to claim; the delay doubles with each retry
    assert job.status == "queued" and "transient error, retry 3" in job.log
    assert task.retried[0]["countdown"] == jobs.RETRY_BASE_SECONDS * 4
    assert task.retried[0]["max_retries"] == jobs.MAX_RETRIES


def test_a_transient_error_past_the_last_retry_fails_the_job() -> None:
    job = _job()

    def body(job: Job) -> None:
        raise OperationalError("deadlock detected")

    jobs.job_run(_WorkerTask(retries=jobs.MAX_RETRIES), job.pk, body)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "OperationalError: deadlock detected")


def test_other_errors_are_not_retried() -> None:
    job = _job()
    task = _WorkerTask(retries=0)

    def body(job: Job) -> None:
        raise IntegrityError("duplicate key")

    jobs.job_run(task, job.pk, body)
    job.refresh_from_db()
    assert task.retried == [] and job.status == "failed"


def test_a_failed_job_must_say_why() -> None:
    with pytest.raises(IntegrityError):
        _job(status="failed", error="")


def test_the_sweep_reenqueues_stale_jobs_and_leaves_live_ones_alone() -> None:
    now = timezone.now()
    old = now - jobs.STALE_AFTER - timedelta(minutes=1)
    lost_message = _job()
    Job.objects.filter(pk=lost_message.pk).update(created_at=old)
    dead_worker = _job(status="running", heartbeat_at=old, attempts=1)
    live = _job(status="running", heartbeat_at=now, attempts=1)
    dead_command = Job.objects.create(kind=Job.Kind.RECOMPUTE_RISK, status="running", heartbeat_at=old)
    finished = _job(status="succeeded", heartbeat_at=old)

    revived = jobs.sweep_jobs(now=now)

    assert sorted(revived) == sorted([lost_message.pk, dead_worker.pk])
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[dead_worker.pk] == "queued" and statuses[live.pk] == "running"
    assert statuses[finished.pk] == "succeeded"
    # a command's job cannot be resumed by a worker: it failed with its process
    dead_command.refresh_from_db()
    assert dead_command.status == "failed" and "process running this job stopped" in dead_command.error
    sent = sorted(OutboxMessage.objects.values_list("task_name", "args"))
    assert sent == sorted([("dosimetry.run_import", [lost_message.pk]), ("dosimetry.run_import", [dead_worker.pk])])
    # a second sweep right after finds nothing stale
    assert jobs.sweep_jobs(now=now) == []


def test_the_recompute_command_is_a_visible_job(personas: Personas) -> None:
    CaseFactory(board=personas.board)
    CaseFactory(board=personas.board)
    call_job_command("recompute_risk", "--force", stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    job = Job.objects.get(kind="recompute_risk")
    assert (job.status, job.done, job.total, job.params) == ("succeeded", 2, 2, {"force": True, "chunk_size": 200})
    assert job.written == 2 and job.finished_at is not None
    # run by its task, in chunks (eagerly here): the sweep can resume it after a worker dies
    assert (job.task_name, job.chunks_done, job.chunks_total) == ("risk.recompute", 1, 1)


def test_a_crashing_recompute_command_records_failed(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management.base import CommandError

    from apps.risk import tasks

    CaseFactory(board=personas.board)

    def crash(**kwargs: Any) -> list[Any]:
        raise RuntimeError("engine crashed on case")

    monkeypatch.setattr(tasks, "risk_assess_cases", crash)
    with pytest.raises(CommandError, match="engine crashed on case"):
        call_job_command("recompute_risk", "--force", stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    job = Job.objects.get(kind="recompute_risk")
    assert (job.status, job.error) == ("failed", "RuntimeError: engine crashed on case")


def test_the_dose_recompute_command_is_a_visible_job() -> None:
    call_job_command("recompute_dose_summaries", verbosity=0, stdout=io.StringIO())
    job = Job.objects.get(kind="recompute_dose_summaries")
    assert (job.status, job.total, job.params) == ("succeeded", 0, {"force": False, "chunk_size": 200})


def test_a_transient_error_outside_a_worker_fails_the_job_instead_of_retrying() -> None:
    job = _job()

    def body(job: Job) -> None:
        raise OperationalError("could not connect to server")

    jobs.job_run(None, job.pk, body)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "OperationalError: could not connect to server")


def test_the_beat_task_sweeps_the_outbox_and_stale_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """``core.sweep`` (the task beat runs every minute) runs each sweep, not only the derived results':
    a message the broker missed is sent and a job whose worker died is re-enqueued."""
    from apps.core import background
    from apps.core.tasks import sweep

    published: list[str] = []
    monkeypatch.setattr(background, "_publish", lambda m: published.append(m.task_name))
    missed = OutboxMessage.objects.create(task_name="core.probe", args=["after-the-outage"])
    OutboxMessage.objects.filter(pk=missed.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    dead_worker = _job(status="running", heartbeat_at=timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1), attempts=1)

    result = sweep()

    assert result["sent"] == 1 and result["jobs"] == [dead_worker.pk]
    missed.refresh_from_db()
    assert missed.sent_at is not None and published[0] == "core.probe"
    assert Job.objects.get(pk=dead_worker.pk).status == "queued"
