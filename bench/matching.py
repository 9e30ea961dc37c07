"""Benchmark of the trial matcher: case-trial evaluations per second.

``pure_benchmark()`` measures the pure engine (``apps.trials.engine``): the seeded trials are validated
and compiled once, then random cases are matched against every trial, each evaluation producing the full
``TrialMatch`` (every criterion's result, explanation and missing fields). The schema is never consulted
on the hot path. Target: >= 100,000 evaluations/s on one core of the 2-core reference machine.

Run: ``.venv/bin/python bench/matching.py [--cases N] [--repeat R] [--seed S] [--to-dict] [--json]``.

``--through-worker`` (``worker_benchmark()``) measures the registry re-match end to end instead: in the
database named by ``DATABASE_URL`` (PostgreSQL) it bulk-creates ``--cases`` random open cases (default
10,000) on a "Trial matching benchmark" board and tops the registry up to ``--trials`` trials (default 50:
the seeded ones plus synthetic copies whose numeric thresholds are varied), starts a real Celery worker on a
private queue of the Redis broker named by ``REDIS_URL``, then times, from enqueueing to the last row
written, the re-match that a registry edit of every trial triggers: one ``trials.rematch_trial`` task per
trial, each fanning out ``trials.match_cases`` chunks over the open cases. The generated cases and trials
are deleted afterwards unless ``--keep``. Example::

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/matching.py --through-worker
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import (
    SITE_LEVELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    VERTEBRAL_LEVELS,
    CastrationStatus,
    CorticalInvolvement,
    PrimaryHistology,
    ReceptorStatus,
    Site,
    SystemicTherapyClass,
)
from apps.trials.engine import compile_trial, load_seed_trials

TARGET_PER_SECOND = 100_000
ROOT = Path(__file__).resolve().parent.parent


def _maybe(rng: random.Random, value: Any, p_unknown: float = 0.15) -> Any:
    return None if rng.random() < p_unknown else value


def random_lesion(rng: random.Random) -> LesionFacts:
    site = rng.choice(list(Site))
    subsites = sorted(SUBSITES_BY_SITE.get(site, ()))
    level_from = level_to = None
    if site in SPINAL_SITES:
        levels = sorted(SITE_LEVELS[site], key=VERTEBRAL_LEVELS.index)
        start = rng.randrange(len(levels))
        level_from = levels[start]
        level_to = levels[min(len(levels) - 1, start + rng.randrange(2))]
    return LesionFacts(
        site=site,
        subsite=_maybe(rng, rng.choice(subsites)) if subsites else None,
        level_from=_maybe(rng, level_from, 0.05),
        level_to=level_to,
        cortical_involvement=_maybe(rng, rng.choice(list(CorticalInvolvement))),
        max_diameter_mm=_maybe(rng, round(rng.uniform(5, 60), 1)),
        symptomatic=_maybe(rng, rng.random() < 0.5),
        distance_to_spinal_cord_mm=_maybe(rng, round(rng.uniform(0, 15), 1)) if site in SPINAL_SITES else None,
        posterior_element_involvement=_maybe(rng, rng.random() < 0.3),
    )


def random_case(rng: random.Random) -> CaseFacts:
    """A random case: every field sometimes unknown, 0-6 lesions, histologies the trials care about."""
    primary = rng.choice(list(PrimaryHistology))
    diagnosed = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
    receptor = [ReceptorStatus.POSITIVE, ReceptorStatus.NEGATIVE, ReceptorStatus.UNKNOWN]
    lesions = tuple(random_lesion(rng) for _ in range(rng.randrange(7)))
    return CaseFacts(
        primary_histology=_maybe(rng, primary, 0.05),
        er_status=_maybe(rng, rng.choice(receptor)),
        pr_status=_maybe(rng, rng.choice(receptor)),
        her2_status=_maybe(rng, rng.choice(receptor)),
        castration_status=_maybe(rng, rng.choice(list(CastrationStatus))),
        ecog=_maybe(rng, rng.randrange(5)),
        primary_diagnosis_date=_maybe(rng, diagnosed),
        metastasis_diagnosis_date=_maybe(rng, diagnosed + timedelta(days=rng.randrange(2000))),
        primary_controlled=_maybe(rng, rng.random() < 0.7),
        bone_metastases_count=_maybe(rng, len(lesions) + rng.randrange(4)),
        visceral_metastases_count=_maybe(rng, rng.randrange(6)),
        history_polymetastatic=_maybe(rng, rng.random() < 0.2),
        history_oligometastatic_treated=_maybe(rng, rng.random() < 0.2),
        on_systemic_therapy=_maybe(rng, rng.random() < 0.6),
        progressing_lesions_count=_maybe(rng, rng.randrange(6)),
        systemic_therapy_classes=_maybe(rng, tuple(rng.sample(list(SystemicTherapyClass), rng.randrange(3)))),
        lesions=lesions,
        as_of=date(2026, 11, 23),
        extra={"planned_min_bed10_gy": 52.8} if rng.random() < 0.3 else {},
    )


def pure_benchmark(*, cases: int = 2_000, repeat: int = 5, seed: int = 20261123, to_dict: bool = False) -> float:
    """Case-trial evaluations per second of the pure engine (best of ``repeat`` runs)."""
    rng = random.Random(seed)
    trials = [compile_trial(definition) for definition in load_seed_trials()]
    sample = [random_case(rng) for _ in range(cases)]
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        if to_dict:
            for facts in sample:
                for trial in trials:
                    trial.match(facts).to_dict()
        else:
            for facts in sample:
                for trial in trials:
                    trial.match(facts)
        elapsed = time.perf_counter() - started
        best = max(best, cases * len(trials) / elapsed)
    return best


# --- through the worker ---------------------------------------------------------------------------------

_SPINAL_FIELDS = ("level_from", "level_to")


def _code(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_code(v) for v in value]
    return value.value if isinstance(value, StrEnum) else value


def _case_row(facts: CaseFacts) -> dict[str, Any]:
    """A random case as ``Case`` model fields; fields the database ties to another histology are dropped."""
    from apps.cases.facts import CASE_FIELD_NAMES

    row = {name: _code(getattr(facts, name)) for name in CASE_FIELD_NAMES if name not in {"date_of_birth", "as_of"}}
    histology = row["primary_histology"]
    for name, owner in (
        ("er_status", "breast"),
        ("pr_status", "breast"),
        ("her2_status", "breast"),
        ("castration_status", "prostate"),
        ("egfr_mutation", "nsclc"),
        ("alk_rearrangement", "nsclc"),
    ):
        if histology != owner:
            row[name] = None
    return row


def _lesion_row(lesion: LesionFacts) -> dict[str, Any]:
    """A random lesion as ``Lesion`` model fields, within the database's constraints."""
    from apps.cases.facts import LESION_FIELD_NAMES

    row = {name: _code(getattr(lesion, name)) for name in LESION_FIELD_NAMES}
    if lesion.site in SPINAL_SITES:
        row["cortical_involvement"] = row["pain"] = None
        if row["level_from"] is None:
            row["level_to"] = None
    return row


