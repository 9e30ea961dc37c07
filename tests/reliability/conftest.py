"""Fault-test fixtures: many committed cases, a worker that can be killed and replaced, a broker of the
test's own that can be stopped and started (the shared Redis server other engineers use is never touched)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from apps.accounts.models import Board
from apps.cases.models import Case, Lesion, Patient
from apps.core.models import Job
from tests.conftest import WorkerProcess, _require_services


def bulk_cases(board: Board, count: int) -> list[int]:
    """``count`` committed cases of two lesions each (a femur and a thoracic vertebra), written in bulk:
    no case service runs, so no derived work is queued and the test decides what runs."""
    patients = Patient.objects.bulk_create(
        Patient(
            institution=board.institution,
            mrn=f"FAULT-{i:05d}",
            given_name="Fault",
            family_name=f"Patient {i}",
            date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=37 * i),
        )
        for i in range(count)
    )
    cases = Case.objects.bulk_create(
        Case(board=board, patient=patient, question="Fault test", primary_histology="breast", estimated_survival_months=12)
        for patient in patients
    )
    Lesion.objects.bulk_create(
        lesion
        for case in cases
        for lesion in (
            Lesion(
                case=case,
                site="femur",
                subsite="peritrochanteric",
                laterality="left",
                radiographic_type="lytic",
                cortical_involvement="gt_two_thirds",
                pain="functional",
            ),
            Lesion(case=case, site="thoracic_spine", level_from="T8", level_to="T8", radiographic_type="blastic"),
        )
    )
    return [case.pk for case in cases]


def queue_drained(worker: WorkerProcess) -> bool:
    """Nothing waits in the worker's queue and the worker runs nothing."""
    from tumorboard.celery import app

    with app.connection_for_write() as connection:
        waiting = connection.default_channel.client.llen(worker.queue)
    if waiting:
        return False
    active = app.control.inspect(destination=[worker.hostname], timeout=1.0).active() or {}
    return not any(active.values())


def job_row(job_id: int) -> Job:
    return Job.objects.get(pk=job_id)


@pytest.fixture
def restartable_worker(celery_worker_process: WorkerProcess) -> WorkerProcess:
    """The suite's worker on its private queue, named for what these tests do with it: kill and restart."""
    return celery_worker_process


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateBroker:
    """A redis-server of this test alone on a free loopback port, no persistence: stopping it is a broker
    outage for this test and nobody else."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("the broker-outage test needs redis-server on PATH")
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, loopback only
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"redis-server on port {self.port} did not start within {timeout:g} s")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.proc = None


def use_broker(url: str) -> str:
    """Point this process's Celery app at ``url`` (dropping its pooled connections); returns the old URL."""
    from tumorboard.celery import app

    previous = str(app.conf.broker_url)
    app.conf.broker_url = url
    app._pool = None  # as Celery itself does after a fork: the pools are rebuilt from the new URL
    app.amqp._producer_pool = None
    return previous


@pytest.fixture
def private_broker(transactional_db: None) -> Iterator[PrivateBroker]:
    """A broker of the test's own, already running, that this process's Celery app publishes to."""
    _require_services()
    broker = PrivateBroker()
    broker.start()
    previous = use_broker(broker.url)
    try:
        yield broker
    finally:
        use_broker(previous)
        broker.stop()
