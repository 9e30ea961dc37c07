"""Meeting mode's server-sent events through a real ASGI server (uvicorn) on the test database and Redis.

Given uvicorn serving ``tumorboard.asgi`` (the production shape of the event stream) and a follower's open
SSE stream, when the chair advances the agenda (through the API on that server, and through the service in
this process, as a WSGI worker would), then a ``state`` event with the new live version arrives on the
stream, within a generous deadline (a poll loop, no timed assertion). Then two Chromium pages on the same
server: the follower's page, on the event stream rather than the polling fallback, shows the chair's next
case within 2 s.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from apps.accounts.models import User
from apps.accounts.services import api_token_create
from apps.meetings import services
from apps.meetings.models import Meeting
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import ROOT, Personas, _require_services
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series

pytestmark = [pytest.mark.services]

#: Generous bound for an event to cross Redis and the ASGI server on a loaded 2-core machine.
EVENT_DEADLINE = 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """uvicorn serving ``tumorboard.asgi:application`` against the test database and the test Redis."""
    _require_services()
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tumorboard.settings.test",
        "MEETINGS_EVENTSTREAM": "true",
    }
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own server
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tumorboard.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "2",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited with {proc.returncode}")
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still loading the app
                pass
            if time.monotonic() > deadline:
                pytest.fail("uvicorn did not answer /healthz within 60 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _session(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    assert session.session_key is not None
    return session.session_key


class Stream:
    """A follower's SSE connection read line by line in a thread (``requests`` streaming)."""

    def __init__(self, url: str, session_key: str) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.response = requests.get(url, cookies={settings.SESSION_COOKIE_NAME: session_key}, stream=True, timeout=(5, 60))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                self.lines.put(line)
        except (requests.RequestException, AttributeError):  # closed by the test
            return

    def wait_for_event(self, name: str, deadline: float = EVENT_DEADLINE) -> str:
        """The data of the next event called ``name`` (the poll loop; fails after ``deadline`` seconds)."""
        end = time.monotonic() + deadline
        current = ""
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line.startswith("event:"):
                current = line.removeprefix("event:").strip()
            elif line.startswith("data:") and current == name:
                return line.removeprefix("data:").strip()
        pytest.fail(f"no {name!r} event within {deadline} s")

    def close(self) -> None:
        self.response.close()


def _meeting_with_cases(p: Personas, n: int) -> tuple[Meeting, list[Any]]:
    (meeting,) = meetings_of(weekly_series(p, weeks=1))
    cases = [submitted_case(p) for _ in range(n)]
    for case in cases:
        services.agenda_place(actor=p.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    return meeting, cases


def test_the_chairs_step_arrives_as_an_event_through_uvicorn(
    asgi_server: str, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = personas
    meeting, cases = _meeting_with_cases(p, 3)
    services.meeting_start(actor=p.radonc, meeting_id=meeting.pk)

    # An outsider's stream is refused (the channel manager scopes it like every other read).
    refused = requests.get(
        f"{asgi_server}/meetings/{meeting.pk}/events/",
        cookies={settings.SESSION_COOKIE_NAME: _session(p.other_member)},
        timeout=10,
    )
    assert "forbidden" in refused.text or refused.status_code == 403

    stream = Stream(f"{asgi_server}/meetings/{meeting.pk}/events/", _session(p.pathologist))
    try:
        assert stream.response.status_code == 200
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        stream.wait_for_event("stream-open")  # the follower is listening before the chair moves

        # The chair advances through the API on the ASGI server: its commit publishes through Redis.
        _, key = api_token_create(user=p.radonc, name="sse test")
        answer = requests.post(
            f"{asgi_server}/api/v1/meetings/{meeting.pk}/advance/",
            headers={"Authorization": f"Token {key}"},
            json={},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        meeting.refresh_from_db()
        assert meeting.current_item.case_id == cases[1].pk
        data = json.loads(stream.wait_for_event("state"))
        assert data == {"meeting": meeting.pk, "live_version": meeting.live_version}

        # The same step from this process through the service, as a WSGI worker publishes it: through Redis.
        import redis
        from django_eventstream import eventstream

        monkeypatch.setattr(settings, "MEETINGS_EVENTSTREAM", True, raising=False)
        monkeypatch.setattr(eventstream, "redis_client", redis.Redis.from_url(settings.REDIS_URL))
        services.meeting_advance(actor=p.radonc, meeting_id=meeting.pk)
        meeting.refresh_from_db()
        assert meeting.current_item.case_id == cases[2].pk
        data = json.loads(stream.wait_for_event("state"))
        assert data == {"meeting": meeting.pk, "live_version": meeting.live_version}
    finally:
        stream.close()


@pytest.mark.browser
def test_follower_page_on_the_event_stream_shows_the_next_case_within_two_seconds(
    asgi_server: str, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which(CHROMIUM) is None:
        pytest.fail("the browser test needs Debian's chromium: apt-get install -y chromium")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    p = personas
    meeting, cases = _meeting_with_cases(p, 4)
    url = f"{asgi_server}/meetings/{meeting.pk}/live/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for name, user in (("chair", p.radonc), ("follower", p.pathologist)):
                context = browser.new_context()
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": _session(user), "url": asgi_server}])
                pages[name] = context.new_page()
            chair, follower = pages["chair"], pages["follower"]
            streams: list[str] = []
            panel_fetches: list[float] = []
            follower.on("request", lambda r: streams.append(r.url) if r.url.endswith(f"/meetings/{meeting.pk}/events/") else None)
            follower.on("request", lambda r: panel_fetches.append(time.monotonic()) if "/live/panel/" in r.url else None)
            chair.goto(url)
            follower.goto(url)
            # The page is wired to the stream, not the one-second polling of the embedded default.
            panel = follower.locator("#live-panel")
            assert panel.get_attribute("sse-connect") == f"/meetings/{meeting.pk}/events/"
            assert "every 1s" not in (panel.get_attribute("hx-trigger") or "")
            follower.wait_for_function("() => window.htmx !== undefined", timeout=10_000)
            deadline = time.monotonic() + 10
            while not streams and time.monotonic() < deadline:
                follower.wait_for_timeout(100)
            assert streams, "the follower's page did not open the event stream"
            follower.wait_for_timeout(500)  # the EventSource is connected before the chair moves
            navigations: list[str] = []
            follower.on("framenavigated", lambda frame: navigations.append(frame.url))

            with chair.expect_navigation():
                chair.click("[data-testid=start]")
            follower.locator(f'[data-testid=current-case][data-case="{cases[0].pk}"]').wait_for(timeout=2000)
            for expected in cases[1:]:
                with chair.expect_navigation():
                    chair.click("[data-testid=next]")
                stepped = time.monotonic()
                follower.locator(f'[data-testid=current-case][data-case="{expected.pk}"]').wait_for(timeout=2000)
                assert time.monotonic() - stepped <= 2.1  # wait_for's own bound, stated
            assert navigations == []  # followed without a reload
            # Each step was fetched because of its event: far more often than the 5 s safety-net poll.
            assert len(panel_fetches) >= len(cases)
        finally:
            browser.close()
