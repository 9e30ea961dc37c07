"""Recompute stored treatment options, e.g. after an options- or risk-engine release or a bulk edit.

A visible ``Job`` (kind ``recompute_options``) run by the Celery worker in chunks (``options.recompute``;
in this process without ``REDIS_URL``); ``--wait`` follows it to the end. By default only cases that need
it are computed: no current options, options from another engine version, or options for an older case
revision, an older risk assessment, other plans or another catalogue (the fingerprints the case section
compares). ``--force`` recomputes every case; unchanged inputs still reuse their stored row, so a forced
run over up-to-date cases writes no new rows.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.core.commands import add_chunk_size_argument, add_job_arguments, check_chunk_size, follow_job
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.options.engine import ENGINE_VERSION


class Command(BaseCommand):
    help = "Recompute the treatment options of all cases that need it (or all with --force), as a visible job."

    def add_arguments(self, parser: CommandParser) -> None:
        add_chunk_size_argument(parser)
        parser.add_argument("--force", action="store_true", help="Recompute every case, even up-to-date ones.")
        add_job_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        params = {"scope": "needed", "force": options["force"], "chunk_size": check_chunk_size(options["chunk_size"])}
        job = job_create(kind=Job.Kind.RECOMPUTE_OPTIONS, task_name="options.recompute", params=params)
        finished = follow_job(self, job, wait=options["wait"], timeout=options["timeout"])
        if finished is not None:
            self.stdout.write(f"{finished.done} computed, {finished.written} new results, engine {ENGINE_VERSION}")