def _vary(node: Any, rng: random.Random) -> Any:
    """A copy of a criteria tree with each numeric comparison threshold moved a little (same shape)."""
    if isinstance(node, list):
        return [_vary(item, rng) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _vary(value, rng) for key, value in node.items()}
    value = out.get("value")
    if "op" in out and not isinstance(value, bool):
        if isinstance(value, int):
            out["value"] = max(0, value + rng.choice((-1, 0, 1)))
        elif isinstance(value, float):
            out["value"] = round(max(0.0, value * rng.uniform(0.8, 1.2)), 1)
        elif isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value):
            low = max(0, value[0] + rng.choice((-1, 0, 1)))
            out["value"] = [low, max(low, value[1] + rng.choice((-1, 0, 1)))]
    return out


def synthetic_trials(count: int, tag: str, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` recruiting copies of the seeded trials (in turn) with varied thresholds, each valid."""
    from apps.trials.engine import CriteriaValidationError, check_trial

    seeds = load_seed_trials()
    out = []
    for i in range(count):
        seed = seeds[i % len(seeds)]
        definition = {
            **seed,
            "identifier": f"{tag}-{i:02d}",
            "short_name": f"{seed['short_name']} (bench {i:02d})"[:120],
            "status": "recruiting",
            "criteria": _vary(seed["criteria"], rng),
        }
        try:
            check_trial(definition)
        except CriteriaValidationError:
            definition["criteria"] = seed["criteria"]  # a variation the schema refuses: keep the seed's
        out.append(definition)
    return out


def _start_worker(queue: str, concurrency: int, log_path: Path) -> subprocess.Popen[bytes]:
    """A real Celery worker on ``queue`` (prefork, as deployed; solo for one process)."""
    pool = ["-P", "solo"] if concurrency == 1 else ["-P", "prefork", "-c", str(concurrency)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tumorboard.settings.base", "CELERY_TASK_ALWAYS_EAGER": "false"}
    log = log_path.open("wb")
    return subprocess.Popen(  # noqa: S603 - fixed argv, our own worker
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tumorboard",
            "worker",
            *pool,
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker_benchmark(
    *,
    n_cases: int = 10_000,
    n_trials: int = 50,
    concurrency: int = 2,
    seed: int = 20261123,
    keep: bool = False,
    timeout: float = 3600.0,
    fan_out: str = "all",
) -> dict[str, Any]:
    """Time the re-match of every open case against every trial through a real worker (see the module doc).

    Returns the figures: seconds from enqueueing the ``rematch_trial`` tasks to the last match written,
    cases, trials, open cases in the database, matches written for the generated cases.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import F, Q

    from apps.accounts.models import Board, Institution
    from apps.cases.models import Case, Lesion, Patient
    from apps.cases.workflow import CaseStatus
    from apps.trials.engine.matcher import criteria_digest
    from apps.trials.models import Trial, TrialMatch, TrialVersion
    from apps.trials.tasks import rematch_open_cases, rematch_trial
    from tumorboard.celery import app

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("--through-worker needs DATABASE_URL (PostgreSQL) and REDIS_URL (the worker's broker)")
    app.conf.task_always_eager = False
    rng = random.Random(seed)
    tag = f"BENCH-{time.time_ns()}"

    # Untimed set-up: cases, lesions and synthetic trials written directly (bench data, not clinical edits).
    started_setup = time.perf_counter()
    institution, _ = Institution.objects.get_or_create(code="bench-trials", defaults={"name": "Trial benchmark hospital"})
    board, _ = Board.objects.get_or_create(institution=institution, name="Trial matching benchmark")
    with transaction.atomic():
        patients = Patient.objects.bulk_create(
            Patient(
                institution=institution,
                mrn=f"{tag}-{i}",
                given_name="Bench",
                family_name=f"Patient {i}",
                date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randrange(20_000)),
            )
            for i in range(n_cases)
        )
        facts = [random_case(rng) for _ in range(n_cases)]
        statuses = [CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED]
        cases = Case.objects.bulk_create(
            (
                Case(board=board, patient=patient, question="Benchmark case", status=rng.choice(statuses), **_case_row(f))
                for patient, f in zip(patients, facts, strict=True)
            ),
            batch_size=2_000,
        )
        Lesion.objects.bulk_create(
            (Lesion(case=case, **_lesion_row(lesion)) for case, f in zip(cases, facts, strict=True) for lesion in f.lesions),
            batch_size=5_000,
        )
        synthetic = synthetic_trials(max(0, n_trials - Trial.objects.count()), tag, rng)
        trials = Trial.objects.bulk_create(
            Trial(
                identifier=d["identifier"],
                short_name=d["short_name"],
                title=d["title"],
                phase=d.get("phase"),
                status=d["status"],
                sponsor=d.get("sponsor"),
                summary=d["summary"],
                current_version=1,
            )
            for d in synthetic
        )
        TrialVersion.objects.bulk_create(
            TrialVersion(trial=t, version=1, definition={**d, "version": 1}, criteria_digest=criteria_digest(d["criteria"]))
            for t, d in zip(trials, synthetic, strict=True)
        )
    case_ids = [c.pk for c in cases]
    trial_ids = list(Trial.objects.order_by("pk").values_list("pk", flat=True))
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).count()
    expected = n_cases * len(trial_ids)
    setup_seconds = time.perf_counter() - started_setup

    queue = f"bench-matching-{os.getpid()}"
    log_path = Path(tempfile.gettempdir()) / f"{queue}.log"
    worker = _start_worker(queue, concurrency, log_path)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    current = TrialMatch.objects.filter(case__board=board, trial_version__version=F("trial__current_version"))
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start; see {log_path}")
        started = time.perf_counter()
        if fan_out == "per-trial":
            for trial_id in trial_ids:
                rematch_trial.apply_async((trial_id,), queue=queue)
        else:
            rematch_open_cases.apply_async(queue=queue)
        written = 0
        while True:
            if worker.poll() is not None:
                raise SystemExit(f"the Celery worker exited with {worker.returncode}; see {log_path}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"timed out after {timeout:.0f} s with {written} of {expected} matches; see {log_path}")
            # Cheap check first: nothing is left in the queue before the last chunks finish.
            if broker.llen(queue) == 0:
                written = current.count()
                if written >= expected:
                    break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        log_path.unlink(missing_ok=True)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        broker.delete(queue)
        if not keep:
            # only("pk"): the deletion collector would otherwise load every match with its payload.
            TrialMatch.objects.filter(Q(case_id__in=case_ids) | Q(trial__in=trials)).only("pk").delete()
            Case.objects.filter(pk__in=case_ids).delete()
            Patient.objects.filter(pk__in=[p.pk for p in patients]).delete()
            Trial.objects.filter(pk__in=[t.pk for t in trials]).delete()
    return {
        "benchmark": "through_worker",
        "seconds": round(elapsed, 1),
        "cases": n_cases,
        "trials": len(trial_ids),
        "open_cases": open_cases,
        "matches_written": written,
        "evaluations_per_second": round(expected / elapsed),
        "fan_out": fan_out,
        "concurrency": concurrency,
        "setup_seconds": round(setup_seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2_000, help="random cases per run (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is reported (default 5)")
    parser.add_argument("--seed", type=int, default=20261123, help="random seed")
    parser.add_argument("--to-dict", action="store_true", help="also serialise every match with to_dict()")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    parser.add_argument(
        "--through-worker",
        action="store_true",
        help="time the re-match of every open case against every trial through a real Celery worker instead",
    )
    parser.add_argument("--worker-cases", type=int, default=10_000, help="--through-worker: cases (default 10000)")
    parser.add_argument("--trials", type=int, default=50, help="--through-worker: trials in the registry (default 50)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 1,
        help="--through-worker: worker processes (default: the CPU count, as a deployed worker)",
    )
    parser.add_argument(
        "--fan-out",
        choices=("all", "per-trial"),
        default="all",
        help="--through-worker: one rematch_open_cases pass against every trial (default), or one rematch_trial "
        "per trial, as when every trial is edited",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="--through-worker: give up after this many s")
    parser.add_argument("--keep", action="store_true", help="--through-worker: keep the generated cases and trials")
    args = parser.parse_args(argv)

    if args.through_worker:
        result = worker_benchmark(
            n_cases=args.worker_cases,
            n_trials=args.trials,
            concurrency=args.concurrency,
            seed=args.seed,
            keep=args.keep,
            timeout=args.timeout,
            fan_out=args.fan_out,
        )
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"re-match through the worker: {result['cases']:,} cases x {result['trials']} trials in "
                f"{result['seconds']:,.1f} s ({result['evaluations_per_second']:,} case-trial matches/s; "
                f"{result['open_cases']:,} open cases in the database; worker concurrency {result['concurrency']}; "
                f"fan-out {result['fan_out']}; set-up {result['setup_seconds']:.0f} s untimed)"
            )
        return 0

    rate = pure_benchmark(cases=args.cases, repeat=args.repeat, seed=args.seed, to_dict=args.to_dict)
    trials = len(load_seed_trials())
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "pure",
                    "evaluations_per_second": round(rate),
                    "trials": trials,
                    "cases": args.cases,
                    "to_dict": args.to_dict,
                    "target": TARGET_PER_SECOND,
                }
            )
        )
    else:
        print(
            f"pure matcher: {rate:,.0f} case-trial evaluations/s "
            f"({trials} seeded trials x {args.cases} random cases, best of {args.repeat}"
            f"{', with to_dict()' if args.to_dict else ''}); target {TARGET_PER_SECOND:,}/s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
