"""HTTP load test of the pages and endpoints a board uses, each beside its same-run minimal baseline.

Run from the repository root against data made by ``bench/generate.py`` (needs the ``bench`` extra)::

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/load.py \
        --users 1,8,32 --seconds 10 --json artifacts/bench/load.json --markdown artifacts/bench/load.md

It starts gunicorn (``--workers``, default 2, sync workers) on ``127.0.0.1`` with the production settings
(``tumorboard.settings.production``; TLS redirect off, since nothing but loopback is involved, and the
minimal views of ``bench/minimal.py`` mounted by ``TUMORBOARD_BENCH=1``), then drives it with locust's
library runner (headless, in process) one scenario at a time: for each number of users, each scenario
runs for ``--seconds`` with every simulated user requesting it back to back (no think time), so the
figures are the server's capacity at that concurrency. Every request goes to 127.0.0.1 only and the run
stops by itself (bounded by the scenarios x user levels x seconds).

The users are the generator's board members; a preparation step in a separate process (Django without
gevent) gives each an API token and a signed-in session, and picks the cases, the meeting with the
largest agenda and its live page. Pages are requested with the session cookie and ``X-Forwarded-Proto:
https`` (the production settings trust the proxy header, as behind nginx).

Output: a markdown table (p50/p95/p99 ms, requests/s, failures, ratio of p50 to the baseline's p50) and
the same figures as JSON, with ``uptime``'s load average at the start and the end of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench._common import cpu_ticks, load_average, stamp, steal_share, write_outputs  # noqa: E402 - after the path fix above
from bench.queries import POSTED_MRN_PREFIX, new_case_body  # noqa: E402

#: (name, method, path template, auth, baseline). ``auth`` is "token" (API) or "session" (pages);
#: the baseline is the minimal view the figure is divided by.
SCENARIOS: tuple[tuple[str, str, str, str, str], ...] = (
    ("minimal case list", "GET", "/bench/minimal/cases/?page_size=50", "token", ""),
    ("case list API", "GET", "/api/v1/cases/?page_size=50", "token", "minimal case list"),
    ("case list page", "GET", "/cases/", "session", "minimal case list"),
    ("minimal case detail", "GET", "/bench/minimal/cases/{case}/", "token", ""),
    # The same content as the detail API (stored results, the audited read): what the framework adds.
    ("minimal full case detail", "GET", "/bench/minimal/cases/{case}/full/", "token", "minimal case detail"),
    ("case detail API", "GET", "/api/v1/cases/{case}/", "token", "minimal case detail"),
    ("case detail page", "GET", "/cases/{case}/", "session", "minimal case detail"),
    ("trial matches API", "GET", "/api/v1/cases/{case}/trial-matches/", "token", "minimal case detail"),
    ("agenda API", "GET", "/api/v1/meetings/{meeting}/agenda/", "token", "minimal case detail"),
    ("meeting page", "GET", "/meetings/{meeting}/", "session", "minimal case detail"),
    ("meeting mode API", "GET", "/api/v1/meetings/{meeting}/live/", "token", "minimal case detail"),
    ("meeting mode page", "GET", "/meetings/{meeting}/live/", "session", "minimal case detail"),
    ("meeting mode panel", "GET", "/meetings/{meeting}/live/panel/", "session", "minimal case detail"),
    ("case creation API", "POST", "/api/v1/cases/", "token", "minimal case detail"),
    ("minimal ping", "GET", "/bench/minimal/ping", "none", ""),
    ("healthz", "GET", "/healthz", "none", "minimal ping"),
)


def server_env(port: int) -> dict[str, str]:
    """The production settings, pointed at loopback and with the benchmark's baseline views mounted."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tumorboard.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "TUMORBOARD_BENCH": "1",
        # The benchmark's token users have no authenticator: measure the app, not the enrolment wall.
        "DJANGO_REQUIRE_2FA": "false",
        "LOG_LEVEL": "WARNING",
    }


