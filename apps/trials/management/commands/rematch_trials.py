"""Re-match every open case against the registry, e.g. after a matcher release (``ENGINE_VERSION`` bump).

The re-match is a visible ``Job`` (kind ``trial_rematch``) run by the Celery worker in chunks (eagerly, in this process,
without ``REDIS_URL``); ``--wait`` follows its progress until it is done. Idempotent: matches whose inputs
did not change are not rewritten.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.models import Job
from apps.trials.models import Trial
from apps.trials.services import rematch_job_create


class Command(BaseCommand):
    help = "Re-match every open case against every trial (or one, --trial NCT...) as a visible job."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trial", help="Only this trial (its identifier, e.g. NCT03862911).")
        parser.add_argument("--wait", action="store_true", help="Follow the job's progress until it is done.")
        parser.add_argument("--timeout", type=float, default=3600.0, help="Seconds --wait waits at most.")

    def handle(self, *args: Any, **options: Any) -> None:
        trial_id = None
        if options["trial"]:
            trial = Trial.objects.filter(identifier=options["trial"]).first()
            if trial is None:
                raise CommandError(f"no trial {options['trial']!r} in the registry")
            trial_id = trial.pk
        job = rematch_job_create(trial_id=trial_id, actor=None, reason="rematch_trials command")
        self.stdout.write(f"re-match job {job.pk} queued ({options['trial'] or 'every trial'})")
        if not options["wait"]:
            return
        deadline = time.monotonic() + options["timeout"]
        shown = -1.0
        while True:
            job.refresh_from_db()
            if job.progress_pct != shown and job.status != Job.Status.QUEUED:
                shown = job.progress_pct
                self.stdout.write(f"  {job.status}: {job.chunks_done}/{job.chunks_total} chunks ({shown:g} %)")
            if job.status == Job.Status.SUCCEEDED:
                self.stdout.write(self.style.SUCCESS(f"done: {job.total} open case(s), {job.written} match(es) written"))
                return
            if job.status == Job.Status.FAILED:
                raise CommandError(f"job {job.pk} failed: {job.error}")
            if time.monotonic() > deadline:
                raise CommandError(f"job {job.pk} not done after {options['timeout']:g} s (still {job.status})")
            time.sleep(1.0)
