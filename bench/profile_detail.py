"""CPU per request of the case detail (API and page) beside the minimal view, with a pyinstrument profile.

Run from the repository root after ``bench/generate.py`` and the recomputes (so the case has every derived
result)::

    DATABASE_URL=postgres://... .venv/bin/python bench/profile_detail.py [--requests 50] [--html out.html]

In process (Django's test client, no server), as a member of the generator's first board, on the newest
case that has a risk assessment, treatment options, a dose summary and trial matches. Each request is made
once to warm up, then ``--requests`` times while ``time.process_time`` counts this process's CPU: the
figure is CPU milliseconds per request (what the web worker spends, the database's own work excluded), a
ratio to the minimal view's in the same run. ``--profile`` prints pyinstrument's call tree of the API
requests (``--profile-request`` names another: the page, the trial matches API; ``--html`` writes it as
a page). ``--calls`` adds Python function calls per request (cProfile's count, 20 requests): it does not
depend on what else the machine runs, so a before/after on a shared machine can be compared.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench._common import load_average, stamp  # noqa: E402 - after the path fix above


def _cpu_ms(call: Callable[[], Any], n: int) -> float:
    call()  # warm-up
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) * 1000 / n


def _calls(call: Callable[[], Any], n: int) -> int:
    """Python function calls per request (cProfile's count): the same on an idle or a loaded machine."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    return int(pstats.Stats(profiler).total_calls) // n  # type: ignore[attr-defined]


def measure(
    tag: str = "bench",
    n: int = 50,
    profile: bool = False,
    html: Path | None = None,
    profile_request: str = "case detail API",
    calls: bool = False,
) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    os.environ.setdefault("TUMORBOARD_BENCH", "1")
    import django

    django.setup()
    from django.db.models import Exists, OuterRef
    from django.test import Client

    from apps.accounts.models import User
    from apps.accounts.services import api_token_create
    from apps.cases.models import Case
    from apps.dosimetry.models import DoseSummary
    from apps.options.models import TreatmentOptionsResult
    from apps.risk.models import RiskAssessment
    from apps.trials.models import TrialMatch

    user = User.objects.filter(memberships__board__institution__code=tag, role="coordinator").order_by("pk").first()
    if user is None:
        raise SystemExit(f"no coordinator of tag {tag!r}: run bench/generate.py first")
    board_id = user.memberships.order_by("board_id").first().board_id  # type: ignore[union-attr]
    board_cases = Case.objects.filter(board_id=board_id).order_by("-created_at", "-id")
    case = (
        board_cases.filter(Exists(RiskAssessment.objects.filter(case_id=OuterRef("pk"), is_current=True)))
        .filter(Exists(TreatmentOptionsResult.objects.filter(case_id=OuterRef("pk"), is_current=True)))
        .filter(Exists(DoseSummary.objects.filter(plan__case_id=OuterRef("pk"), is_current=True)))
        .filter(Exists(TrialMatch.objects.filter(case_id=OuterRef("pk"))))
        .first()
    )
    complete = case is not None
    if case is None:  # no recompute has run (the smoke test's data): the newest case, its sections pending
        case = board_cases.first()
    if case is None:
        raise SystemExit(f"no case on the board of tag {tag!r}: run bench/generate.py first")
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='bench/profile_detail.py')[1]}")
    client.force_login(user)
    paths = {
        "minimal case detail": f"/bench/minimal/cases/{case.pk}/",
        "minimal full case detail": f"/bench/minimal/cases/{case.pk}/full/",
        "case detail API": f"/api/v1/cases/{case.pk}/",
        "case detail page": f"/cases/{case.pk}/",
        "trial matches API": f"/api/v1/cases/{case.pk}/trial-matches/",
    }
    rows = []
    for name, path in paths.items():
        response = client.get(path)
        if response.status_code == 404 and path.startswith("/bench/"):
            continue  # the minimal views are mounted only with TUMORBOARD_BENCH=1 at start-up
        assert response.status_code == 200, (path, response.status_code)
        cpu = _cpu_ms(lambda p=path: client.get(p), n)  # type: ignore[misc]
        row: dict[str, Any] = {"request": name, "cpu_ms": round(cpu, 1), "bytes": len(response.content)}
        if calls:
            row["calls"] = _calls(lambda p=path: client.get(p), min(n, 20))  # type: ignore[misc]
        rows.append(row)
    base = rows[0]["cpu_ms"] if rows[0]["request"] == "minimal case detail" else None
    for row in rows:
        row["ratio"] = round(row["cpu_ms"] / base, 1) if base else None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(n):
                client.get(paths[profile_request])
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        if html is not None:
            html.write_text(profiler.output_html())
    return {"date": stamp(), "load": load_average(), "case": case.pk, "every_result": complete, "requests": n, "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    calls = any("calls" in r for r in result["rows"])
    lines = [
        f"CPU per request, {result['requests']} requests each, case {result['case']}, {result['date']}, load {result['load']}",
        "",
        "| request | CPU ms / request | / minimal | KB |" + (" Python calls / request |" if calls else ""),
        "| --- | --- | --- | --- |" + (" --- |" if calls else ""),
    ]
    for r in result["rows"]:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']}x"
        extra = f" {r['calls']:,} |" if calls else ""
        lines.append(f"| {r['request']} | {r['cpu_ms']} | {ratio} | {r['bytes'] / 1024:.1f} |{extra}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="bench", help="the generator's tag (default bench)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's call tree of the API requests")
    parser.add_argument(
        "--profile-request",
        default="case detail API",
        help="which request --profile runs (default 'case detail API'; 'case detail page', 'trial matches API')",
    )
    parser.add_argument("--html", type=Path, help="write the profile as HTML (with --profile)")
    parser.add_argument(
        "--calls", action="store_true", help="add Python function calls per request (cProfile): repeatable under load"
    )
    args = parser.parse_args(argv)
    print(markdown(measure(args.tag, args.requests, args.profile, args.html, args.profile_request, args.calls)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
