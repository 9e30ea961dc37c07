"""Shared fixtures: personas on a board, another board's member, an outsider, an administrator.

Every endpoint is tested with these personas (member, other board's member, outsider, administrator),
after healthchecks' alice/bob/charlie.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from apps.accounts.models import Board, User
from apps.accounts.roles import Role
from tests.factories import BoardFactory, MembershipFactory, UserFactory
from tests.identifier_log_scan import (  # noqa: F401  (hooks: the suite-wide log scan, issue 15)
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

ROOT = Path(__file__).resolve().parent.parent


# Speed is measured by benchmarks, never by timed assertions: Hypothesis's timing health checks and
# per-example deadline would fail the suite on a loaded 2-core machine without any wrong result.
hypothesis_settings.register_profile(
    "tumorboard", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
hypothesis_settings.load_profile("tumorboard")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test counts its own API throttle hits (issue 15): the counters live in the shared cache (Redis
    under CI), so a per-test key prefix keeps one test's requests from throttling the next, without
    flushing a Redis database the worker tests share."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "cache_format", f"throttle_{uuid.uuid4().hex}_%(scope)s_%(ident)s")


@dataclass
class Personas:
    board: Board
    other_board: Board
    coordinator: User
    surgeon: User
    radonc: User
    medonc: User
    radiologist: User
    pathologist: User
    other_member: User
    outsider: User
    administrator: User

    def client(self, user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client


@pytest.fixture
def personas(db: None) -> Personas:
    board = BoardFactory(name="Bone metastasis board, main hospital")
    other_board = BoardFactory(name="Bone metastasis board, other hospital")

    def member(role: Role, username: str, target: Board = board, chair: bool = False) -> User:
        user = UserFactory(username=username, role=role)
        MembershipFactory(board=target, user=user, is_chair=chair)
        return user

    return Personas(
        board=board,
        other_board=other_board,
        coordinator=member(Role.COORDINATOR, "coordinator"),
        surgeon=member(Role.SURGEON, "surgeon", chair=True),
        radonc=member(Role.RADIATION_ONCOLOGIST, "radonc"),
        medonc=member(Role.MEDICAL_ONCOLOGIST, "medonc"),
        radiologist=member(Role.RADIOLOGIST, "radiologist"),
        pathologist=member(Role.PATHOLOGIST, "pathologist"),
        other_member=member(Role.SURGEON, "other_surgeon", target=other_board),
        outsider=UserFactory(username="outsider", role=Role.SURGEON),
        administrator=UserFactory(username="auditor", role=Role.ADMINISTRATOR),
    )


def _require_services() -> None:
    """Under CI a test that needs PostgreSQL/Redis must fail, not skip, when they are missing."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: set DATABASE_URL (see README / .ci/run)")
    if not getattr(settings, "REDIS_URL", None):
        pytest.fail("this test needs Redis: set REDIS_URL (see README / .ci/run)")


class WorkerProcess:
    """A real Celery worker process (solo pool) on one private queue, reading the test database.

    Started in a session of its own, so ``kill()`` can SIGKILL its whole process group, as a host dying
    or the OOM killer would (no shutdown handler runs, nothing is acknowledged or given back). ``start()``
    again starts a new worker on the same queue. ``broker_url`` points it at another broker.
    """

    def __init__(self, queue: str, *, broker_url: str | None = None) -> None:
        from django.db import connection

        db = connection.settings_dict
        self.queue = queue
        self.hostname = f"{queue}@localhost"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "tumorboard.settings.base",
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        if broker_url is not None:
            self.env["REDIS_URL"] = broker_url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the worker and wait until it answers a ping (addressed to it alone: other test processes
        may run workers on the same broker)."""
        from tumorboard.celery import app

        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own worker
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tumorboard",
                "worker",
                "-P",
                "solo",
                "-Q",
                self.queue,
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
            if self.proc.poll() is not None:
                pytest.fail(f"the Celery worker exited with {self.proc.returncode}")
        pytest.fail(f"the Celery worker did not answer a ping within {timeout:g} s")

    def kill(self) -> None:
        """SIGKILL the worker's process group and reap it."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        self.proc = None


@contextmanager
def private_queue() -> Iterator[str]:
    """This test process sends tasks through the broker (not eagerly) to a queue of its own."""
    from tumorboard.celery import app

    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[WorkerProcess]:
    """A real Celery worker process on the real Redis broker, reading the test database.

    The test's own process stops running tasks eagerly for the duration, so ``.delay()`` really goes
    through the broker. Tests using it must commit their writes (``transactional_db``).
    """
    _require_services()
    with private_queue() as queue:
        worker = WorkerProcess(queue)
        try:
            worker.start()
            yield worker
        finally:
            worker.stop()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` is truthy (work done by the worker), or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


@pytest.fixture
def seeded_registry(transactional_db: None) -> None:
    """The trial registry as the data migrations seed it, for transactional tests.

    A transactional test starts from a flushed database, so data-migration rows are gone; reloading
    them with the migrations' own (idempotent) functions avoids ``serialized_rollback``, which clashes
    with the content types that an earlier flush re-created.
    """
    from importlib import import_module

    from django.apps import apps

    import_module("apps.trials.migrations.0002_seed_trials").seed(apps, None)
    import_module("apps.trials.migrations.0007_seed_trials_v2").upgrade(apps, None)
    import_module("apps.trials.migrations.0009_seed_trials_v3").upgrade(apps, None)


def call_job_command(name: str, *args: str, **options: object) -> None:
    """``call_command`` for a command that starts a ``Job``, run as production runs it: in autocommit, so
    the job's after-commit work (its task and chunks, eager here) runs as each write commits. Inside a
    test's transaction that commit never comes; after-commit work runs at once instead, as autocommit
    would run it, and the command follows the job to its end."""
    from unittest import mock

    from django.core.management import call_command

    def at_once(func: Any, using: str | None = None, robust: bool = False) -> None:
        func()

    with mock.patch("django.db.transaction.on_commit", at_once):
        call_command(name, *args, **options)