def prepare(tag: str, n_users: int) -> dict[str, Any]:
    """Tokens, sessions and the ids the scenarios use (runs in its own process: no gevent there)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from apps.accounts.models import User
    from apps.accounts.services import api_token_create
    from apps.cases.models import Case
    from apps.meetings.models import Meeting

    users = list(User.objects.filter(memberships__board__institution__code=tag, is_active=True).distinct().order_by("pk"))
    if not users:
        raise SystemExit(f"no users of tag {tag!r}: run bench/generate.py first")
    # The first board's members (six roles); the rest cycle through them.
    board_id = users[0].memberships.first().board_id  # type: ignore[union-attr]
    users = [u for u in users if u.memberships.filter(board_id=board_id).exists()]
    identities = []
    for user in users[: max(1, n_users)]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend (axes only guards logins)
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        _, key = api_token_create(user=user, name="bench/load.py")
        identities.append({"username": user.username, "token": key, "session": session.session_key})
    # The generator's cases, not those an earlier run's creation scenario posted (those have no derived
    # results unless a worker ran, and would make the detail a different, smaller request).
    cases = list(
        Case.objects.filter(board_id=board_id)
        .exclude(patient__mrn__startswith=POSTED_MRN_PREFIX)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:200]
    )
    meeting = (
        Meeting.objects.filter(board_id=board_id, status="scheduled")
        .annotate(n=Count("items"))
        .order_by("-n", "starts_at")
        .values("pk", "n")
        .first()
    )
    board_cases = Case.objects.filter(board_id=board_id).count()
    return {
        "identities": identities,
        "cases": cases,
        "meeting": meeting["pk"] if meeting else None,
        "agenda_items": meeting["n"] if meeting else 0,
        "board_cases": board_cases,
        "board": board_id,
        "all_cases": Case.objects.filter(board__institution__code=tag).count(),
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }


def collect_static(port: int) -> None:
    """The production settings serve hashed static files from a manifest: collect them once."""
    if (ROOT / "staticfiles" / "staticfiles.json").exists():
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=server_env(port), check=True
    )


def start_server(port: int, workers: int, log_path: Path) -> subprocess.Popen[bytes]:
    collect_static(port)
    log = log_path.open("wb")
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own server on loopback
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tumorboard.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        cwd=ROOT,
        env=server_env(port),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc


def wait_ready(port: int, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/minimal/ping", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {log_path}")


def run_scenario(
    host: str, scenario: tuple[str, str, str, str, str], users: int, seconds: float, context: dict[str, Any]
) -> dict[str, Any]:
    """``users`` locust users requesting one scenario back to back for ``seconds``; its figures."""
    import gevent
    from locust import FastHttpUser, constant, task
    from locust.env import Environment

    name, method, template, auth, _ = scenario
    identities = context["identities"]
    cases = context["cases"]
    cookie_name = context["session_cookie"]
    counter = {"n": 0}

    class Clinician(FastHttpUser):
        wait_time = constant(0)

        def on_start(self) -> None:
            me = identities[counter["n"] % len(identities)]
            counter["n"] += 1
            self.headers = {"X-Forwarded-Proto": "https"}
            if auth == "token":
                self.headers["Authorization"] = f"Token {me['token']}"
            elif auth == "session":
                # Set by hand: the production session cookie is Secure and the run is plain HTTP on loopback.
                self.headers["Cookie"] = f"{cookie_name}={me['session']}"
            self.i = counter["n"]

        @task
        def request(self) -> None:
            self.i += 1
            path = template.format(case=cases[self.i % len(cases)], meeting=context["meeting"])
            # A new case with a new patient (3 lesions, a prior course), a unique MRN per request.
            body = new_case_body(context["board"], time.time_ns()) if method == "POST" else None
            expected = 201 if method == "POST" else 200
            with self.client.request(
                method, path, headers=self.headers, json=body, name=name, catch_response=True, allow_redirects=False
            ) as r:
                if r.status_code != expected:
                    r.failure(f"HTTP {r.status_code}")

    env = Environment(user_classes=[Clinician], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users, 1) * 10)
    gevent.sleep(min(1.0, seconds / 5))  # spawn and warm up, then measure from a clean slate
    env.stats.reset_all()
    started = time.perf_counter()
    gevent.sleep(seconds)
    elapsed = time.perf_counter() - started
    runner.quit()
    entry = env.stats.get(name, method)
    errors = [str(e.error) for e in env.stats.errors.values()][:3]
    return {
        "scenario": name,
        "users": users,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "errors": errors,
        "rps": round(entry.num_requests / elapsed, 1) if elapsed else 0.0,
        "p50_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "mean_ms": round(entry.avg_response_time, 1),
        "bytes": round(entry.avg_content_length),
    }


def markdown(result: dict[str, Any]) -> str:
    by_key = {(r["scenario"], r["users"]): r for r in result["rows"]}
    baselines = {s[0]: s[4] for s in SCENARIOS}
    lines = [
        f"Load test {result['date']}: {result['all_cases']:,} cases ({result['board_cases']:,} on the measured board), "
        f"agenda of {result['agenda_items']}, gunicorn {result['workers']} workers, {result['seconds']} s per cell; "
        f"load average at start {result['load_start']}, at end {result['load_end']}"
        + ("" if result.get("cpu_steal") is None else f"; CPU steal {result['cpu_steal']:.1%} of the run")
        + ".",
        "",
        "| scenario | users | p50 ms | p95 ms | p99 ms | req/s | failures | KB | p50 / baseline p50 | p95 / baseline p95 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in result["rows"]:
        base = by_key.get((baselines.get(row["scenario"], ""), row["users"]))
        ratio50 = f"{row['p50_ms'] / base['p50_ms']:.1f}x" if base and base["p50_ms"] else "baseline"
        ratio95 = f"{row['p95_ms'] / base['p95_ms']:.1f}x" if base and base["p95_ms"] else "baseline"
        lines.append(
            f"| {row['scenario']} | {row['users']} | {row['p50_ms']:g} | {row['p95_ms']:g} | {row['p99_ms']:g} | "
            f"{row['rps']:g} | "
            f"{row['failures']} | {row['bytes'] / 1024:.1f} | {ratio50} | {ratio95} |"
        )
    # The detail API over the view that serves the same content (stored results and the audited read):
    # the framework's share alone, beside the table's ratio over the case-row view.
    same = [
        (row, by_key.get(("minimal full case detail", row["users"])))
        for row in result["rows"]
        if row["scenario"] == "case detail API"
    ]
    notes = [
        f"{row['users']} users: p50 {row['p50_ms'] / full['p50_ms']:.1f}x, p95 {row['p95_ms'] / full['p95_ms']:.1f}x"
        for row, full in same
        if full and full["p50_ms"] and full["p95_ms"]
    ]
    if notes:
        lines += ["", "Case detail API over the minimal full case detail (same content): " + "; ".join(notes) + "."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,8,32", help="comma-separated user levels (default 1,8,32)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per scenario and level (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--port", type=int, default=8716, help="port on 127.0.0.1 (default 8716)")
    parser.add_argument("--tag", default="bench", help="the generator's tag (default bench)")
    parser.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the markdown table here")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    levels = [int(u) for u in args.users.split(",") if u]
    if args.prepare:
        print(json.dumps(prepare(args.tag, max(levels))))
        return 0

    prepared = subprocess.run(  # noqa: S603 - this script, preparing in a process without gevent
        [sys.executable, str(Path(__file__).resolve()), "--prepare", "--tag", args.tag, "--users", args.users],
        cwd=ROOT,
        # The server's settings: sessions are signed with its secret key and checked against its hash.
        env=server_env(args.port),
        capture_output=True,
        text=True,
    )
    if prepared.returncode:
        raise SystemExit(f"preparation failed:\n{prepared.stderr[-2000:]}")
    context = json.loads(prepared.stdout.strip().splitlines()[-1])
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    if "case detail API" in wanted:
        wanted.add("minimal full case detail")  # its second baseline
    scenarios = [s for s in SCENARIOS if not wanted or s[0] in wanted or s[0] in {SCENARIOS_BASE.get(w, "") for w in wanted}]
    if context["meeting"] is None:
        scenarios = [s for s in scenarios if "{meeting}" not in s[2]]
    log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{args.port}.log"
    server = start_server(args.port, args.workers, log_path)
    rows = []
    load_start, ticks_start = load_average(), cpu_ticks()
    try:
        wait_ready(args.port, server, log_path)
        host = f"http://127.0.0.1:{args.port}"
        for users in levels:
            for scenario in scenarios:
                row = run_scenario(host, scenario, users, args.seconds, context)
                rows.append(row)
                print(
                    f"{row['scenario']:<22} users={users:<3} p50={row['p50_ms']:>6} p95={row['p95_ms']:>6} "
                    f"p99={row['p99_ms']:>6} ms  {row['rps']:>7} req/s  failures={row['failures']} {row['errors']}",
                    flush=True,
                )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    result = {
        "date": stamp(),
        "load_start": load_start,
        "load_end": load_average(),
        "cpu_steal": steal_share(ticks_start, cpu_ticks()),
        "workers": args.workers,
        "seconds": args.seconds,
        **{k: context[k] for k in ("board_cases", "all_cases", "agenda_items")},
        "rows": rows,
    }
    table = markdown(result)
    print(table)
    write_outputs(result, table, args.json, args.markdown)
    return 1 if any(r["failures"] for r in rows) else 0


#: A scenario named with --only brings its baseline along.
SCENARIOS_BASE = {s[0]: s[4] for s in SCENARIOS}

if __name__ == "__main__":
    raise SystemExit(main())
