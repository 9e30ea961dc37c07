"""Clinicians flag stored trial matches as wrong; administrators list the flags."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.trials import services
from apps.trials.models import MatchFlag, TrialMatch
from tests.conftest import Personas
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

TRIAL = "NCT03862911"


def flags_url(case_id: int, identifier: str = TRIAL) -> str:
    return f"/api/v1/cases/{case_id}/trial-matches/{identifier}/flags/"


def test_flag_a_criterion_and_list_it(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    match = TrialMatch.objects.get(case=case, trial__identifier=TRIAL)
    code = match.payload["criteria"][0]["code"]
    client = personas.client(personas.radonc)

    response = client.post(flags_url(case.pk), {"criterion_code": code, "reason": "ECOG is 2 now"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["criterion_code"] == code and body["trial"] == TRIAL and body["case"] == case.pk
    flag = MatchFlag.objects.get()
    assert flag.match == match and flag.trial_version == match.trial_version and not flag.resolved
    entry = AuditEntry.objects.get(event="trial.match_flagged")
    assert entry.actor == personas.radonc and entry.reason == "ECOG is 2 now"
    assert entry.after is not None and entry.after["criterion_code"] == code

    whole = client.post(flags_url(case.pk), {"reason": "wrong trial altogether"}, format="json")
    assert whole.status_code == 201 and whole.json()["criterion_code"] == ""

    listing = personas.client(personas.administrator).get("/api/v1/trial-match-flags/")
    assert listing.status_code == 200
    rows = listing.json()
    assert len(rows) == 2
    assert {r["reason"] for r in rows} == {"ECOG is 2 now", "wrong trial altogether"}
    assert all(r["trial_version"] == match.trial_version.version and r["created_by"] == "radonc" for r in rows)


def test_bad_criterion_and_empty_reason_are_400(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    client = personas.client(personas.radonc)
    bad = client.post(flags_url(case.pk), {"criterion_code": "NOPE-99", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "criterion_code" in bad.json()
    empty = client.post(flags_url(case.pk), {"reason": "  "}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()
    assert not MatchFlag.objects.exists()
    assert not AuditEntry.objects.filter(event="trial.match_flagged").exists()


def test_flag_scoping_and_permissions(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    body = {"reason": "wrong"}
    assert personas.client(personas.other_member).post(flags_url(case.pk), body, format="json").status_code == 404
    assert personas.client(personas.outsider).post(flags_url(case.pk), body, format="json").status_code == 404
    assert personas.client(personas.administrator).post(flags_url(case.pk), body, format="json").status_code == 403
    assert personas.client(None).post(flags_url(case.pk), body, format="json").status_code == 401
    assert personas.client(personas.radonc).post(flags_url(case.pk, "NCT00000000"), body, format="json").status_code == 404
    assert not MatchFlag.objects.exists()
    assert personas.client(personas.radonc).get("/api/v1/trial-match-flags/").status_code == 403
    assert personas.client(None).get("/api/v1/trial-match-flags/").status_code == 401


def test_flag_list_query_count_is_constant(personas: Personas, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    admin = personas.client(personas.administrator)
    for n in range(3):
        case = make_breast_case(personas)
        services.case_match_trials(case.pk)
        for _ in range(n + 1):
            services.match_flag_create(actor=personas.radonc, case_id=case.pk, trial_identifier=TRIAL, reason="r")
        with django_assert_num_queries(1):
            assert admin.get("/api/v1/trial-match-flags/").status_code == 200
