"""Re-match jobs: every registry edit's re-match is a visible job (``core.Job``, kind ``trial_rematch``)
with progress, safe against redelivery, and a crashing chunk fails the job with its error."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.jobs import job_create, job_start_chunks
from apps.core.models import Job
from apps.trials import services, tasks
from apps.trials.models import Trial, TrialMatch
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/trial-rematch-jobs/"


def test_a_trial_edit_records_a_job_that_finishes_with_its_counts(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    # given three open cases, matched in chunks of two
    monkeypatch.setattr(services, "REMATCH_CHUNK_SIZE", 2)
    monkeypatch.setattr(services.open_case_id_chunks, "__defaults__", (2,))
    cases = [make_breast_case(personas) for _ in range(3)]
    trial = Trial.objects.get(identifier="NCT03862911")
    edited = trial.current_version + 1

    # when an administrator edits the trial (the re-match not yet run)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"status": "active_not_recruiting"})
    job = Job.objects.get(kind="trial_rematch")
    # then the job is visible at once, queued, naming the trial, the edit and who made it
    assert (job.status, job.params["trial_id"], job.created_by, job.progress_pct) == (
        "queued",
        trial.pk,
        personas.administrator,
        0.0,
    )
    assert job.params["reason"] == f"NCT03862911 edited (version {edited})"

    # when the worker runs it (the fan-out's chunks are themselves sent after commit)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    # then it went through two chunks (2 + 1 cases) and is done
    assert (job.status, job.chunks_total, job.chunks_done, job.total, job.done) == ("succeeded", 2, 2, 3, 3)
    assert job.progress_pct == 100.0 and job.finished_at is not None and job.started_at is not None
    assert job.written == 3  # one match per case against the edited trial
    assert TrialMatch.objects.filter(trial=trial, trial_version__version=edited, case__in=cases).count() == 3


def _job() -> Job:
    return Job.objects.create(kind="trial_rematch", task_name="trials.rematch_open_cases", params={"trial_id": None})


def test_a_redelivered_fan_out_does_not_run_the_job_twice(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    make_breast_case(personas)
    job = _job()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.rematch_open_cases.apply(args=(job.pk,)).get() == 1
    # the same message delivered again finds the job claimed and enqueues nothing
    assert tasks.rematch_open_cases.apply(args=(job.pk,)).get() == 0
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.chunks_total) == ("succeeded", 1, 1)


def test_a_redelivered_chunk_is_not_counted_past_the_total(personas: Personas) -> None:
    case = make_breast_case(personas)
    job = _job()
    run = job_start_chunks(job.pk, total=2, chunks_total=2)
    assert run == 1
    tasks.match_cases.apply(args=([case.pk], None, job.pk, run))
    tasks.match_cases.apply(args=([case.pk], None, job.pk, run))
    tasks.match_cases.apply(args=([case.pk], None, job.pk, run))  # redelivered
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.done) == ("succeeded", 2, 2)


def test_a_chunk_of_an_earlier_run_is_not_counted_on_the_restarted_job(personas: Personas) -> None:
    case = make_breast_case(personas)
    job = _job()
    first = job_start_chunks(job.pk, total=1, chunks_total=1)
    # the sweep restarted the job (its worker died): it is claimed again, as run 2
    Job.objects.filter(pk=job.pk).update(status="queued")
    second = job_start_chunks(job.pk, total=1, chunks_total=1)
    assert (first, second) == (1, 2)
    tasks.match_cases.apply(args=([case.pk], None, job.pk, first))  # a late chunk of the first run
    job.refresh_from_db()
    assert (job.status, job.chunks_done) == ("running", 0)
    tasks.match_cases.apply(args=([case.pk], None, job.pk, second))
    job.refresh_from_db()
    assert (job.status, job.chunks_done) == ("succeeded", 1)


def test_a_crashing_chunk_fails_the_job_with_its_error(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: a chunk that crashed used to leave its job "running" forever."""
    case = make_breast_case(personas)
    job = _job()
    run = job_start_chunks(job.pk, total=2, chunks_total=2)

    def crash(*args: Any, **kwargs: Any) -> int:
        raise ValueError("criteria field 'x' is not in the facts")

    monkeypatch.setattr(services, "cases_match_trials", crash)
    tasks.match_cases.apply(args=([case.pk], None, job.pk, run))
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.error == "ValueError: criteria field 'x' is not in the facts"
    assert "failed: ValueError" in job.log
    # the failure is visible through the API, with its error
    row = personas.client(personas.administrator).get(URL, {"status": "failed"}).json()[0]
    assert (row["id"], row["status"], row["error"], row["progress_pct"]) == (job.pk, "failed", job.error, 100.0)


def test_a_job_with_no_open_case_succeeds_at_once() -> None:
    job = _job()
    assert job_start_chunks(job.pk, total=0, chunks_total=0) == 1
    job.refresh_from_db()
    assert (job.status, job.progress_pct) == ("succeeded", 100.0)


@pytest.mark.django_db(transaction=True)
def test_the_command_rematches_every_trial_and_reports_progress(seeded_registry: None, personas: Personas) -> None:
    # (transactional: the job is enqueued on commit, and runs in-process here, eagerly)
    case = make_breast_case(personas)
    TrialMatch.objects.filter(case=case).delete()
    out = StringIO()
    call_command("rematch_trials", "--wait", "--timeout", "30", stdout=out)
    job = Job.objects.get(kind="trial_rematch")
    assert job.params["trial_id"] is None and job.status == "succeeded"
    assert TrialMatch.objects.filter(case=case).count() == Trial.objects.count()
    assert f"re-match job {job.pk} queued (every trial)" in out.getvalue()
    assert f"done: 1 open case(s), {Trial.objects.count()} match(es) written" in out.getvalue()
    with pytest.raises(CommandError, match="no trial 'NCT0'"):
        call_command("rematch_trials", "--trial", "NCT0", stdout=StringIO())


def test_jobs_are_listed_for_administrators_with_filters_and_constant_queries(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    trial = Trial.objects.get(identifier="NCT03862911")
    job_create(
        kind="trial_rematch",
        task_name="trials.rematch_open_cases",
        params={"trial_id": trial.pk, "trial": trial.identifier, "reason": "edit"},
        created_by=personas.administrator,
    )
    admin = personas.client(personas.administrator)
    admin.get(URL)  # warm up
    with django_assert_num_queries(1):
        one = admin.get(URL).json()
    for _ in range(4):
        Job.objects.create(
            kind="trial_rematch", params={"trial_id": None, "trial": None, "reason": "upgrade"}, status="succeeded"
        )
    with django_assert_num_queries(1):
        rows = admin.get(URL).json()
    assert len(one) == 1 and len(rows) == 5
    assert one[0]["trial"] == "NCT03862911" and one[0]["created_by"] == "auditor" and one[0]["progress_pct"] == 0.0
    assert [r["trial"] for r in admin.get(URL, {"trial": "NCT03862911"}).json()] == ["NCT03862911"]
    assert len(admin.get(URL, {"status": "succeeded"}).json()) == 4
    bad = admin.get(URL, {"status": "done"})
    assert bad.status_code == 400 and "status" in bad.json()
    # clinicians may not see registry operations; no credentials is a 401
    assert personas.client(personas.radonc).get(URL).status_code == 403
    assert personas.client(None).get(URL).status_code == 401
