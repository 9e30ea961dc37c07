"""Query counts (and the time spent in SQL) of each page and endpoint, on the generated data.

Run from the repository root after ``bench/generate.py``::

    DATABASE_URL=postgres://... .venv/bin/python bench/queries.py [--markdown out.md] [--json out.json]

Each request goes through Django's test client (in process, no server) as a member of the generator's
first board, inside ``CaptureQueriesContext``: the figures are the number of queries, the milliseconds
the database took for them, the whole request's milliseconds and the response size. The request is made
twice and the second counted (the first warms caches such as the content types). A case creation is
counted too (``POST /api/v1/cases/``), then the case it made is left on the board like any other.
Tests pin these counts (``tests/*/test_*query*``); this script shows them on a full-size board.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench._common import load_average, stamp, write_outputs  # noqa: E402 - after the path fix above

#: (name, method, path template); ``{case}``, ``{meeting}`` are filled from the data.
REQUESTS: tuple[tuple[str, str, str], ...] = (
    ("minimal case list", "GET", "/bench/minimal/cases/?page_size=50"),
    ("case list API (50)", "GET", "/api/v1/cases/?page_size=50"),
    ("case list page", "GET", "/cases/"),
    ("minimal case detail", "GET", "/bench/minimal/cases/{case}/"),
    ("case detail API", "GET", "/api/v1/cases/{case}/"),
    ("case detail page", "GET", "/cases/{case}/"),
    ("trial matches API", "GET", "/api/v1/cases/{case}/trial-matches/"),
    ("meetings API", "GET", "/api/v1/meetings/"),
    ("agenda API", "GET", "/api/v1/meetings/{meeting}/agenda/"),
    ("meeting page", "GET", "/meetings/{meeting}/"),
    ("meeting mode API", "GET", "/api/v1/meetings/{meeting}/live/"),
    ("meeting mode page", "GET", "/meetings/{meeting}/live/"),
    ("meeting mode panel", "GET", "/meetings/{meeting}/live/panel/"),
    ("decisions of a case API", "GET", "/api/v1/cases/{case}/decisions/"),
    ("home page", "GET", "/"),
    ("healthz", "GET", "/healthz"),
)


#: The MRNs of the patients the benchmarks' case creations register (never the generator's).
POSTED_MRN_PREFIX = "QCOUNT-"


def new_case_body(board_id: int, seed: int) -> dict[str, Any]:
    """A case with a new patient, three lesions and a prior course: what an intake posts."""
    return {
        "board": board_id,
        "patient": {
            "mrn": f"{POSTED_MRN_PREFIX}{seed}",
            "given_name": "Query",
            "family_name": "Count",
            "date_of_birth": "1950-02-03",
        },
        "question": "SBRT candidate?",
        "primary_histology": "breast",
        "er_status": "positive",
        "ecog": 1,
        "lesions": [
            {"site": "thoracic_spine", "level_from": "T8", "level_to": "T9", "spinal_pain": "mechanical"},
            {"site": "femur", "subsite": "femoral_neck", "pain": "moderate", "cortical_involvement": "one_third_to_two_thirds"},
            {"site": "pelvis", "max_diameter_mm": 22.5},
        ],
        "prior_radiotherapy": [
            {"region": "T8", "site": "thoracic_spine", "level_from": "T8", "total_dose_gy": 8, "fractions": 1}
        ],
    }


def measure(tag: str = "bench", include_create: bool = True) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    os.environ.setdefault("TUMORBOARD_BENCH", "1")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User
    from apps.accounts.services import api_token_create
    from apps.cases.models import Case
    from apps.meetings.models import Meeting

    user = User.objects.filter(memberships__board__institution__code=tag, role="coordinator").order_by("pk").first()
    if user is None:
        raise SystemExit(f"no coordinator of tag {tag!r}: run bench/generate.py first")
    board_id = user.memberships.order_by("board_id").first().board_id  # type: ignore[union-attr]
    # A generator's case (the creations this script and the load test post have no derived results).
    case = (
        Case.objects.filter(board_id=board_id)
        .exclude(patient__mrn__startswith=POSTED_MRN_PREFIX)
        .order_by("-created_at", "-id")
        .first()
    )
    meeting = (
        Meeting.objects.filter(board_id=board_id, status="scheduled")
        .annotate(n=Count("items"))
        .order_by("-n", "starts_at")
        .first()
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='bench/queries.py')[1]}")
    client.force_login(user)
    rows = []

    def one(name: str, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        call = client.post if method == "POST" else client.get
        if method == "GET":
            call(path)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = call(path, body, content_type="application/json") if body is not None else call(path)
            elapsed = (time.perf_counter() - started) * 1000
        sql_ms = sum(float(q.get("time") or 0) for q in queries.captured_queries) * 1000
        rows.append(
            {
                "request": name,
                "path": path,
                "status": response.status_code,
                "queries": len(queries),
                "sql_ms": round(sql_ms, 1),
                "request_ms": round(elapsed, 1),
                "bytes": len(response.content),
            }
        )

    for name, method, template in REQUESTS:
        if "{meeting}" in template and meeting is None:
            continue
        one(name, method, template.format(case=case.pk if case else 0, meeting=meeting.pk if meeting else 0))
    if include_create:
        creator = User.objects.filter(memberships__board_id=board_id, role="radiation_oncologist").first()
        if creator is not None:
            client.force_login(creator)
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token_create(user=creator, name='bench/queries.py')[1]}"
            one("case creation API (3 lesions)", "POST", "/api/v1/cases/", new_case_body(board_id, time.time_ns()))
    return {
        "date": stamp(),
        "load": load_average(),
        "board_cases": Case.objects.filter(board_id=board_id).count(),
        "agenda_items": meeting.items.count() if meeting else 0,
        "rows": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"Query counts {result['date']} on a board of {result['board_cases']:,} cases (agenda of {result['agenda_items']}); "
        f"load average {result['load']}.",
        "",
        "| request | status | queries | SQL ms | request ms | KB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['request']} | {r['status']} | {r['queries']} | {r['sql_ms']:g} | {r['request_ms']:g} | {r['bytes'] / 1024:.1f} |"
        for r in result["rows"]
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="bench", help="the generator's tag (default bench)")
    parser.add_argument("--no-create", action="store_true", help="do not count a case creation")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    result = measure(args.tag, include_create=not args.no_create)
    table = markdown(result)
    print(table)
    write_outputs(result, table, args.json, args.markdown)
    return 1 if any(r["status"] >= 400 for r in result["rows"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
