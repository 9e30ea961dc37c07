"""Re-match jobs: every registry edit's re-match is a visible job with progress, safe against redelivery."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.trials import services, tasks
from apps.trials.models import RematchJob, Trial, TrialMatch
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
    job = RematchJob.objects.get()
    # then the job is visible at once, queued, naming the trial, the edit and who made it
    assert (job.status, job.trial_id, job.created_by, job.progress_pct) == ("queued", trial.pk, personas.administrator, 0.0)
    assert job.reason == f"NCT03862911 edited (version {edited})"

    # when the worker runs it
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    # then it went through two chunks (2 + 1 cases) and is done
    assert (job.status, job.chunks_total, job.chunks_done, job.cases_total, job.cases_done) == ("succeeded", 2, 2, 3, 3)
    assert job.progress_pct == 100.0 and job.finished_at is not None and job.started_at is not None
    assert job.matches_written == 3  # one match per case against the edited trial
    assert TrialMatch.objects.filter(trial=trial, trial_version__version=edited, case__in=cases).count() == 3


def test_a_redelivered_fan_out_does_not_run_the_job_twice(personas: Personas) -> None:
    make_breast_case(personas)
    job = RematchJob.objects.create(trial=None, reason="test")
    assert tasks.rematch_open_cases.apply(args=(job.pk,)).get() == 1
    # the same message delivered again finds the job claimed and enqueues nothing
    assert tasks.rematch_open_cases.apply(args=(job.pk,)).get() == 0
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.chunks_total) == ("succeeded", 1, 1)


def test_a_redelivered_chunk_is_not_counted_past_the_total(personas: Personas) -> None:
    case = make_breast_case(personas)
    job = RematchJob.objects.create(trial=None, reason="test")
    assert services.rematch_job_start(job_id=job.pk, chunks=[[case.pk], [case.pk]])
    tasks.match_cases([case.pk], None, job.pk)
    tasks.match_cases([case.pk], None, job.pk)
    tasks.match_cases([case.pk], None, job.pk)  # redelivered
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.cases_done) == ("succeeded", 2, 2)


def test_a_job_with_no_open_case_succeeds_at_once() -> None:
    job = RematchJob.objects.create(trial=None, reason="test")
    assert services.rematch_job_start(job_id=job.pk, chunks=[])
    job.refresh_from_db()
    assert (job.status, job.progress_pct) == ("succeeded", 100.0)


@pytest.mark.django_db(transaction=True)
def test_the_command_rematches_every_trial_and_reports_progress(seeded_registry: None, personas: Personas) -> None:
    # (transactional: the job is enqueued on commit, and runs in-process here, eagerly)
    case = make_breast_case(personas)
    TrialMatch.objects.filter(case=case).delete()
    out = StringIO()
    call_command("rematch_trials", "--wait", "--timeout", "30", stdout=out)
    job = RematchJob.objects.get()
    assert job.trial is None and job.status == "succeeded"
    assert TrialMatch.objects.filter(case=case).count() == Trial.objects.count()
    assert f"re-match job {job.pk} queued (every trial)" in out.getvalue()
    assert f"done: 1 open case(s), {Trial.objects.count()} match(es) written" in out.getvalue()
    with pytest.raises(CommandError, match="no trial 'NCT0'"):
        call_command("rematch_trials", "--trial", "NCT0", stdout=StringIO())


def test_jobs_are_listed_for_administrators_with_filters_and_constant_queries(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    trial = Trial.objects.get(identifier="NCT03862911")
    RematchJob.objects.create(trial=trial, reason="edit", created_by=personas.administrator)
    admin = personas.client(personas.administrator)
    admin.get(URL)  # warm up
    with django_assert_num_queries(1):
        one = admin.get(URL).json()
    for _ in range(4):
        RematchJob.objects.create(trial=None, reason="upgrade", status="succeeded", finished_at=trial.updated_at)
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
