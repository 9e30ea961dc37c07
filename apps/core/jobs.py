"""The one way to run a visible job (``apps.core.models.Job``): create, claim, report, finish.

``job_create`` records the job in the caller's transaction and enqueues its task (``task_name(job_id)``)
through the outbox. The task calls ``job_run`` (one-task jobs) or ``job_start_chunks`` /
``job_chunk_done`` (fan-out jobs). Every transition is a conditional UPDATE, so a message delivered twice
never runs a job twice, and a crash ends the job ``failed`` with its error instead of leaving it
``running``. Only the named transient errors (a lost or deadlocked database connection) are retried,
with exponential backoff; anything else is a failure to show, not to repeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Least
from django.utils import timezone

from apps.accounts.models import User
from apps.core.background import enqueue, enqueue_to
from apps.core.models import Job

logger = logging.getLogger(__name__)

#: The errors worth retrying: the database connection dropped, a deadlock or serialization failure.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
#: Retries of a transient error before the job is failed; the delay doubles from ``RETRY_BASE_SECONDS``.
MAX_RETRIES = 5
RETRY_BASE_SECONDS = 5
#: A job ``queued`` this long, or ``running`` without a heartbeat this long, is re-enqueued by the sweep
#: (longer than the task hard time limit, so a live job is never taken for a dead one).
STALE_AFTER = timedelta(minutes=20)

_ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)
#: Items (cases, plans) per chunk of a fan-out job unless the job's ``chunk_size`` parameter says otherwise.
DEFAULT_CHUNK_SIZE = 200


def _line(text: str) -> Any:
    stamp = timezone.now().strftime("%H:%M:%S")
    return Concat(F("log"), Value(f"{stamp} {text}\n"))


@transaction.atomic
def job_create(*, kind: str, task_name: str, params: Mapping[str, Any] | None = None, created_by: User | None = None) -> Job:
    """Record a queued job and, after commit, run ``task_name(job_id)``."""
    job = Job.objects.create(kind=kind, task_name=task_name, params=dict(params or {}), created_by=created_by)
    enqueue(task_name, job.pk)
    return job


def job_claim(job_id: int, *, total: int = 0, chunks_total: int = 0) -> bool:
    """Take a queued job (``running``); False when another delivery already took it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        total=total,
        done=0,
        chunks_total=chunks_total,
        chunks_done=0,
        written=0,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        log=_line("claimed by worker"),
    )
    return claimed == 1


def job_progress(job_id: int, *, done: int | None = None, total: int | None = None, log: str = "") -> None:
    """Report progress of a running job (and move its heartbeat)."""
    changes: dict[str, Any] = {"heartbeat_at": timezone.now()}
    if total is not None:
        changes["total"] = total
    if done is not None:
        changes["done"] = Least(Value(done), F("total")) if total is None else min(done, total)
    if log:
        changes["log"] = _line(log)
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**changes)


def job_succeed(job_id: int, *, log: str = "", written: int | None = None) -> None:
    changes: dict[str, Any] = {"status": Job.Status.SUCCEEDED, "finished_at": timezone.now(), "done": F("total")}
    if log:
        changes["log"] = _line(log)
    if written is not None:
        changes["written"] = written
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**changes)


def job_fail(job_id: int, *, error: str) -> None:
    """End an active job ``failed`` with ``error`` (a finished job keeps its outcome)."""
    error = error or "failed without a message"
    Job.objects.filter(pk=job_id, status__in=_ACTIVE).update(
        status=Job.Status.FAILED, error=error[:4000], finished_at=timezone.now(), log=_line(f"failed: {error[:200]}")
    )


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _retries(task: Any) -> int:
    return int(getattr(getattr(task, "request", None), "retries", 0) or 0)


def _can_retry(task: Any) -> bool:
    """Only a task run by a worker can be retried later; in process (eager, a direct call) it fails."""
    return task is not None and not getattr(task.request, "is_eager", False)


