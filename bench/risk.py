"""Throughput of the SRE risk engine: ``assess_lesion`` over a realistic mix of random lesions.

Run from the repository root: ``.venv/bin/python bench/risk.py`` (or ``python -m bench.risk``). Prints
lesions per second (best of the repeats). The target is >= 50,000 lesions/s on a 2-core box.

Structure: ``pure_benchmark()`` times the pure engine and returns the figure; ``main()`` parses the
arguments and prints. ``--through-worker`` (``worker_benchmark()``) instead bulk-creates ``--cases`` random
cases of 3 lesions in the configured database (``DATABASE_URL``) and times ``manage.py recompute_risk``
over them (cases/s); the generated cases are deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

# Running the file directly puts bench/ (not the repository root) on sys.path.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import (
    SITE_LEVELS,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    VERTEBRAL_LEVELS,
    Alignment,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    LimbPain,
    PosterolateralInvolvement,
    PrimaryHistology,
    RadiographicType,
    Site,
    SpinalPain,
    VertebralCollapse,
)
from apps.risk.engine import assess_lesion

T = TypeVar("T")

#: Relative frequency of sites among bone metastases referred to a board (spine and pelvis dominate).
SITE_WEIGHTS: dict[Site, int] = {
    Site.THORACIC_SPINE: 20,
    Site.LUMBAR_SPINE: 13,
    Site.CERVICAL_SPINE: 5,
    Site.SACRUM: 6,
    Site.PELVIS: 12,
    Site.FEMUR: 12,
    Site.HUMERUS: 6,
    Site.RIB: 10,
    Site.SCAPULA: 3,
    Site.SKULL: 3,
    Site.STERNUM: 2,
    Site.TIBIA: 2,
    Site.CLAVICLE: 1,
    Site.RADIUS: 1,
    Site.OTHER: 1,
    Site.PHALANX: 1,
    Site.METATARSAL: 1,
    Site.METACARPAL: 1,
}
#: Share of fields left unknown (None), as in real referrals.
UNKNOWN_SHARE = 0.12
GRADES = (
    [EpiduralCompressionGrade.G0] * 50
    + [EpiduralCompressionGrade.G1A, EpiduralCompressionGrade.G1B, EpiduralCompressionGrade.G1C] * 10
    + [EpiduralCompressionGrade.G2, EpiduralCompressionGrade.G3] * 5
)


def _maybe(rng: random.Random, choices: Sequence[T]) -> T | None:
    return None if rng.random() < UNKNOWN_SHARE else rng.choice(choices)


def random_lesion(rng: random.Random, index: int) -> LesionFacts:
    """One random lesion: site by frequency, every other field drawn from its vocabulary or unknown."""
    site = rng.choices(list(SITE_WEIGHTS), weights=list(SITE_WEIGHTS.values()))[0]
    level_from = level_to = None
    spinal = site in SPINAL_SITES
    if spinal:
        region = sorted(SITE_LEVELS[site], key=VERTEBRAL_LEVELS.index)
        start = rng.randrange(len(region))
        level_from = region[start]
        span = rng.choices((0, 1, 2), weights=(70, 20, 10))[0]
        if span:
            level_to = VERTEBRAL_LEVELS[min(VERTEBRAL_LEVELS.index(level_from) + span, len(VERTEBRAL_LEVELS) - 1)]
    subsites = sorted(SUBSITES_BY_SITE.get(site, ()))
    return LesionFacts(
        site=site,
        subsite=_maybe(rng, subsites) if subsites else None,
        level_from=level_from,
        level_to=level_to,
        radiographic_type=_maybe(rng, list(RadiographicType)),
        cortical_involvement=None if spinal else _maybe(rng, list(CorticalInvolvement)),
        max_diameter_mm=None if rng.random() < UNKNOWN_SHARE else round(rng.uniform(4, 80), 1),
        symptomatic=_maybe(rng, (True, False)),
        pain=None if spinal else _maybe(rng, list(LimbPain)),
        spinal_pain=_maybe(rng, list(SpinalPain)) if spinal else None,
        alignment=_maybe(rng, list(Alignment)) if spinal else None,
        vertebral_collapse=_maybe(rng, list(VertebralCollapse)) if spinal else None,
        posterolateral_involvement=_maybe(rng, list(PosterolateralInvolvement)) if spinal else None,
        epidural_compression_grade=_maybe(rng, GRADES) if spinal else None,
        posterior_element_involvement=_maybe(rng, (True, False)) if spinal else None,
        prior_radiotherapy=_maybe(rng, (True, False)),
        ref=f"lesion-{index}",
    )


def random_cases(rng: random.Random, n_lesions: int, lesions_per_case: int = 6) -> list[CaseFacts]:
    """Random cases holding ``n_lesions`` random lesions in all, each with its own histology and survival."""
    cases = []
    for start in range(0, n_lesions, lesions_per_case):
        lesions = tuple(random_lesion(rng, i) for i in range(start, min(start + lesions_per_case, n_lesions)))
        cases.append(
            CaseFacts(
                primary_histology=rng.choice(list(PrimaryHistology)),
                estimated_survival_months=_maybe(rng, (2.0, 4.5, 8.0, 14.0, 30.0)),
                lesions=lesions,
                ref=f"case-{start}",
            )
        )
    return cases


def pure_benchmark(n_lesions: int = 20_000, repeats: int = 5, seed: int = 20261123) -> float:
    """Best-of-``repeats`` throughput of ``assess_lesion(lesion, case)`` in lesions per second.

    Each repeat draws its own lesions (generated before timing), so the engine's memo tables help only as
    much as the mix of inputs repeats itself, not because the same lesions come round again.
    """
    rounds = [
        [(lesion, case) for case in random_cases(random.Random(seed + r), n_lesions) for lesion in case.lesions]
        for r in range(repeats)
    ]
    best = 0.0
    for pairs in rounds:
        started = time.perf_counter()
        for lesion, case in pairs:
            assess_lesion(lesion, case)
        elapsed = time.perf_counter() - started
        best = max(best, len(pairs) / elapsed)
    return best


def _lesion_row(lesion: LesionFacts) -> dict[str, object]:
    """A random lesion as ``Lesion`` model fields (codes, not enum members); a level_to outside the site's
    region (the generator may step into the next region) is dropped, as the database would refuse it."""
    from apps.cases.facts import LESION_FIELD_NAMES

    row = {name: getattr(lesion, name) for name in LESION_FIELD_NAMES}
    row = {name: value.value if isinstance(value, StrEnum) else value for name, value in row.items()}
    if row["level_to"] is not None and row["level_to"] not in SITE_LEVELS[lesion.site]:
        row["level_to"] = None
    return row


def worker_benchmark(n_cases: int = 1_000, chunk_size: int = 200, seed: int = 20261123, keep: bool = False) -> tuple[float, int]:
    """Time ``manage.py recompute_risk`` over ``n_cases`` generated cases of 3 lesions each.

    The cases are bulk-created in the configured database (``DATABASE_URL``) on a dedicated "Risk
    benchmark" board, after an untimed recompute of whatever else needed it, so the timed run covers the
    generated cases only. They are deleted afterwards unless ``keep``. Returns (cases/s, cases assessed).
    """
    import datetime as dt
    import io
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.local")
    django.setup()
    from django.core.management import call_command

    from apps.accounts.models import Board, Institution
    from apps.cases.models import Case, Lesion, Patient
    from apps.risk.models import RiskAssessment

    rng = random.Random(seed)
    call_command("recompute_risk", "--wait", verbosity=0, stdout=io.StringIO())
    institution, _ = Institution.objects.get_or_create(code="bench-risk", defaults={"name": "Risk benchmark hospital"})
    board, _ = Board.objects.get_or_create(institution=institution, name="Risk benchmark board")
    tag = f"BENCH-{time.time_ns()}"
    patients = Patient.objects.bulk_create(
        Patient(
            institution=institution,
            mrn=f"{tag}-{i}",
            given_name="Bench",
            family_name=f"Patient {i}",
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(15_000)),
        )
        for i in range(n_cases)
    )
    facts = random_cases(rng, n_cases * 3, lesions_per_case=3)
    cases = Case.objects.bulk_create(
        Case(
            board=board,
            patient=patient,
            question="Benchmark case",
            primary_histology=f.primary_histology,
            estimated_survival_months=f.estimated_survival_months,
        )
        for patient, f in zip(patients, facts, strict=True)
    )
    Lesion.objects.bulk_create(
        Lesion(case=case, **_lesion_row(lesion)) for case, f in zip(cases, facts, strict=True) for lesion in f.lesions
    )
    case_ids = [case.pk for case in cases]
    try:
        started = time.perf_counter()
        call_command("recompute_risk", "--chunk-size", str(chunk_size), "--wait", verbosity=0, stdout=io.StringIO())
        elapsed = time.perf_counter() - started
        assessed = RiskAssessment.objects.filter(case_id__in=case_ids, is_current=True).count()
    finally:
        if not keep:
            Case.objects.filter(pk__in=case_ids).delete()
            Patient.objects.filter(pk__in=[p.pk for p in patients]).delete()
    return assessed / elapsed, assessed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesions", type=int, default=20_000, help="lesions per repeat (default 20000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats, best kept (default 5)")
    parser.add_argument("--seed", type=int, default=20261123, help="random seed of the lesion mix")
    parser.add_argument(
        "--through-worker",
        action="store_true",
        help="time recompute_risk over generated cases stored in the configured database instead",
    )
    parser.add_argument("--cases", type=int, default=1_000, help="--through-worker: cases, 3 lesions each")
    parser.add_argument("--chunk-size", type=int, default=200, help="--through-worker: cases per chunk")
    parser.add_argument("--keep", action="store_true", help="--through-worker: keep the generated cases")
    args = parser.parse_args(argv)
    if args.through_worker:
        rate, assessed = worker_benchmark(args.cases, args.chunk_size, args.seed, args.keep)
        print(f"recompute_risk: {rate:,.0f} cases/s, {rate * 3:,.0f} lesions/s ({assessed} cases assessed)")
        return 0 if assessed == args.cases else 1
    rate = pure_benchmark(args.lesions, args.repeats, args.seed)
    print(f"pure assess_lesion: {rate:,.0f} lesions/s ({args.lesions} lesions, best of {args.repeats})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
