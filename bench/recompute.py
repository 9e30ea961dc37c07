"""Recompute throughput of every derived result (risk, dose summaries, trial matches, treatment options)
through real Celery workers, and the two re-matches a registry sees most: one where nothing changed and
one after a single trial changed.

Run from the repository root after ``bench/generate.py`` (PostgreSQL and Redis)::

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/recompute.py \
        [--concurrency 2] [--chunk-size 200] [--json out.json] [--markdown out.md]

It starts its own worker (prefork, ``--concurrency`` processes, as deployed) on a private queue of the
broker, then, for the generator's cases (``--tag``), times from enqueueing to the last chunk done:

1. *cold*: the tag's stored results are deleted first (and, on PostgreSQL, the derived tables vacuumed,
   so "from nothing" has no dead rows to walk), then ``risk.assess_cases`` chunks (risk first:
   the options read the stored risk findings), then ``dosimetry.compute_plan_summaries``,
   ``trials.match_cases`` (every open case against every trial) and ``options.compute_chunk`` chunks,
   all at once;
2. *unchanged*: the same again with nothing changed (every result is found by its inputs digest);
3. *re-match, nothing changed*: a registry re-match job for every trial (``rematch_job_create``, the
   path ``manage.py rematch_trials`` and a registry edit take), timed until the job succeeds;
4. *re-match, one trial changed*: one trial gets a new version (``trial_update`` with a changed summary
   and a threshold moved), whose job re-matches the open cases against that trial only.

Each figure is reported with the engines' own time for the same work measured in this process (the pure
baseline: facts built, engine run, no database), so what the database and the worker add is a ratio.
The cold step's rows written and JSON bytes stored per case are reported too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench._common import load_average, stamp, write_outputs  # noqa: E402 - after the path fix above


def vacuum_derived_tables() -> None:
    """``VACUUM ANALYZE`` the derived tables after the cold step's delete (PostgreSQL; outside a transaction).

    Without it the cold step read the stored match digests through a million dead rows of the deleted
    results (at 50,000 cases most of its database time was `IO:DataFileRead` on those pages), which a first
    computation on a new database never meets."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = (
        "options_treatmentoptionsresult",
        "trials_trialmatch",
        "dosimetry_dosesummary",
        "risk_lesionassessment",
        "risk_riskassessment",
        "audit_auditentry",
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")  # fixed table names, no input


