"""Benchmark of the trial matcher: case-trial evaluations per second.

``pure_benchmark()`` measures the pure engine (``apps.trials.engine``): the seeded trials are validated
and compiled once, then random cases are matched against every trial, each evaluation producing the full
``TrialMatch`` (every criterion's result, explanation and missing fields). The schema is never consulted
on the hot path. Target: >= 100,000 evaluations/s on one core of the 2-core reference machine.

Run: ``.venv/bin/python bench/matching.py [--cases N] [--repeat R] [--seed S] [--to-dict] [--json]``.
A later ``--through-worker`` part (matching via the Celery task and the database) can be added next to
``pure_benchmark`` and selected from ``main``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
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
        distance_to_spinal_cord_mm=_maybe(rng, round(rng.uniform(0, 15), 1))
        if site in SPINAL_SITES
        else None,
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


def pure_benchmark(
    *, cases: int = 2_000, repeat: int = 5, seed: int = 20261123, to_dict: bool = False
) -> float:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2_000, help="random cases per run (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is reported (default 5)")
    parser.add_argument("--seed", type=int, default=20261123, help="random seed")
    parser.add_argument("--to-dict", action="store_true", help="also serialise every match with to_dict()")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    args = parser.parse_args(argv)

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
