"""Two Chromium pages: the chair advances the agenda, the follower's page shows the new case within 2 s.

Chromium is Debian's (``/usr/bin/chromium``), driven by the Python ``playwright`` package (no browser
download: see /work/shared/dependencies.md). The follower's page never reloads: its panel follows the
chair by polling (htmx, every second), the fallback of the embedded default.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from apps.accounts.models import User
from apps.meetings import services
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail("the browser test needs Debian's chromium: apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser: Any, live_server: Any, user: User) -> Any:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}])
    return context.new_page()


def test_follower_sees_the_chairs_next_case_within_two_seconds(
    transactional_db: None, live_server: Any, chromium: Any, personas: Personas
) -> None:
    p = personas
    (meeting,) = meetings_of(weekly_series(p, weeks=1))
    cases = [submitted_case(p) for _ in range(3)]
    for case in cases:
        services.agenda_place(actor=p.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    url = f"{live_server.url}/meetings/{meeting.pk}/live/"

    chair = signed_in_page(chromium, live_server, p.radonc)
    follower = signed_in_page(chromium, live_server, p.pathologist)
    chair.goto(url)
    follower.goto(url)
    follower_case = follower.locator("[data-testid=current-case]")
    assert follower_case.get_attribute("data-case") == ""
    navigations: list[str] = []
    follower.on("framenavigated", lambda frame: navigations.append(frame.url))

    with chair.expect_navigation():
        chair.click("[data-testid=start]")
    follower_case.and_(follower.locator(f'[data-case="{cases[0].pk}"]')).wait_for(timeout=2000)
    for expected in cases[1:]:
        # The step is committed once the chair's own page has its answer; from then the follower has 2 s.
        with chair.expect_navigation():
            chair.click("[data-testid=next]")
        stepped = time.monotonic()
        follower.locator(f'[data-testid=current-case][data-case="{expected.pk}"]').wait_for(timeout=2000)
        assert time.monotonic() - stepped <= 2.1  # wait_for's own bound, stated
    assert navigations == []  # followed without a reload
