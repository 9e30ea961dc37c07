"""The case's trial-matches listing serves what is stored (issue 16, read path round 3) and its bytes are
the ones the old path wrote: every trial's current version loaded with its definition, the stored matches
with theirs, each status re-derived from the models and every trial that is not current matched on the
spot. The old path is kept here (:func:`_old_listing`) as the reference, on data holding every status:
current, pending (a trial added after the match), stale by the trial's version, by the matcher's version
and by the case's revision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import JSONField
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.cases import selectors as case_selectors
from apps.cases.derived import DerivedStatus
from apps.cases.models import Case
from apps.trials import services
from apps.trials.models import Trial, TrialMatch
from apps.trials.selectors import (
    case_trial_rows,
    current_trials,
    match_status,
    trial_matches_section,
    trial_matches_section_from_rows,
    trial_summary,
)
from tests.conftest import Personas
from tests.trials.test_api import _new_definition, matches_url
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 12, 2, 12, 0, 0, 123456, tzinfo=dt.UTC)


def _old_listing(case_id: int) -> list[dict[str, Any]]:
    """``case_trial_matches`` as it was before issue 16's third round (commit 2070ae2)."""
    case = case_selectors.case_for_engines(case_id)
    facts = case_selectors.case_facts(case)
    stored = {m.trial_id: m for m in TrialMatch.objects.filter(case=case).select_related("trial_version")}
    out: list[dict[str, Any]] = []
    now = timezone.now()
    for row in current_trials():
        match = stored.get(row.trial.pk)
        status = match_status(match, case=case, trial=row.trial)
        if match is not None and status is DerivedStatus.CURRENT:
            payload, computed_at = match.payload, match.computed_at
        else:
            payload, computed_at = row.compiled.match(facts).to_dict(), now
        out.append(
            {
                "trial": trial_summary(row.trial),
                "eligibility": payload["eligibility"],
                "criteria": payload["criteria"],
                "missing_fields": payload["missing_fields"],
                "computed_at": computed_at.isoformat(),
                "status": status.value,
            }
        )
    return out


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """A trial matched on the spot says it was computed now: one fixed instant for both paths."""
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)
    return FROZEN


def _every_status(personas: Personas) -> Case:
    """Given a matched case, then a new trial (pending), a trial edited (stale: version) and a match of an
    older matcher (stale: engine); the rest current."""
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    definition = _new_definition()
    services.trial_create(actor=personas.administrator, definition=definition)
    edited = Trial.objects.get(identifier="NCT03721341")
    services.trial_update(actor=personas.administrator, trial_id=edited.pk, changes={"summary": "Edited summary."})
    older = Trial.objects.get(identifier="NCT03750396")
    TrialMatch.objects.filter(case=case, trial=older).update(engine_version="match-older")
    return case


def test_listing_bytes_equal_the_old_paths_with_every_match_status(personas: Personas, frozen_now: dt.datetime) -> None:
    case = _every_status(personas)
    response = personas.client(personas.radonc).get(matches_url(case.pk))
    assert response.status_code == 200
    body = response.json()
    statuses = {row["trial"]["identifier"]: row["status"] for row in body}
    assert statuses["NCT99999999"] == "pending"
    assert statuses["NCT03721341"] == "stale"
    assert statuses["NCT03750396"] == "stale"
    assert "current" in statuses.values()
    assert {row["eligibility"] for row in body} >= {"eligible", "ineligible"}
    assert response.content == JSONRenderer().render(_old_listing(case.pk))


def test_listing_bytes_equal_the_old_paths_when_the_case_changed_since(personas: Personas, frozen_now: dt.datetime) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    Case.objects.filter(pk=case.pk).update(revision=case.revision + 1)
    response = personas.client(personas.radonc).get(matches_url(case.pk))
    assert {row["status"] for row in response.json()} == {"stale"}
    assert response.content == JSONRenderer().render(_old_listing(case.pk))


def test_listing_bytes_equal_the_old_paths_before_any_match(personas: Personas, frozen_now: dt.datetime) -> None:
    case = make_breast_case(personas)
    response = personas.client(personas.radonc).get(matches_url(case.pk))
    assert {row["status"] for row in response.json()} == {"pending"}
    assert response.content == JSONRenderer().render(_old_listing(case.pk))


def test_a_current_listing_reads_no_definition_and_loads_no_case_facts(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every stored match current: the payloads are served as stored, no trial version's definition is
    decoded and nothing is matched, so the case's lesions and prior courses are not read either."""
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    client = personas.client(personas.radonc)
    client.get(matches_url(case.pk))  # warm-up
    decoded: list[str] = []
    original = JSONField.from_db_value

    def spy(self: JSONField, value: Any, expression: Any, conn: Any) -> Any:
        if value is not None:  # a NULL is not decoded
            owner = f"{self.model._meta.db_table}." if hasattr(self, "model") else "annotation "
            decoded.append(f"{owner}{self.name or getattr(expression, 'target', expression)}")
        return original(self, value, expression, conn)

    monkeypatch.setattr(JSONField, "from_db_value", spy)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(matches_url(case.pk))
    assert response.status_code == 200
    assert {row["status"] for row in response.json()} == {"current"}
    assert decoded == ["trials_trialmatch.payload"] * Trial.objects.count(), decoded
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [q for q in sql if 'FROM "cases_lesion"' in q or 'FROM "cases_priorradiotherapycourse"' in q]
    # the user's board ids, the case in scope with its revision, every trial with its stored match (the
    # persona's client is authenticated without a token query); 9 before issue 16's third round
    assert len(sql) == 3, sql


def test_the_pages_section_from_the_one_read_equals_the_section(personas: Personas) -> None:
    """The case page builds the ``trial_matches`` section from the listing's rows: the same section."""
    case = _every_status(personas)
    case.refresh_from_db()
    assert trial_matches_section_from_rows(case_trial_rows(case.pk), case) == trial_matches_section(case)
    Case.objects.filter(pk=case.pk).update(revision=case.revision + 1)
    case.refresh_from_db()
    assert trial_matches_section_from_rows(case_trial_rows(case.pk), case) == trial_matches_section(case)
    fresh = make_breast_case(personas)
    assert trial_matches_section_from_rows(case_trial_rows(fresh.pk), fresh) == trial_matches_section(fresh)
