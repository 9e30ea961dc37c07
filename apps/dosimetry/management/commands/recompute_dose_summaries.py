"""Recompute stored dose summaries, e.g. after a dose-engine release (``ENGINE_VERSION`` bump).

By default only plans that need it are computed: no current summary, one from another engine version,
for an older plan or case revision, or on a regimen / constraint set edited since. ``--force`` recomputes
every plan; unchanged inputs still reuse their stored row, so a forced run writes no new rows for plans
that are up to date.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from apps.core.jobs import job_in_process, job_progress
from apps.core.models import Job
from apps.dosimetry.engine import ENGINE_VERSION
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan
from apps.dosimetry.selectors import plans_needing_summary
from apps.dosimetry.services import dose_summary_compute


class Command(BaseCommand):
    help = "Recompute the dose summaries of every plan that needs it (or all with --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Recompute every plan, even up-to-date ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        plan_ids = list(plans_needing_summary(force=options["force"]).values_list("pk", flat=True))
        before = DoseSummary.objects.count()
        started = time.perf_counter()
        computed = 0
        # A visible job (``core.Job``): its progress, and a crash as ``failed`` with its error.
        params = {"force": options["force"]}
        with job_in_process(kind=Job.Kind.RECOMPUTE_DOSE_SUMMARIES, total=len(plan_ids), params=params) as job:
            for index, plan_id in enumerate(
                tqdm(plan_ids, unit="plan", desc="dose", file=sys.stderr, disable=options["verbosity"] < 1), start=1
            ):
                try:
                    dose_summary_compute(plan_id=plan_id)  # one transaction per plan, under its row lock
                except RadiotherapyPlan.DoesNotExist:
                    continue  # deleted meanwhile
                finally:
                    if index % 50 == 0 or index == len(plan_ids):
                        job_progress(job.pk, done=index)
                computed += 1
            Job.objects.filter(pk=job.pk).update(written=DoseSummary.objects.count() - before)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{computed} plan(s) computed, {DoseSummary.objects.count() - before} new summaries, "
            f"engine {ENGINE_VERSION}, {elapsed:.2f} s"
        )