def start_worker(queue: str, concurrency: int, log_path: Path) -> subprocess.Popen[bytes]:
    """A real Celery worker on ``queue`` (prefork, as deployed; solo for one process)."""
    pool = ["-P", "solo"] if concurrency == 1 else ["-P", "prefork", "-c", str(concurrency)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tumorboard.settings.base", "CELERY_TASK_ALWAYS_EAGER": "false"}
    log = log_path.open("wb")
    return subprocess.Popen(  # noqa: S603 - fixed argv, our own worker
        [
            *(sys.executable, "-m", "celery", "-A", "tumorboard", "worker", *pool, "-Q", queue),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the worker process and its pool processes so far (Linux ``/proc``):
    what the recompute cost the workers, less sensitive to a shared machine than the wall time."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)

    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
    return own(pid) + sum(own(c) for c in children)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def run(
    *,
    tag: str = "bench",
    concurrency: int = 2,
    chunk_size: int = 200,
    timeout: float = 1800.0,
    steps: str = "cold,unchanged,rematch",
    mode: str = "one-task",
) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from apps.accounts.models import User
    from apps.cases.models import Case
    from apps.cases.selectors import case_facts, cases_for_engines
    from apps.cases.workflow import CaseStatus
    from apps.core.models import Job
    from apps.dosimetry.models import DoseSummary, RadiotherapyPlan
    from apps.options.models import TreatmentOptionsResult
    from apps.risk.engine import assess_case
    from apps.risk.models import LesionAssessment, RiskAssessment
    from apps.trials.models import Trial, TrialMatch
    from apps.trials.selectors import current_trials
    from apps.trials.services import rematch_job_create, trial_definition, trial_update
    from tumorboard.celery import app

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench/recompute.py needs DATABASE_URL (PostgreSQL) and REDIS_URL (the workers' broker)")
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    queue = f"bench-recompute-{os.getpid()}"
    # Work enqueued by this process (the outbox after commit) goes to the private queue too.
    app.conf.task_default_queue = queue
    cases = Case.objects.filter(board__institution__code=tag)
    case_ids = list(cases.order_by("pk").values_list("pk", flat=True))
    if not case_ids:
        raise SystemExit(f"no cases of tag {tag!r}: run bench/generate.py first")
    open_ids = list(cases.exclude(status=CaseStatus.CLOSED).order_by("pk").values_list("pk", flat=True))
    plan_ids = list(RadiotherapyPlan.objects.filter(case__in=cases).order_by("pk").values_list("pk", flat=True))
    n_trials = len(current_trials(None))
    all_open = Case.objects.exclude(status=CaseStatus.CLOSED).count()

    # The pure baseline: the engines alone on a sample, facts already in memory.
    sample = list(cases_for_engines(case_ids[:1000]))
    facts = [case_facts(c) for c in sample]
    started = time.perf_counter()
    for f in facts:
        assess_case(f)
    risk_pure = len(facts) / (time.perf_counter() - started)
    trials = current_trials(None)
    started = time.perf_counter()
    for f in facts:
        for t in trials:
            t.compiled.match(f).to_dict()
    match_pure = len(facts) * len(trials) / (time.perf_counter() - started)

    def wait(results: list[Any], what: str) -> None:
        deadline = time.monotonic() + timeout
        for result in results:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SystemExit(f"{what}: timed out after {timeout:.0f} s")
            result.get(timeout=remaining, propagate=True, disable_sync_subtasks=False)

    def send(name: str, chunks: list[list[int]], **kwargs: Any) -> list[Any]:
        return [app.send_task(name, args=(chunk,), kwargs=kwargs, queue=queue) for chunk in chunks]

    def full(label: str) -> dict[str, Any]:
        stage: dict[str, float] = {"risk_s": 0.0, "dose_trials_options_s": 0.0}
        cpu = worker_cpu_seconds(worker.pid)
        started = time.perf_counter()
        if mode == "one-task":
            # One task per chunk brings every derived result of its cases up to date (issue 16).
            wait(send("options.compute_derived_chunk", _chunks(case_ids, chunk_size)), "every derived result")
        else:  # "passes": the risk pass, then dose, trial and options passes (the round-2 path)
            wait(send("risk.assess_cases", _chunks(case_ids, chunk_size)), "risk")
            stage["risk_s"] = time.perf_counter() - started
            t1 = time.perf_counter()
            pending = send("dosimetry.compute_plan_summaries", _chunks(plan_ids, chunk_size))
            pending += send("trials.match_cases", _chunks(open_ids, chunk_size))
            pending += send("options.compute_chunk", _chunks(case_ids, chunk_size))
            wait(pending, "dose, trials and options")
            stage["dose_trials_options_s"] = time.perf_counter() - t1
        elapsed = time.perf_counter() - started
        return {
            "step": label,
            "mode": mode,
            "seconds": round(elapsed, 1),
            "worker_cpu_s": round(worker_cpu_seconds(worker.pid) - cpu, 1),
            "cases": len(case_ids),
            "cases_per_s": round(len(case_ids) / elapsed),
            "risk_cases_per_s": round(len(case_ids) / stage["risk_s"]) if stage["risk_s"] else 0,
            "risk_s": round(stage["risk_s"], 1),
            "dose_trials_options_s": round(stage["dose_trials_options_s"], 1),
            "plans": len(plan_ids),
            "open_cases": len(open_ids),
            "trials": n_trials,
            "matches": len(open_ids) * n_trials,
        }

    def json_bytes() -> dict[str, Any]:
        """Stored JSON per case and per match (text length of the jsonb, as the rows are sent and kept)."""

        def total(table: str, where: str, params: list[Any]) -> int:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(SUM(octet_length(payload::text)), 0) FROM {table} WHERE {where}", params)  # noqa: S608 - fixed names
                return int(cursor.fetchone()[0])

        ids = list(case_ids)
        risk = RiskAssessment.objects.filter(case__in=cases, is_current=True)
        lesion_rows = LesionAssessment.objects.filter(assessment__in=risk)
        lesion_payload = 0
        if any(f.name == "payload" for f in LesionAssessment._meta.get_fields()):
            lesion_payload = total(
                "risk_lesionassessment l JOIN risk_riskassessment r ON r.id = l.assessment_id",
                "r.is_current AND r.case_id = ANY(%s)",
                [ids],
            )
        matches = TrialMatch.objects.filter(case__in=cases)
        n = max(1, len(ids))
        return {
            "risk_json_bytes_per_case": round(total("risk_riskassessment", "is_current AND case_id = ANY(%s)", [ids]) / n),
            "lesion_row_json_bytes_per_case": round(lesion_payload / n),
            "match_json_bytes_per_match": round(total("trials_trialmatch", "case_id = ANY(%s)", [ids]) / max(1, matches.count())),
            "options_json_bytes_per_case": round(
                total("options_treatmentoptionsresult", "is_current AND case_id = ANY(%s)", [ids]) / n
            ),
            "risk_rows": risk.count(),
            "lesion_rows": lesion_rows.count(),
            "matches": matches.count(),
            "dose_summaries": DoseSummary.objects.filter(plan__case__in=cases).count(),
            "options_rows": TreatmentOptionsResult.objects.filter(case__in=cases, is_current=True).count(),
        }

    def job_until_done(make: Callable[[], Job], label: str, matches: int) -> dict[str, Any]:
        cpu = worker_cpu_seconds(worker.pid)
        started = time.perf_counter()
        with transaction.atomic():
            job = make()
        deadline = time.monotonic() + timeout
        while True:
            job.refresh_from_db()
            if job.status == Job.Status.SUCCEEDED:
                break
            if job.status == Job.Status.FAILED:
                raise SystemExit(f"{label}: job {job.pk} failed: {job.error}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{label}: job {job.pk} still {job.status} after {timeout:.0f} s")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        return {
            "step": label,
            "seconds": round(elapsed, 2),
            "worker_cpu_s": round(worker_cpu_seconds(worker.pid) - cpu, 1),
            "open_cases": job.total,
            "written": job.written,
            "matches_considered": matches,
            "matches_per_s": round(matches / elapsed) if elapsed else 0,
        }

    log_path = Path(tempfile.gettempdir()) / f"{queue}.log"
    worker = start_worker(queue, concurrency, log_path)
    rows: list[dict[str, Any]] = []
    load_start = load_average()
    stored: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 240  # a loaded machine takes its time to fork and import
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start; see {log_path}")
        wanted = set(steps.split(","))
        if "cold" in wanted:
            # Derived rows only (bench data): the engines' results are history, not clinical records.
            TreatmentOptionsResult.objects.filter(case__in=cases).delete()
            TrialMatch.objects.filter(case__in=cases).only("pk").delete()
            DoseSummary.objects.filter(plan__case__in=cases).delete()
            RiskAssessment.objects.filter(case__in=cases).delete()
            vacuum_derived_tables()
            rows.append(full("cold: every derived result from nothing"))
            print(rows[-1], flush=True)
            stored = json_bytes()
        if "unchanged" in wanted:
            rows.append(full("unchanged: the same again, nothing changed"))
            print(rows[-1], flush=True)
        if "rematch" in wanted:
            if TrialMatch.objects.filter(inputs_digest="").exists():
                # Matches stored before digests existed: one untimed re-match gives every row its digest,
                # so the timed one measures "nothing changed".
                job_until_done(lambda: rematch_job_create(trial_id=None, actor=None, reason="bench: warm-up"), "warm-up", 0)
            rows.append(
                job_until_done(
                    lambda: rematch_job_create(trial_id=None, actor=None, reason="bench: nothing changed"),
                    "re-match every trial, nothing changed",
                    all_open * n_trials,
                )
            )
            editor = User.objects.filter(username=f"{tag}-admin").first()
            trial = Trial.objects.filter(status="recruiting").order_by("pk").first()
            if editor is not None and trial is not None:
                definition = trial_definition(trial)
                summary = f"{definition.get('summary', '')} (bench edit {time.time_ns()})"

                def edit() -> Job:
                    trial_update(actor=editor, trial_id=trial.pk, changes={"summary": summary})
                    return Job.objects.filter(kind=Job.Kind.TRIAL_REMATCH).order_by("-pk").first()  # type: ignore[return-value]

                rows.append(job_until_done(edit, f"re-match after one trial changed ({trial.identifier})", all_open))
    finally:
        stop_worker(worker)
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)
        app.conf.task_always_eager, app.conf.task_default_queue = previous
    return {
        "date": stamp(),
        "load_start": load_start,
        "load_end": load_average(),
        "concurrency": concurrency,
        "chunk_size": chunk_size,
        "mode": mode,
        "engine_baseline": {"risk_cases_per_s": round(risk_pure), "matches_per_s": round(match_pure)},
        "stored": stored,
        "rows": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    base = result["engine_baseline"]
    lines = [
        f"Recompute {result['date']} through a worker of {result['concurrency']} processes, chunks of {result['chunk_size']}; "
        f"load average at start {result['load_start']}, at end {result['load_end']}. Engine baseline in-process: "
        f"risk {base['risk_cases_per_s']:,} cases/s, matcher {base['matches_per_s']:,} matches/s.",
        "",
        "| step | seconds | worker CPU s | cases/s | risk cases/s (x baseline) | detail |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["rows"]:
        if "cases_per_s" in r and not r["risk_s"]:
            lines.append(
                f"| {r['step']} | {r['seconds']} | {r['worker_cpu_s']} | {r['cases_per_s']:,} | - (one task per chunk) | "
                f"{r['cases']:,} cases, {r['plans']:,} plans, {r['matches']:,} matches "
                f"({r['open_cases']:,} open x {r['trials']}); every result of a chunk in one task |"
            )
        elif "cases_per_s" in r:
            ratio = base["risk_cases_per_s"] / r["risk_cases_per_s"] if r["risk_cases_per_s"] else 0
            lines.append(
                f"| {r['step']} | {r['seconds']} | {r['worker_cpu_s']} | {r['cases_per_s']:,} | "
                f"{r['risk_cases_per_s']:,} ({ratio:.1f}x slower) | "
                f"{r['cases']:,} cases, {r['plans']:,} plans, {r['matches']:,} matches "
                f"({r['open_cases']:,} open x {r['trials']}); "
                f"risk {r['risk_s']} s, then dose + trials + options {r['dose_trials_options_s']} s |"
            )
        else:
            lines.append(
                f"| {r['step']} | {r['seconds']} | {r['worker_cpu_s']} | - | - | {r['open_cases']:,} open cases, "
                f"{r['matches_considered']:,} matches considered "
                f"({r['matches_per_s']:,}/s), {r['written']:,} written |"
            )
    if result["stored"]:
        s = result["stored"]
        lines += [
            "",
            f"Stored JSON: risk {s['risk_json_bytes_per_case']:,} B per case + lesion rows "
            f"{s['lesion_row_json_bytes_per_case']:,} B per case; trial match {s['match_json_bytes_per_match']:,} B per match; "
            f"options {s['options_json_bytes_per_case']:,} B per case "
            f"({s['risk_rows']:,} risk rows, {s['lesion_rows']:,} lesion rows, {s['matches']:,} matches, "
            f"{s['dose_summaries']:,} dose summaries, {s['options_rows']:,} options rows).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="bench")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--chunk-size", type=int, default=200, help="cases per task (default 200)")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--steps", default="cold,unchanged,rematch", help="comma-separated: cold, unchanged, rematch")
    parser.add_argument(
        "--mode",
        choices=("one-task", "passes"),
        default="one-task",
        help="one-task: options.compute_derived_chunk per chunk (default); passes: the risk pass, then dose, trials, options",
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    result = run(
        tag=args.tag,
        concurrency=args.concurrency,
        chunk_size=args.chunk_size,
        timeout=args.timeout,
        steps=args.steps,
        mode=args.mode,
    )
    table = markdown(result)
    print(table)
    write_outputs(result, table, args.json, args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
