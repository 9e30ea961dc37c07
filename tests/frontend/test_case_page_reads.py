"""The case page reads the trial matches once (issue 16, read path round 3): the section and the listing
come from one query of every trial with the case's stored match; no trial version is read once compiled,
and the dose section is one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.trials import services
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db


def test_case_page_reads_the_trial_matches_once(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    browser = Client()
    browser.force_login(personas.radonc)
    assert browser.get(f"/cases/{case.pk}/").status_code == 200  # warm-up: compiles the trial versions
    with CaptureQueriesContext(connection) as ctx:
        page = browser.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]

    def reads(*tables: str) -> list[str]:  # queries reading these tables first (not in a subquery)
        return [q for q in sql if any(q.startswith(f'SELECT "{table}".') for table in tables)]

    assert len(reads("trials_trialmatch", "trials_trial")) == 1, sql  # twice before, with a count
    assert not reads("trials_trialversion")  # every version's definition before
    assert len(reads("dosimetry_radiotherapyplan", "dosimetry_dosesummary")) == 1  # three before
    assert "Not recruiting: completed." in page.content.decode()
