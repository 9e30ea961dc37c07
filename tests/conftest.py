"""Shared fixtures: personas on a board, another board's member, an outsider, an administrator.

Every endpoint is tested with these personas (member, other board's member, outsider, administrator),
after healthchecks' alice/bob/charlie.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from apps.accounts.models import Board, User
from apps.accounts.roles import Role
from tests.factories import BoardFactory, MembershipFactory, UserFactory

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


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[None]:
    """A real Celery worker process on the real Redis broker, reading the test database.

    The test's own process stops running tasks eagerly for the duration, so ``.delay()`` really goes
    through the broker. Tests using it must commit their writes (``transactional_db``).
    """
    _require_services()
    from django.db import connection

    from tumorboard.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "tumorboard.settings.base",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own worker
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
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5, destination=None)
            if replies:
                break
            if proc.poll() is not None:
                pytest.fail(f"the Celery worker exited with {proc.returncode}")
        else:
            pytest.fail("the Celery worker did not answer a ping within 60 s")
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


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
