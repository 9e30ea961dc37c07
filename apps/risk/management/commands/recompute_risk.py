"""Recompute stored risk assessments, e.g. after an engine release (``ENGINE_VERSION`` bump).

A visible ``Job`` (kind ``recompute_risk``) run by the Celery worker in chunks (``risk.recompute``; in
this process without ``REDIS_URL``); ``--wait`` follows it to the end. By default only cases that need it
are assessed: no current assessment, one from another engine version, or one computed for an older case
revision. ``--force`` reassesses every case; unchanged inputs still reuse their stored row, so a forced
run over up-to-date cases writes no new rows.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.core.commands import add_chunk_size_argument, add_job_arguments, check_chunk_size, follow_job
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.risk.engine import ENGINE_VERSION


class Command(BaseCommand):
    help = "Recompute the SRE risk assessments of all cases that need it (or all with --force), as a visible job."

    def add_arguments(self, parser: CommandParser) -> None:
        add_chunk_size_argument(parser)
        parser.add_argument("--force", action="store_true", help="Reassess every case, even up-to-date ones.")
        add_job_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        params = {"force": options["force"], "chunk_size": check_chunk_size(options["chunk_size"])}
        job = job_create(kind=Job.Kind.RECOMPUTE_RISK, task_name="risk.recompute", params=params)
        finished = follow_job(self, job, wait=options["wait"], timeout=options["timeout"])
        if finished is not None:
            self.stdout.write(f"{finished.done} assessed, {finished.written} new assessments, engine {ENGINE_VERSION}")
