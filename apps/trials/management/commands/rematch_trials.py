"""Re-match every open case against the registry, e.g. after a matcher release (``ENGINE_VERSION`` bump).

The re-match is a visible ``Job`` (kind ``trial_rematch``) run by the Celery worker in chunks (eagerly, in this process,
without ``REDIS_URL``); ``--wait`` follows its progress until it is done. Idempotent: matches whose inputs
did not change are not rewritten.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.commands import add_job_arguments, check_chunk_size, follow_job
from apps.trials.models import Trial
from apps.trials.services import rematch_job_create


class Command(BaseCommand):
    help = "Re-match every open case against every trial (or one, --trial NCT...) as a visible job."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trial", help="Only this trial (its identifier, e.g. NCT03862911).")
        parser.add_argument("--chunk-size", type=int, default=None, help="Open cases per chunk task (200).")
        add_job_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        trial_id = None
        chunk_size = None if options["chunk_size"] is None else check_chunk_size(options["chunk_size"])
        if options["trial"]:
            trial = Trial.objects.filter(identifier=options["trial"]).first()
            if trial is None:
                raise CommandError(f"no trial {options['trial']!r} in the registry")
            trial_id = trial.pk
        job = rematch_job_create(trial_id=trial_id, actor=None, reason="rematch_trials command", chunk_size=chunk_size)
        self.stdout.write(f"re-match job {job.pk} queued ({options['trial'] or 'every trial'})")
        finished = follow_job(self, job, wait=options["wait"], timeout=options["timeout"])
        if finished is not None:
            self.stdout.write(self.style.SUCCESS(f"done: {finished.total} open case(s), {finished.written} match(es) written"))
