"""Recompute stored treatment options, e.g. after an options- or risk-engine release or a bulk edit.

By default only cases that need it are computed: no current options, options from another engine version,
or options for an older case revision, an older risk assessment, other plans or another catalogue (the
fingerprints the case section compares). ``--force`` recomputes every case; unchanged inputs still reuse
their stored row, so a forced run over up-to-date cases writes no new rows.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.cases.models import Case
from apps.core.jobs import job_in_process, job_progress
from apps.core.models import Job
from apps.options.engine import ENGINE_VERSION
from apps.options.models import TreatmentOptionsResult
from apps.options.selectors import current_options_queryset, stale_reasons
from apps.options.services import treatment_options_compute_cases


def cases_to_compute(*, force: bool) -> list[int]:
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    if force:
        return case_ids
    fresh = {row.case_id for row in current_options_queryset().select_related("case") if not stale_reasons(row, row.case)}
    return [pk for pk in case_ids if pk not in fresh]


class Command(BaseCommand):
    help = "Recompute the treatment options of all cases that need it (or all with --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=200, help="Cases per transaction (200).")
        parser.add_argument("--force", action="store_true", help="Recompute every case, even up-to-date ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        chunk_size: int = options["chunk_size"]
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        case_ids = cases_to_compute(force=options["force"])
        started = time.perf_counter()
        computed = 0
        before = TreatmentOptionsResult.objects.count()
        # A visible job (``core.Job``): its progress, and a crash as ``failed`` with its error.
        with (
            job_in_process(kind=Job.Kind.RECOMPUTE_OPTIONS, total=len(case_ids), params={"force": options["force"]}) as job,
            tqdm(total=len(case_ids), unit="case", desc="options", file=sys.stderr, disable=options["verbosity"] < 1) as progress,
        ):
            for start in range(0, len(case_ids), chunk_size):
                chunk = case_ids[start : start + chunk_size]
                computed += len(treatment_options_compute_cases(case_ids=chunk))
                progress.update(len(chunk))
                job_progress(job.pk, done=computed)
            created = TreatmentOptionsResult.objects.count() - before
            Job.objects.filter(pk=job.pk).update(written=created)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{computed} computed, {created} new results, engine {ENGINE_VERSION}, {elapsed:.2f} s")


__all__ = ["Command", "cases_to_compute"]
