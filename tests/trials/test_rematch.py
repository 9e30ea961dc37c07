"""Re-matching in chunks: bulk reads and one upsert per chunk, idempotent, every open case and trial."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.trials import matching, services, tasks
from apps.trials.models import Trial, TrialMatch
from tests.conftest import Personas
from tests.factories import LesionFactory
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db


def make_cases(personas: Personas, n: int) -> list[Case]:
    cases = []
    for i in range(n):
        case = make_breast_case(personas, bone_metastases_count=2 + i % 4)
        LesionFactory(case=case)  # a femoral lesion: some trials exclude it
        cases.append(case)
    return cases


def _upserts(captured: CaptureQueriesContext) -> int:
    """Statements writing matches: Django's ``INSERT`` on SQLite; on PostgreSQL the ``COPY`` of new pairs
    straight into the table (``apps.core.bulk.copy_new_rows``) and the ``INSERT ... ON CONFLICT`` from the
    staging table stored pairs were copied into (``apps.core.bulk.copy_upsert``)."""
    return sum(
        1
        for q in captured.captured_queries
        if 'INSERT INTO "trials_trialmatch"' in q["sql"] or q["sql"].startswith('COPY "trials_trialmatch"')
    )


def _staging(captured: CaptureQueriesContext) -> int:
    """The staging table and the ``COPY`` into it of each PostgreSQL upsert (two statements per upsert)."""
    return sum(
        1
        for q in captured.captured_queries
        if q["sql"].startswith(('CREATE TEMPORARY TABLE IF NOT EXISTS "copy_upsert_', 'COPY "copy_upsert_'))
    )


def test_chunk_query_count_does_not_grow_with_the_chunk(personas: Personas) -> None:
    small, large = make_cases(personas, 1), make_cases(personas, 6)
    with CaptureQueriesContext(connection) as one:
        written_one = services.cases_match_trials([c.pk for c in small])
    with CaptureQueriesContext(connection) as six:
        written_six = services.cases_match_trials([c.pk for c in large])
    # Reads and locks are constant. On PostgreSQL the first matches of a chunk are one COPY into the table
    # whatever the chunk size (no pair is stored yet: no staging table); on SQLite one statement per batch
    # of rows the backend accepts in one statement (it binds at most 999 parameters, so it splits a large
    # chunk).
    assert _upserts(one) == 1
    if connection.vendor == "postgresql":
        assert _upserts(six) == 1
        assert _staging(six) == _staging(one) == 0
    else:
        fields = [f for f in TrialMatch._meta.concrete_fields if not f.primary_key]
        per_statement = min(matching._MATCH_UPSERT_BATCH, connection.ops.bulk_batch_size(fields, [None] * written_six))
        assert _upserts(six) == -(-written_six // per_statement)
        assert written_one < per_statement
        assert _staging(six) == _staging(one) == 0
    besides = len(one) - _upserts(one) - _staging(one)
    assert len(six) - _upserts(six) - _staging(six) == besides <= 9, [q["sql"][:80] for q in six.captured_queries]


def test_chunk_writes_every_pair_once_then_only_what_changed(personas: Personas) -> None:
    cases = make_cases(personas, 3)
    ids = [c.pk for c in cases]
    trials = Trial.objects.count()

    assert services.cases_match_trials(ids) == 3 * trials
    assert TrialMatch.objects.filter(case_id__in=ids).count() == 3 * trials
    # The same inputs again: nothing rewritten, and the result is the one matching a case alone gives.
    assert services.cases_match_trials(ids) == 0
    assert services.case_match_trials(ids[1]) == 0

    Case.objects.filter(pk=ids[1]).update(revision=cases[1].revision + 1)
    assert services.cases_match_trials(ids) == trials
    assert set(TrialMatch.objects.filter(case_id=ids[1]).values_list("case_revision", flat=True)) == {cases[1].revision + 1}


def test_chunk_against_one_trial_and_with_a_deleted_case(personas: Personas) -> None:
    cases = make_cases(personas, 2)
    trial = Trial.objects.get(identifier="NCT03862911")
    written = services.cases_match_trials([cases[0].pk, cases[1].pk, 10**9], trial_ids=[trial.pk])
    assert written == 2
    assert set(TrialMatch.objects.values_list("trial_id", flat=True)) == {trial.pk}
    assert services.cases_match_trials([10**9]) == 0


def test_stored_chunk_matches_equal_single_case_matches(personas: Personas) -> None:
    cases = make_cases(personas, 4)
    services.cases_match_trials([c.pk for c in cases])
    chunked = {(m.case_id, m.trial_id): m.payload for m in TrialMatch.objects.all()}
    TrialMatch.objects.all().delete()
    for case in cases:
        services.case_match_trials(case.pk)
    assert {(m.case_id, m.trial_id): m.payload for m in TrialMatch.objects.all()} == chunked


def test_rematch_open_cases_task_covers_every_open_case_and_trial(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """Given open cases and a closed one, when every open case is re-matched in chunks of 2 (tasks run
    eagerly in tests), then each open case has one match per trial and the closed case none."""
    cases = make_cases(personas, 3)
    closed = make_breast_case(personas)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    monkeypatch.setattr(services, "open_case_id_chunks", partial(services.open_case_id_chunks, chunk_size=2))

    # (the chunks are sent after commit, through the outbox; the test's transaction never commits)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.rematch_open_cases.delay().get() == 2

    trials = Trial.objects.count()
    for case in cases:
        assert TrialMatch.objects.filter(case=case).count() == trials
    assert not TrialMatch.objects.filter(case=closed).exists()
