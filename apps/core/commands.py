"""What every management command that starts a ``Job`` shares: ``--wait`` / ``--timeout`` and following it.

A command never does the work itself: it records the job (``job_create``, so the worker runs it, the
sweep revives it if a worker dies, and people see it), then, with ``--wait``, follows it to the end. In
eager mode (no ``REDIS_URL``, the demo and the test suite) the job has already run when it is created.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.jobs import job_wait
from apps.core.models import Job

#: How long ``--wait`` follows a job unless ``--timeout`` says otherwise (seconds).
DEFAULT_WAIT_TIMEOUT = 3600.0


def add_job_arguments(parser: CommandParser) -> None:
    parser.add_argument("--wait", action="store_true", help="Follow the job's progress until it is done.")
    parser.add_argument("--timeout", type=float, default=DEFAULT_WAIT_TIMEOUT, help="Seconds --wait waits at most (3600).")


def add_chunk_size_argument(parser: CommandParser, *, what: str = "cases") -> None:
    parser.add_argument("--chunk-size", type=int, default=200, help=f"{what.capitalize()} per chunk task (200).")


def check_chunk_size(value: int) -> int:
    if value < 1:
        raise CommandError("--chunk-size must be at least 1.")
    return value


def follow_job(command: BaseCommand, job: Job, *, wait: bool, timeout: float) -> Job | None:
    """The finished job (``succeeded``), or None when it is still queued or running and ``wait`` is off.
    A failed job, or one not finished within ``timeout`` with ``wait``, is a ``CommandError``."""
    job.refresh_from_db()
    if job.status == Job.Status.QUEUED and not wait:
        command.stdout.write(f"{job.get_kind_display()} job {job.pk} queued (--wait follows it)")
        return None
    if job.status == Job.Status.RUNNING and not wait:
        command.stdout.write(f"{job.get_kind_display()} job {job.pk} running (--wait follows it)")
        return None

    def show(current: Job) -> None:
        if current.status == Job.Status.RUNNING:
            command.stdout.write(f"  running: {current.done}/{current.total} ({current.progress_pct:g} %)")

    try:
        finished = job_wait(job.pk, timeout=timeout, on_change=show if wait else None)
    except TimeoutError as exc:
        raise CommandError(str(exc)) from exc
    if finished.status == Job.Status.FAILED:
        raise CommandError(f"job {finished.pk} failed: {finished.error}")
    return finished
