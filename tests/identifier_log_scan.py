"""The log scan over the whole suite (issue 15: "a test scans the logs captured during the suite for the demo
patients' names and MRNs").

pytest captures every log record each test emits (its logging plugin, at the levels the settings'
``LOGGING`` lets through, as in production) and what reaches stderr (the settings' console handler), per
phase, passed or failed. Each report's captured log and stderr are searched for a demo patient's MRN
(``DEMO0001``...) or full name ("Anna Smith", "Smith, Anna"); any hit fails the run at its end, naming the
test, the phase and the line. ``tests/security/test_patient_identifiers.py`` drives the demo on purpose and
proves the scanner finds what it looks for.

The hooks are imported into ``tests/conftest.py``. Under xdist the controller gathers every worker's
reports and decides; the Celery worker processes of the fault tests log to their own pipes, not scanned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pytest

SCANNED_SECTIONS = ("Captured log", "Captured stderr")


@dataclass(frozen=True)
class Leak:
    nodeid: str
    section: str
    found: str
    line: str


@cache
def identifier_pattern() -> re.Pattern[str]:
    from apps.cases.management.commands.seed_demo import FAMILY_NAMES, GIVEN_NAMES, MRN_PREFIX

    given = [name for names in GIVEN_NAMES.values() for name in names]
    names = [f"{g} {f}" for g in given for f in FAMILY_NAMES] + [f"{f}, {g}" for g in given for f in FAMILY_NAMES]
    alternatives = [rf"\b{re.escape(MRN_PREFIX)}\d{{4}}\b", *(rf"\b{re.escape(n)}\b" for n in names)]
    return re.compile("|".join(alternatives))


def leaks_in(report: pytest.TestReport) -> list[Leak]:
    """The demo identifiers in the log and stderr that one test phase captured."""
    pattern = identifier_pattern()
    found: list[Leak] = []
    for title, text in report.sections:
        # A phase's report repeats the sections of the phases before it: each is read in its own phase.
        if not title.startswith(SCANNED_SECTIONS) or not title.endswith(f" {report.when}"):
            continue
        for line in text.splitlines():
            if match := pattern.search(line):
                found.append(Leak(report.nodeid, title, match.group(0), line.strip()[:300]))
    return found


_LEAKS: list[Leak] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _LEAKS.extend(leaks_in(report))


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _LEAKS and not _is_xdist_worker(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    if not _LEAKS or _is_xdist_worker(config):
        return
    terminalreporter.section("demo patient identifiers in captured logs (issue 15)", red=True, bold=True)
    for leak in _LEAKS:
        terminalreporter.line(f"{leak.nodeid} [{leak.section}]: {leak.found!r} in: {leak.line}")