def job_run(
    task: Any,
    job_id: int,
    body: Callable[[Job], None],
    *,
    total: int = 0,
    describe_error: Callable[[BaseException], str] | None = None,
) -> bool:
    """Claim ``job_id`` and run ``body(job)``; the job ends ``succeeded``, or ``failed`` with the error.

    A transient error puts the job back in the queue and retries the task with backoff (up to
    ``MAX_RETRIES``); then it fails. ``task`` is the running Celery task (None when called directly).
    Returns False when the job was not claimable (already taken).
    """
    if not job_claim(job_id, total=total):
        return False
    job = Job.objects.get(pk=job_id)
    try:
        body(job)
    except TRANSIENT_ERRORS as exc:
        retries = _retries(task)
        if _can_retry(task) and retries < MAX_RETRIES:
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED, log=_line(f"transient error, retry {retries + 1}: {describe(exc)[:200]}")
            )
            raise task.retry(exc=exc, countdown=RETRY_BASE_SECONDS * 2**retries, max_retries=MAX_RETRIES) from exc
        job_fail(job_id, error=describe(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        job_fail(job_id, error=describe(exc))
    else:
        job_succeed(job_id)
    return True


def job_start_chunks(job_id: int, *, total: int, chunks_total: int) -> int | None:
    """Claim a fan-out job and fix its totals; returns the run number (its ``attempts``) that the chunks
    carry, or None when already claimed. A job with nothing to do succeeds at once."""
    if not job_claim(job_id, total=total, chunks_total=chunks_total):
        return None
    if chunks_total == 0:
        job_succeed(job_id, log="nothing to do")
    return Job.objects.filter(pk=job_id).values_list("attempts", flat=True).get()


def job_chunk_done(job_id: int, *, run: int, items: int, written: int) -> None:
    """Count one finished chunk of run ``run``; the chunk completing the job marks it ``succeeded``.
    Counters never pass their totals, and chunks of an earlier run (before a sweep restarted the job)
    are not counted."""
    active = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=run)
    active.update(
        chunks_done=Least(F("chunks_done") + 1, F("chunks_total")),
        done=Least(F("done") + items, F("total")),
        written=F("written") + written,
        heartbeat_at=timezone.now(),
    )
    active.filter(chunks_done=F("chunks_total")).update(status=Job.Status.SUCCEEDED, finished_at=timezone.now())


def sweep_jobs(*, now: Any = None, stale_after: timedelta = STALE_AFTER) -> list[int]:
    """Re-enqueue jobs left ``queued`` (their message was lost) or ``running`` without a heartbeat (their
    worker died) for longer than ``stale_after``. Returns the job ids re-enqueued."""
    now = now or timezone.now()
    cutoff = now - stale_after
    revived: list[int] = []
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    # A job run in a process of its own (a command) cannot be resumed by a worker: it failed with it.
    for job_id in Job.objects.filter(silent, status__in=_ACTIVE, task_name="").values_list("pk", flat=True):
        job_fail(job_id, error="no heartbeat: the process running this job stopped")
    stale = Job.objects.filter(silent, status__in=_ACTIVE).exclude(task_name="")
    for job in stale.only("pk", "status", "task_name", "heartbeat_at"):
        with transaction.atomic():
            why = "no heartbeat" if job.status == Job.Status.RUNNING else "still queued"
            reset = Job.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
                status=Job.Status.QUEUED, heartbeat_at=now, log=_line(f"{why}: re-enqueued by the sweep")
            )
            if reset != 1:
                continue
            enqueue_to("", job.task_name, job.pk)
            revived.append(job.pk)
    return revived


def chunked(ids: Sequence[int], size: int) -> list[list[int]]:
    """``ids`` cut into lists of at most ``size`` (in their order)."""
    if size < 1:
        raise ValueError("a chunk holds at least one item")
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def job_fan_out(
    job_id: int,
    *,
    kind: str,
    chunk_task: str,
    plan: Callable[[Mapping[str, Any]], Sequence[int]],
    chunk_args: Callable[[Mapping[str, Any]], tuple[Any, ...]] = lambda params: (),
) -> int:
    """Start fan-out job ``job_id``: the ids ``plan(params)`` returns, cut into chunks of the job's
    ``chunk_size`` parameter, each enqueued as ``chunk_task(ids, *chunk_args(params), job_id, run)``.

    The claim and the chunks' outbox rows commit together: a worker killed right after the claim leaves
    no job ``running`` without its chunks recorded (the outbox sends them). Returns the chunks enqueued,
    0 when the job is unknown or another delivery already claimed it. A plan that cannot be made (not a
    transient error) fails the job with its error.
    """
    job = Job.objects.filter(pk=job_id, kind=kind).only("params", "status").first()
    if job is None or job.status != Job.Status.QUEUED:
        return 0
    try:
        chunks = chunked(plan(job.params), int(job.params.get("chunk_size") or DEFAULT_CHUNK_SIZE))
        args = chunk_args(job.params)
    except TRANSIENT_ERRORS:
        raise  # the job stays queued; the sweep re-enqueues it
    except Exception as exc:
        logger.exception("job %s (%s) could not be planned", job_id, kind)
        job_fail(job_id, error=describe(exc))
        return 0
    with transaction.atomic():
        run = job_start_chunks(job_id, total=sum(len(chunk) for chunk in chunks), chunks_total=len(chunks))
        if run is None:
            return 0
        for chunk in chunks:
            enqueue(chunk_task, chunk, *args, job_id, run)
    return len(chunks)


def job_chunk(task: Any, job_id: int, run: int, items: int, body: Callable[[], int]) -> int:
    """Run one chunk of fan-out job ``job_id`` (``body`` returns the results it wrote) and count it.

    A crash fails the whole job with its error (the remaining chunks then count nothing); a transient
    error retries this chunk with backoff, up to ``MAX_RETRIES``.
    """
    try:
        written = body()
    except TRANSIENT_ERRORS as exc:
        retries = _retries(task)
        if _can_retry(task) and retries < MAX_RETRIES:
            raise task.retry(exc=exc, countdown=RETRY_BASE_SECONDS * 2**retries, max_retries=MAX_RETRIES) from exc
        job_fail(job_id, error=describe(exc))
        return 0
    except Exception as exc:
        logger.exception("chunk of job %s failed", job_id)
        job_fail(job_id, error=describe(exc))
        return 0
    job_chunk_done(job_id, run=run, items=items, written=written)
    return written


def job_wait(job_id: int, *, timeout: float, interval: float = 1.0, on_change: Callable[[Job], None] | None = None) -> Job:
    """Follow job ``job_id`` until it is finished (``succeeded`` or ``failed``) and return it; raises
    ``TimeoutError`` after ``timeout`` seconds. ``on_change(job)`` is called whenever its progress moves."""
    deadline = time.monotonic() + timeout
    shown: tuple[str, int, int] | None = None
    while True:
        job = Job.objects.get(pk=job_id)
        seen = (job.status, job.done, job.chunks_done)
        if on_change is not None and seen != shown:
            on_change(job)
        shown = seen
        if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} not finished after {timeout:g} s (still {job.status})")
        time.sleep(interval)
