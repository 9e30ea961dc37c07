"""Browser tests: Debian's Chromium driven headless by playwright against pytest-django's live server.

No browser is downloaded: ``.ci/run`` installs Debian's ``chromium`` and playwright launches it from
``/usr/bin/chromium`` (``shared/dependencies.md``). Screenshots of every page are written to
``artifacts/screenshots/`` (git-ignored) as test artefacts. axe-core comes from the
``axe-playwright-python`` package (it ships ``axe.min.js``; nothing is copied into the repository).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
WIDTHS = (1280, 768)
#: The password tests.factories.UserFactory gives every user.
TEST_PASSWORD = "pw-for-tests"


@pytest.fixture(scope="module")  # not session: another module may start its own Playwright
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    # playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${document.location.pathname}`);
});
"""


class Visitor:
    """One signed-in person in their own browser context."""

    def __init__(self, browser: Any, base_url: str, width: int = 1280) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self._csp_events: list[str] = []
        self.page.on("console", lambda message: self.console_errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        # Content-Security-Policy (issue 15): every violation the page reports fails the test at close().
        # The listener is an init script (injected by the browser's DevTools, so the CSP does not block it).
        self.context.add_init_script(CSP_LISTENER)
        self.csp_console: list[str] = []
        self.page.on(
            "console",
            lambda message: self.csp_console.append(message.text) if "Content Security Policy" in message.text else None,
        )

    def csp_violations(self) -> list[str]:
        """The CSP violations seen so far: the page's ``securitypolicyviolation`` events and console reports."""
        try:
            events = self.page.evaluate("() => window.__cspViolations || []")
        except Exception:  # the page is gone (closed or navigating): the console reports still count
            events = []
        return [*self.csp_console, *self._csp_events, *events]

    def sign_in(self, username: str, password: str = TEST_PASSWORD) -> None:
        self.page.goto(f"{self.base_url}/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    def go(self, path: str) -> None:
        self._keep_csp_events()
        self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state()

    def _keep_csp_events(self) -> None:
        """A navigation drops the page's window: keep what it recorded first."""
        try:
            self._csp_events += self.page.evaluate("() => window.__cspViolations || []")
        except Exception:  # nothing loaded yet
            return

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        violations = self.csp_violations()
        self.context.close()
        assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def visitor(chromium: Any, live_server: Any) -> Iterator[Any]:
    made: list[Visitor] = []

    def make(username: str, width: int = 1280) -> Visitor:
        person = Visitor(chromium, live_server.url, width)
        person.sign_in(username)
        made.append(person)
        return person

    yield make
    for person in made:
        person.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


UNLABELLED_FIELDS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)
"""

FOCUSABLE = """
() => Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary'))
  .filter(el => el.type !== 'hidden' && !el.disabled && el.checkVisibility({checkVisibilityCSS: true, contentVisibilityAuto: true}))
  .map(el => el.outerHTML.slice(0, 80))
"""


def keyboard_unreachable(page: Any, limit: int = 600) -> list[str]:
    """Controls visible on the page that pressing Tab never reaches (in at most ``limit`` presses)."""
    expected = set(page.evaluate(FOCUSABLE))
    reached: set[str] = set()
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    first = None
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : ''")
        if current == first:
            break
        first = first or current
        reached.add(current)
        if reached >= expected:
            break
    return sorted(expected - reached)


def horizontal_overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


@pytest.fixture
def seeded_catalogue(transactional_db: None) -> None:
    """The regimen catalogue and constraint sets as the data migration loads them (a transactional test
    before this one flushed them), reloaded with the migration's own idempotent function."""
    from importlib import import_module

    from django.apps import apps

    import_module("apps.dosimetry.migrations.0003_seed_catalogue").seed(apps, None)
