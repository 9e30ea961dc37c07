"""Benchmark of the pure dose engine: regimens evaluated per second (BED + EQD2 of every level).

Random regimens: 1-30 fractions, 1-60 Gy per level, alpha/beta among the clinical values (10, 3, 2, 0.87)
or uniform in 0.5-15; 30 % are simultaneous integrated boosts with 2-3 levels. Inputs are generated before
timing; the figure is the best of ``--repeat`` runs (least disturbed by other processes).

Two paths are timed:

* ``validated``: ``apps.dosimetry.engine.evaluate`` on API-shaped input (a list of
  ``{"fractions", "total_dose_gy"}`` dicts): validation + BED/EQD2 + result objects, what the ``dose``
  calculator runs. This is the figure :func:`pure_benchmark` returns (target >= 200,000 regimens/s).
* ``fast``: ``apps.dosimetry.engine.bed_eqd2`` on plain floats, no validation (bulk callers).

Run: ``.venv/bin/python bench/dose.py [--regimens 200000] [--repeat 5] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.dosimetry.engine import bed_eqd2, evaluate

TARGET_PER_SECOND = 200_000
CLINICAL_ALPHA_BETA = (10.0, 3.0, 2.0, 0.87)

Regimen = tuple[int, tuple[float, ...], float]


def random_regimens(count: int, seed: int) -> list[Regimen]:
    """``count`` random ``(fractions, level doses, alpha/beta)`` regimens, 30 % of them SIB."""
    rng = random.Random(seed)
    out: list[Regimen] = []
    for _ in range(count):
        fractions = rng.randint(1, 30)
        levels = 1 if rng.random() < 0.7 else rng.randint(2, 3)
        ab = rng.choice(CLINICAL_ALPHA_BETA) if rng.random() < 0.5 else rng.uniform(0.5, 15.0)
        out.append((fractions, tuple(rng.uniform(1.0, 60.0) for _ in range(levels)), ab))
    return out


def _time_validated(requests: list[tuple[list[dict[str, Any]], float]]) -> float:
    start = time.perf_counter()
    for levels, ab in requests:
        evaluate(levels, ab)
    return time.perf_counter() - start


def _time_fast(regimens: list[Regimen]) -> float:
    start = time.perf_counter()
    for fractions, doses, ab in regimens:
        for dose in doses:
            bed_eqd2(dose, fractions, ab)
    return time.perf_counter() - start


def pure_benchmark(regimens: int = 200_000, repeat: int = 5, seed: int = 1, mode: str = "validated") -> float:
    """Regimens per second of the pure engine (best of ``repeat``); ``mode`` is ``validated`` or ``fast``."""
    data = random_regimens(regimens, seed)
    if mode == "fast":
        best = min(_time_fast(data) for _ in range(repeat))
    elif mode == "validated":
        requests = [([{"fractions": n, "total_dose_gy": d} for d in doses], ab) for n, doses, ab in data]
        best = min(_time_validated(requests) for _ in range(repeat))
    else:
        raise ValueError(f"unknown mode {mode!r}: validated or fast")
    return regimens / best


def main(argv: list[str] | None = None) -> int:
    """Print regimens/s of both paths; exit 1 when the validated path is under the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--regimens", type=int, default=200_000, help="regimens per run (default 200000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is kept (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    validated = pure_benchmark(args.regimens, args.repeat, args.seed, "validated")
    fast = pure_benchmark(args.regimens, args.repeat, args.seed, "fast")
    print(f"validated evaluate(): {validated:,.0f} regimens/s (target {TARGET_PER_SECOND:,})")
    print(f"fast bed_eqd2():      {fast:,.0f} regimens/s")
    return 0 if validated >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main())
