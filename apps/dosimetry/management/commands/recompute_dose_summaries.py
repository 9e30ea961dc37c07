"""Recompute stored dose summaries, e.g. after a dose-engine release (``ENGINE_VERSION`` bump).

A visible ``Job`` (kind ``recompute_dose_summaries``) run by the Celery worker in chunks
(``dosimetry.recompute``; in this process without ``REDIS_URL``); ``--wait`` follows it to the end. By
default only plans that need it are computed: no current summary, one from another engine version, for an
older plan or case revision, or on a regimen / constraint set edited since. ``--force`` recomputes every
plan; unchanged inputs still reuse their stored row, so a forced run writes no new rows for plans that are
up to date.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.core.commands import add_chunk_size_argument, add_job_arguments, check_chunk_size, follow_job
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.dosimetry.engine import ENGINE_VERSION


class Command(BaseCommand):
    help = "Recompute the dose summaries of every plan that needs it (or all with --force), as a visible job."

    def add_arguments(self, parser: CommandParser) -> None:
        add_chunk_size_argument(parser, what="plans")
        parser.add_argument("--force", action="store_true", help="Recompute every plan, even up-to-date ones.")
        add_job_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        params = {"force": options["force"], "chunk_size": check_chunk_size(options["chunk_size"])}
        job = job_create(kind=Job.Kind.RECOMPUTE_DOSE_SUMMARIES, task_name="dosimetry.recompute", params=params)
        finished = follow_job(self, job, wait=options["wait"], timeout=options["timeout"])
        if finished is not None:
            self.stdout.write(f"{finished.done} plan(s) computed, {finished.written} new summaries, engine {ENGINE_VERSION}")
