"""The meeting hour: clinicians following meeting mode over server-sent events while case views arrive.

Run from the repository root after ``bench/generate.py`` (PostgreSQL and Redis; needs the ``bench``
extra for uvicorn)::

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/meeting_hour.py \
        [--followers 30] [--views-per-minute 200] [--seconds 60] [--step-seconds 5]

The deployed shape on one machine, all on 127.0.0.1: gunicorn (``--workers``, default 2) serves the
pages and the API, uvicorn (one process) serves the event streams (``/meetings/<id>/events/``,
django-eventstream sharing events through Redis), both with the production settings and
``MEETINGS_EVENTSTREAM=true``. The run starts the coming meeting with the largest agenda (its chair,
through the API) and:

- ``--followers`` clinicians hold an event stream open each; on every ``state`` event a follower fetches
  the live panel, as the page does (htmx on the SSE event);
- the chair advances to the next case every ``--step-seconds`` (``POST /api/v1/meetings/<id>/advance/``);
- case views arrive open-loop at ``--views-per-minute`` (API and page alternately, random cases of the
  board), whatever the server's speed, as clinicians would open them.

Reported: event latency (from the chair's request to the event at each follower) and panel-fetch
latency p50/p95/max, events delivered / expected, and the case-view latency p50/p95/p99 beside the same
views with no meeting running (measured first, in the same run: the baseline). The meeting is ended at
the end (it stays ``held`` in the data; the next run takes the next coming meeting). Bounded: every
thread stops after ``--seconds``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench._common import load_average, stamp, write_outputs  # noqa: E402 - after the path fix above
from bench.load import server_env, start_server, wait_ready  # noqa: E402

HOST = "127.0.0.1"


def prepare(tag: str) -> dict[str, Any]:
    """The meeting, its chair's token, sessions for the followers, the board's cases (own process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumorboard.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from apps.accounts.services import api_token_create
    from apps.cases.models import Case
    from apps.meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(board__institution__code=tag, status="scheduled")
        .annotate(n=Count("items"))
        .filter(n__gte=1)
        .order_by("-n", "starts_at")
        .select_related("chair")
        .first()
    )
    if meeting is None:
        raise SystemExit(f"no coming meeting with an agenda for tag {tag!r}: run bench/generate.py")
    members = [m.user for m in meeting.board.memberships.select_related("user")]
    sessions = []
    for user in members:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend (axes only guards logins)
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return {
        "meeting": meeting.pk,
        "agenda_items": meeting.n,  # type: ignore[attr-defined]
        "chair_token": api_token_create(user=meeting.chair, name="bench/meeting_hour.py")[1],
        "sessions": sessions,
        "tokens": [api_token_create(user=u, name="bench/meeting_hour.py")[1] for u in members],
        "cases": list(Case.objects.filter(board_id=meeting.board_id).values_list("pk", flat=True)[:2000]),
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


class Follower(threading.Thread):
    """One clinician on the meeting-mode page: an open event stream, the panel fetched on each event."""

    def __init__(self, port_events: int, port_web: int, meeting: int, cookie: str, stop_at: float, log: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.port_events, self.port_web, self.meeting, self.cookie, self.stop_at, self.log = (
            port_events,
            port_web,
            meeting,
            cookie,
            stop_at,
            log,
        )
        self.connected = threading.Event()

    def run(self) -> None:
        headers = {"Cookie": self.cookie, "Accept": "text/event-stream", "X-Forwarded-Proto": "https"}
        conn = http.client.HTTPConnection(HOST, self.port_events, timeout=max(1.0, self.stop_at - time.time() + 5))
        try:
            conn.request("GET", f"/meetings/{self.meeting}/events/", headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                self.log["errors"].append(f"stream HTTP {response.status}")
                self.connected.set()
                return
            self.connected.set()
            event = ""
            panel = http.client.HTTPConnection(HOST, self.port_web, timeout=30)
            while time.time() < self.stop_at:
                line = response.fp.readline()
                if not line:
                    break
                text = line.decode().rstrip("\r\n")
                if text.startswith("event:"):
                    event = text.split(":", 1)[1].strip()
                elif text.startswith("data:") and event == "state":
                    received = time.time()
                    data = json.loads(text.split(":", 1)[1])
                    self.log["events"].append((data.get("live_version"), received))
                    started = time.perf_counter()
                    panel.request(
                        "GET",
                        f"/meetings/{self.meeting}/live/panel/",
                        headers={"Cookie": self.cookie, "X-Forwarded-Proto": "https"},
                    )
                    reply = panel.getresponse()
                    reply.read()
                    self.log["panel_ms"].append((time.perf_counter() - started) * 1000)
                    if reply.status != 200:
                        self.log["errors"].append(f"panel HTTP {reply.status}")
                    event = ""
        except (OSError, http.client.HTTPException) as exc:
            if time.time() < self.stop_at:
                self.log["errors"].append(f"{type(exc).__name__}: {exc}")
        finally:
            self.connected.set()
            conn.close()


def case_views(
    port: int, context: dict[str, Any], per_minute: float, seconds: float, out: list[float], errors: list[str]
) -> None:
    """Open-loop arrivals: a new view every 60/per_minute s in its own thread, whatever the server does."""
    rng = random.Random(16)
    cookie_name = context["session_cookie"]
    interval = 60.0 / per_minute
    threads = []

    def one(i: int) -> None:
        case = rng.choice(context["cases"])
        if i % 2:
            path, headers = f"/api/v1/cases/{case}/", {"Authorization": f"Token {rng.choice(context['tokens'])}"}
        else:
            path, headers = f"/cases/{case}/", {"Cookie": f"{cookie_name}={rng.choice(context['sessions'])}"}
        headers["X-Forwarded-Proto"] = "https"
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
            out.append((time.perf_counter() - started) * 1000)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc}")
        finally:
            conn.close()

    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        thread = threading.Thread(target=one, args=(i,), daemon=True)
        thread.start()
        threads.append(thread)
        i += 1
        time.sleep(max(0.0, start + i * interval - time.perf_counter()))
    for thread in threads:
        thread.join(timeout=30)


def api(port: int, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection(HOST, port, timeout=90)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    try:
        conn.request(method, path, body=json.dumps(body or {}), headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as exc:  # a saturated server: reported, not a crash
        return 599, {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        conn.close()
    return response.status, json.loads(data or b"{}")


def run(
    *, tag: str, followers: int, per_minute: float, seconds: float, step_seconds: float, workers: int, port: int
) -> dict[str, Any]:
    prepared = subprocess.run(  # noqa: S603 - this script, preparing in its own process
        [sys.executable, str(Path(__file__).resolve()), "--prepare", "--tag", tag],
        cwd=ROOT,
        env={**server_env(port), "MEETINGS_EVENTSTREAM": "true"},  # sessions signed with the servers' secret key
        capture_output=True,
        text=True,
    )
    if prepared.returncode:
        raise SystemExit(f"preparation failed:\n{prepared.stderr[-2000:]}")
    context = json.loads(prepared.stdout.strip().splitlines()[-1])
    port_events = port + 1
    env = {**server_env(port), "MEETINGS_EVENTSTREAM": "true"}
    logs = Path(tempfile.gettempdir())
    web_log, events_log = logs / f"bench-meeting-web-{port}.log", logs / f"bench-meeting-events-{port_events}.log"
    os.environ["MEETINGS_EVENTSTREAM"] = "true"
    web = start_server(port, workers, web_log)
    events_server = subprocess.Popen(  # noqa: S603 - fixed argv, our own ASGI server on loopback
        [
            *(sys.executable, "-m", "uvicorn", "tumorboard.asgi:application"),
            *("--host", HOST, "--port", str(port_events), "--log-level", "warning", "--no-access-log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=events_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    load_start = load_average()
    try:
        wait_ready(port, web, web_log)
        wait_ready(port_events, events_server, events_log)
        # Baseline: the same open-loop case views with no meeting running.
        baseline_ms: list[float] = []
        baseline_errors: list[str] = []
        case_views(port, context, per_minute, min(seconds, 30.0), baseline_ms, baseline_errors)

        meeting = context["meeting"]
        status, body = api(port, context["chair_token"], "POST", f"/api/v1/meetings/{meeting}/start/")
        if status != 200:
            raise SystemExit(f"could not start meeting {meeting}: HTTP {status} {body}")
        stop_at = time.time() + seconds
        # Followers listen a while after the chair's last step, so its events can still arrive.
        listen_until = stop_at + 15
        log: dict[str, Any] = {"events": [], "panel_ms": [], "errors": []}
        crowd = [
            Follower(
                port_events,
                port,
                meeting,
                f"{context['session_cookie']}={context['sessions'][i % len(context['sessions'])]}",
                listen_until,
                log,
            )
            for i in range(followers)
        ]
        for follower in crowd:
            follower.start()
        for follower in crowd:
            follower.connected.wait(timeout=30)
        view_ms: list[float] = []
        view_errors: list[str] = []
        viewer = threading.Thread(
            target=case_views, args=(port, context, per_minute, seconds - 2, view_ms, view_errors), daemon=True
        )
        viewer.start()
        steps: dict[int, float] = {}
        step_errors: list[str] = []
        next_step = time.time() + step_seconds
        while time.time() < stop_at - step_seconds / 2:
            time.sleep(max(0.0, next_step - time.time()))
            sent = time.time()
            status, body = api(port, context["chair_token"], "POST", f"/api/v1/meetings/{meeting}/advance/")
            if status == 200 and "live_version" in body:
                steps[int(body["live_version"])] = sent
            else:
                step_errors.append(f"advance HTTP {status}: {str(body)[:120]}")
            next_step += step_seconds
        viewer.join(timeout=seconds + 30)
        for follower in crowd:
            follower.join(timeout=30)
        api(port, context["chair_token"], "POST", f"/api/v1/meetings/{meeting}/end/")
    finally:
        for proc in (web, events_server):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    latencies = [(received - steps[version]) * 1000 for version, received in log["events"] if version in steps]
    return {
        "date": stamp(),
        "load_start": load_start,
        "load_end": load_average(),
        "meeting": context["meeting"],
        "agenda_items": context["agenda_items"],
        "followers": followers,
        "views_per_minute": per_minute,
        "seconds": seconds,
        "steps": len(steps),
        "events_expected": len(steps) * followers,
        "events_received": len(latencies),
        "event_ms": {"p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95), "max": round(max(latencies, default=0), 1)},
        "panel_ms": {
            "p50": _pct(log["panel_ms"], 0.5),
            "p95": _pct(log["panel_ms"], 0.95),
            "max": round(max(log["panel_ms"], default=0), 1),
        },
        "case_view_ms": {"n": len(view_ms), "p50": _pct(view_ms, 0.5), "p95": _pct(view_ms, 0.95), "p99": _pct(view_ms, 0.99)},
        "baseline_case_view_ms": {
            "n": len(baseline_ms),
            "p50": _pct(baseline_ms, 0.5),
            "p95": _pct(baseline_ms, 0.95),
            "p99": _pct(baseline_ms, 0.99),
        },
        "mean_case_view_ms": round(statistics.fmean(view_ms), 1) if view_ms else 0,
        "errors": (log["errors"] + view_errors + step_errors + baseline_errors)[:10],
    }


def markdown(r: dict[str, Any]) -> str:
    ratio = r["case_view_ms"]["p95"] / r["baseline_case_view_ms"]["p95"] if r["baseline_case_view_ms"]["p95"] else 0
    return (
        f"Meeting hour {r['date']}: {r['followers']} followers over SSE, {r['views_per_minute']:g} case views/min, "
        f"{r['seconds']:g} s, {r['steps']} steps (agenda of {r['agenda_items']}); load average at start {r['load_start']}, "
        f"at end {r['load_end']}.\n\n"
        "| figure | p50 ms | p95 ms | max / p99 ms | n |\n| --- | --- | --- | --- | --- |\n"
        f"| event latency (chair's step to event at a follower) | {r['event_ms']['p50']:g} | {r['event_ms']['p95']:g} | "
        f"{r['event_ms']['max']:g} | {r['events_received']} of {r['events_expected']} |\n"
        f"| live panel fetched on the event | {r['panel_ms']['p50']:g} | {r['panel_ms']['p95']:g} | "
        f"{r['panel_ms']['max']:g} | - |\n"
        f"| case view during the meeting | {r['case_view_ms']['p50']:g} | {r['case_view_ms']['p95']:g} | "
        f"{r['case_view_ms']['p99']:g} | {r['case_view_ms']['n']} |\n"
        f"| case view, no meeting (baseline) | {r['baseline_case_view_ms']['p50']:g} | {r['baseline_case_view_ms']['p95']:g} | "
        f"{r['baseline_case_view_ms']['p99']:g} | {r['baseline_case_view_ms']['n']} |\n\n"
        f"Case-view p95 during the meeting / baseline p95: {ratio:.1f}x. Errors: {r['errors'] or 'none'}.\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="bench")
    parser.add_argument("--followers", type=int, default=30)
    parser.add_argument("--views-per-minute", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--step-seconds", type=float, default=5.0, help="the chair moves on this often (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--port", type=int, default=8726, help="gunicorn's port; uvicorn takes the next one")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare(args.tag)))
        return 0
    result = run(
        tag=args.tag,
        followers=args.followers,
        per_minute=args.views_per_minute,
        seconds=args.seconds,
        step_seconds=args.step_seconds,
        workers=args.workers,
        port=args.port,
    )
    table = markdown(result)
    print(table)
    write_outputs(result, table, args.json, args.markdown)
    return 1 if result["errors"] or result["events_received"] < result["events_expected"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
