"""Recompute stored risk assessments, e.g. after an engine release (``ENGINE_VERSION`` bump).

By default only cases that need it are assessed: no current assessment, one from another engine version,
or one computed for an older case revision. ``--force`` reassesses every case; unchanged inputs still
reuse their stored row, so a forced run over up-to-date cases writes no new rows.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Exists, OuterRef, QuerySet
from tqdm import tqdm

from apps.cases.models import Case
from apps.core.jobs import job_in_process, job_progress
from apps.core.models import Job
from apps.risk.engine import ENGINE_VERSION
from apps.risk.models import RiskAssessment
from apps.risk.services import risk_assess_cases


def cases_to_assess(*, force: bool) -> QuerySet[Case]:
    cases = Case.objects.order_by("pk")
    if force:
        return cases
    up_to_date = RiskAssessment.objects.filter(
        case_id=OuterRef("pk"),
        is_current=True,
        engine_version=ENGINE_VERSION,
        case_revision__gte=OuterRef("revision"),
    )
    return cases.exclude(Exists(up_to_date))


class Command(BaseCommand):
    help = "Recompute the SRE risk assessments of all cases that need it (or all with --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=200, help="Cases per transaction (200).")
        parser.add_argument("--force", action="store_true", help="Reassess every case, even up-to-date ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        chunk_size: int = options["chunk_size"]
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        force: bool = options["force"]
        case_ids = list(cases_to_assess(force=force).values_list("pk", flat=True))
        started = time.perf_counter()
        assessed = 0
        before = RiskAssessment.objects.count()
        # A visible job (``core.Job``): its progress, and a crash as ``failed`` with its error.
        with (
            job_in_process(kind=Job.Kind.RECOMPUTE_RISK, total=len(case_ids), params={"force": force}) as job,
            tqdm(total=len(case_ids), unit="case", desc="risk", file=sys.stderr, disable=options["verbosity"] < 1) as progress,
        ):
            for start in range(0, len(case_ids), chunk_size):
                chunk = case_ids[start : start + chunk_size]
                assessed += len(risk_assess_cases(case_ids=chunk))
                progress.update(len(chunk))
                job_progress(job.pk, done=assessed)
            created = RiskAssessment.objects.count() - before
            Job.objects.filter(pk=job.pk).update(written=created)
        elapsed = time.perf_counter() - started
        rate = assessed / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"{assessed} assessed, {created} new assessments, engine {ENGINE_VERSION}, {elapsed:.2f} s ({rate:.0f} cases/s)"
        )


__all__ = ["Command", "cases_to_assess"]
