"""The matches' bulk upsert (issue 16): on PostgreSQL through ``COPY``, with a staging table for stored
pairs (``apps.core.bulk.copy_upsert``) and straight into the table for new ones
(``apps.core.bulk.copy_new_rows``), elsewhere Django's ``bulk_create``; the same stored rows either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.bulk import copy_new_rows, copy_upsert
from apps.trials import matching, services
from apps.trials.engine import ENGINE_VERSION
from apps.trials.models import Trial, TrialMatch
from apps.trials.selectors import current_trials
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

#: JSON the copy text format must carry unchanged: quotes, backslashes, tabs, newlines, non-ASCII.
_AWKWARD = {
    "text": 'a "quoted" \\ back\\slash\ttab\nnew line, d\u00e9j\u00e0 vu \u2264 5 Gy',
    "nested": [{"k": "\\N"}, None, 1.5],
}


def _row(case_id: int, trial: Any, payload: dict[str, Any], revision: int = 1) -> tuple[object, ...]:
    return (case_id, trial.trial.pk, trial.version.pk, "eligible", payload, "d" * 64, revision, ENGINE_VERSION, timezone.now())


def test_rows_written_through_the_upsert_read_back_as_given(personas: Personas) -> None:
    case = make_breast_case(personas)
    trials = current_trials(None)[:2]
    with transaction.atomic():
        matching._upsert([], [_row(case.pk, t, {**_AWKWARD, "i": i}) for i, t in enumerate(trials)])
    stored = {m.trial_id: m for m in TrialMatch.objects.filter(case=case)}
    assert {pk: m.payload for pk, m in stored.items()} == {t.trial.pk: {**_AWKWARD, "i": i} for i, t in enumerate(trials)}
    assert {m.eligibility for m in stored.values()} == {"eligible"}

    # The same pairs again with new values update in place (one row per case and trial), twice in one
    # transaction: the staging table is empty again after each upsert.
    with transaction.atomic():
        matching._upsert([_row(case.pk, trials[0], {"v": 2}, revision=2)], [])
        matching._upsert([_row(case.pk, trials[1], {"v": 3}, revision=3)], [])
    assert dict(TrialMatch.objects.filter(case=case).values_list("trial_id", "case_revision")) == {
        trials[0].trial.pk: 2,
        trials[1].trial.pk: 3,
    }
    assert TrialMatch.objects.get(case=case, trial_id=trials[1].trial.pk).payload == {"v": 3}


def test_copy_and_bulk_create_store_the_same_matches(personas: Personas) -> None:
    """The stored payloads of a chunk equal the engine's ``to_dict`` as Django's own JSON binding stores it."""
    cases = [make_breast_case(personas, bone_metastases_count=2 + i) for i in range(3)]
    services.cases_match_trials([c.pk for c in cases])
    stored = {(m.case_id, m.trial_id): (m.eligibility, m.payload) for m in TrialMatch.objects.all()}
    assert len(stored) == 3 * Trial.objects.count()
    with connection.cursor() as cursor:  # the database's own text of each stored jsonb, as Django reads it
        cursor.execute("SELECT count(*) FROM trials_trialmatch WHERE payload->>'eligibility' = eligibility")
        assert cursor.fetchone()[0] == len(stored)
    TrialMatch.objects.all().delete()
    rows = list(stored.items())
    TrialMatch.objects.bulk_create(
        [
            TrialMatch(
                case_id=c,
                trial_id=t,
                trial_version=Trial.objects.get(pk=t).versions.first(),
                eligibility=e,
                payload=p,
                case_revision=1,
                engine_version=ENGINE_VERSION,
                computed_at=timezone.now(),
            )
            for (c, t), (e, p) in rows
        ]
    )
    assert {(m.case_id, m.trial_id): (m.eligibility, m.payload) for m in TrialMatch.objects.all()} == stored


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_copy_upsert_is_a_staging_table_a_copy_and_one_insert(personas: Personas) -> None:
    case = make_breast_case(personas)
    trials = current_trials(None)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        matching._upsert([_row(case.pk, t, {"n": 1}) for t in trials], [])
    sql = [q["sql"] for q in queries.captured_queries if "copy_upsert_" in q["sql"]]
    assert len(sql) == 3, sql
    assert sql[0].startswith('CREATE TEMPORARY TABLE IF NOT EXISTS "copy_upsert_trials_trialmatch" ON COMMIT DROP')
    assert sql[1].startswith('COPY "copy_upsert_trials_trialmatch"')
    assert 'INSERT INTO "trials_trialmatch"' in sql[2] and 'ON CONFLICT ("case_id", "trial_id") DO UPDATE' in sql[2]
    assert TrialMatch.objects.filter(case=case).count() == len(trials)
    with connection.cursor() as cursor:  # dropped at commit (the test's transaction still holds it here)
        cursor.execute("SELECT count(*) FROM copy_upsert_trials_trialmatch")
        assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_copy_upsert_refuses_to_run_outside_a_transaction() -> None:
    # In autocommit the staging table would be dropped as soon as it was created.
    fields = ("case_id", "trial_id")
    with pytest.raises(RuntimeError, match="inside a transaction"):
        copy_upsert(TrialMatch, fields, [], unique_fields=fields, update_fields=())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other backends' refusal")
def test_copy_upsert_is_postgresql_only() -> None:
    with pytest.raises(NotImplementedError):
        copy_upsert(TrialMatch, ("case_id",), [], unique_fields=("case_id",), update_fields=())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_new_matches_are_copied_straight_into_the_table(personas: Personas) -> None:
    case = make_breast_case(personas)
    trials = current_trials(None)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        matching._upsert([], [_row(case.pk, t, {**_AWKWARD, "n": i}) for i, t in enumerate(trials)])
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert sql == [
        'COPY "trials_trialmatch" ("case_id", "trial_id", "trial_version_id", "eligibility", "payload", '
        '"inputs_digest", "case_revision", "engine_version", "computed_at") FROM STDIN'
    ]
    stored = dict(TrialMatch.objects.filter(case=case).values_list("trial_id", "payload"))
    assert stored == {t.trial.pk: {**_AWKWARD, "n": i} for i, t in enumerate(trials)}
    assert all(pk is not None for pk in TrialMatch.objects.filter(case=case).values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_a_new_row_that_exists_after_all_fails_the_transaction_and_overwrites_nothing(personas: Personas) -> None:
    case = make_breast_case(personas)
    trial = current_trials(None)[0]
    with transaction.atomic():
        matching._upsert([], [_row(case.pk, trial, {"v": 1})])
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_new_rows(TrialMatch, matching._MATCH_FIELDS, [_row(case.pk, trial, {"v": 2}, revision=2)])
    stored = TrialMatch.objects.get(case=case, trial_id=trial.trial.pk)
    assert (stored.payload, stored.case_revision) == ({"v": 1}, 1)


def test_a_first_match_copies_new_rows_and_a_changed_one_upserts_them(personas: Personas) -> None:
    case = make_breast_case(personas)
    trials = current_trials(None)
    with CaptureQueriesContext(connection) as first:
        assert services.cases_match_trials([case.pk]) == len(trials)
    case.ecog = 3
    case.revision += 1
    case.save(update_fields=["ecog", "revision"])
    with CaptureQueriesContext(connection) as again:
        written = services.cases_match_trials([case.pk])
    assert 0 < written <= len(trials)
    assert TrialMatch.objects.filter(case=case).count() == len(trials)
    assert set(TrialMatch.objects.filter(case=case).values_list("case_revision", flat=True)) == {case.revision}
    if connection.vendor == "postgresql":
        assert not any("copy_upsert_" in q["sql"] for q in first.captured_queries)
        assert any(q["sql"].startswith('COPY "trials_trialmatch"') for q in first.captured_queries)
        assert any("copy_upsert_" in q["sql"] for q in again.captured_queries)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other backends' refusal")
def test_copy_new_rows_is_postgresql_only() -> None:
    with pytest.raises(NotImplementedError):
        copy_new_rows(TrialMatch, ("case_id",), [])
