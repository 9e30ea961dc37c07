"""Trial registry and case trial-matches through the public API."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.trials import services
from apps.trials.engine import load_seed_trials, status_rank
from apps.trials.models import Trial, TrialVersion
from tests.conftest import Personas
from tests.factories import CaseFactory
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

TRIALS = "/api/v1/trials/"
TRIAL_KEYS = {"identifier", "short_name", "title", "phase", "status", "version"}
CRITERION_KEYS = {"code", "text", "result", "explanation", "missing", "source"}


def matches_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/trial-matches/"


def by_identifier(body: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["trial"]["identifier"]: row for row in body}


def test_trial_matches_lists_every_trial_recruiting_first_with_contract_keys(personas: Personas) -> None:
    case = make_breast_case(personas)
    response = personas.client(personas.radonc).get(matches_url(case.pk))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert len(body) == Trial.objects.count()
    ranks = [status_rank(row["trial"]["status"]) for row in body]
    assert ranks == sorted(ranks)
    assert body[0]["trial"]["status"] == "recruiting"
    for row in body:
        assert set(row["trial"]) >= TRIAL_KEYS
        assert row["eligibility"] in {"eligible", "possibly_eligible", "ineligible"}
        assert {"criteria", "missing_fields", "computed_at", "status"} <= set(row)
        assert row["status"] in {"pending", "current", "stale"}
        for criterion in row["criteria"]:
            assert set(criterion) >= CRITERION_KEYS
            assert criterion["result"] in {"met", "not_met", "unknown"}
            assert criterion["explanation"]


def test_breast_oligometastatic_case_eligibility(personas: Personas) -> None:
    """ER+/HER2- breast, controlled primary, 2 bone metastases: SABR-COMET-3 and CLEAR fit, 4-10 does not."""
    case = make_breast_case(personas)
    rows = by_identifier(personas.client(personas.radonc).get(matches_url(case.pk)).json())
    sabr_comet_3 = rows["NCT03862911"]
    assert sabr_comet_3["eligibility"] == "eligible", sabr_comet_3
    assert all(c["result"] == "met" for c in sabr_comet_3["criteria"])
    clear = rows["NCT03750396"]
    assert clear["eligibility"] in {"eligible", "possibly_eligible"}, clear
    assert not [c for c in clear["criteria"] if c["result"] == "not_met"]
    sabr_comet_10 = rows["NCT03721341"]
    assert sabr_comet_10["eligibility"] == "ineligible"
    failed = [c for c in sabr_comet_10["criteria"] if c["result"] == "not_met"]
    assert failed and all(c["explanation"] for c in failed)


def test_trial_matches_status_pending_then_current(personas: Personas) -> None:
    case = make_breast_case(personas)
    client = personas.client(personas.radonc)
    assert {row["status"] for row in client.get(matches_url(case.pk)).json()} == {"pending"}
    services.case_match_trials(case.pk)
    body = client.get(matches_url(case.pk)).json()
    assert {row["status"] for row in body} == {"current"}
    assert by_identifier(body)["NCT03862911"]["eligibility"] == "eligible"


def test_case_detail_has_trial_matches_section(personas: Personas) -> None:
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    body = personas.client(personas.radonc).get(f"/api/v1/cases/{case.pk}/").json()
    section = body["trial_matches"]
    assert section["status"] == "current"
    assert section["computed_at"]
    assert {"identifier", "status"} <= set(section["matches"][0]["trial"])
    assert {m["eligibility"] for m in section["matches"]} <= {"eligible", "possibly_eligible", "ineligible"}


def test_trial_matches_is_scoped_to_the_users_boards(personas: Personas) -> None:
    case = make_breast_case(personas)
    assert personas.client(personas.other_member).get(matches_url(case.pk)).status_code == 404
    assert personas.client(personas.outsider).get(matches_url(case.pk)).status_code == 404
    assert personas.client(personas.administrator).get(matches_url(case.pk)).status_code == 200
    assert personas.client(None).get(matches_url(case.pk)).status_code == 401
    assert personas.client(personas.radonc).get(matches_url(999_999)).status_code == 404


def test_registry_read_by_any_authenticated_user(personas: Personas) -> None:
    response = personas.client(personas.outsider).get(TRIALS, {"page_size": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Trial.objects.count()
    first = body["results"][0]
    assert {"identifier", "short_name", "title", "phase", "status", "version", "criteria"} <= set(first)
    detail = personas.client(personas.outsider).get(f"{TRIALS}NCT03862911/")
    assert detail.status_code == 200
    assert detail.json()["criteria"][0]["code"] == "controlled_primary"
    assert personas.client(None).get(TRIALS).status_code == 401


def _new_definition() -> dict[str, Any]:
    definition = copy.deepcopy(next(t for t in load_seed_trials() if t["identifier"] == "NCT03862911"))
    definition.update(identifier="NCT99999999", short_name="TEST-TRIAL", status="not_yet_recruiting")
    return definition


def test_registry_write_needs_registry_permission(personas: Personas) -> None:
    for user in (personas.radonc, personas.coordinator, personas.outsider):
        client = personas.client(user)
        assert client.post(TRIALS, _new_definition(), format="json").status_code == 403
        assert client.patch(f"{TRIALS}NCT03862911/", {"summary": "x"}, format="json").status_code == 403
    assert personas.client(None).post(TRIALS, _new_definition(), format="json").status_code == 401
    assert not Trial.objects.filter(identifier="NCT99999999").exists()


def test_administrator_creates_and_edits_trials(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    case = make_breast_case(personas)
    client = personas.client(personas.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TRIALS, _new_definition(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 1
    trial = Trial.objects.get(identifier="NCT99999999")
    assert trial.matches.filter(case=case).count() == 1  # re-matched on commit (eager Celery)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"{TRIALS}NCT99999999/", {"status": "recruiting"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert response.json()["status"] == "recruiting"
    assert TrialVersion.objects.filter(trial=trial).count() == 2

    duplicate = client.post(TRIALS, _new_definition(), format="json")
    assert duplicate.status_code == 400
    assert "identifier" in duplicate.json()


def test_criteria_typo_is_a_400_naming_the_path(personas: Personas) -> None:
    client = personas.client(personas.administrator)
    seeded = Trial.objects.get(identifier="NCT03862911").current_version
    criteria = client.get(f"{TRIALS}NCT03862911/").json()["criteria"]
    criteria[1]["rule"]["field"] = "metastasis_count"
    response = client.patch(f"{TRIALS}NCT03862911/", {"criteria": criteria}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert any(path.startswith("$.criteria[1].rule") for path in body), body
    assert Trial.objects.get(identifier="NCT03862911").current_version == seeded

    definition = _new_definition()
    definition["criteria"][0]["rule"]["op"] = "lt"
    response = client.post(TRIALS, definition, format="json")
    assert response.status_code == 400
    assert any(path.startswith("$.criteria[0].rule") for path in response.json())


def test_registry_list_query_count_is_constant(personas: Personas) -> None:
    client = personas.client(personas.outsider)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(TRIALS, {"page_size": 200}).status_code == 200
        return len(ctx.captured_queries)

    baseline = count_queries()
    for n in range(5):
        definition = _new_definition()
        definition["identifier"] = f"NCT9000000{n}"
        services.trial_create(actor=personas.administrator, definition=definition)
    assert Trial.objects.count() >= 20
    assert count_queries() == baseline


def test_registry_list_queries_with_django_assert_num_queries(personas: Personas, django_assert_num_queries: Any) -> None:
    client = personas.client(personas.outsider)
    # count + trials page + current versions (authentication is forced, no session query).
    with django_assert_num_queries(3):
        assert client.get(TRIALS, {"page_size": 200}).status_code == 200


def test_trial_matches_query_count_independent_of_trial_count(personas: Personas) -> None:
    case = make_breast_case(personas)
    client = personas.client(personas.radonc)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(matches_url(case.pk)).status_code == 200
        return len(ctx.captured_queries)

    baseline = count_queries()
    for n in range(3):
        definition = _new_definition()
        definition["identifier"] = f"NCT9100000{n}"
        services.trial_create(actor=personas.administrator, definition=definition)
    CaseFactory(board=personas.board)
    assert count_queries() == baseline


def test_a_trial_that_is_not_recruiting_is_matched_and_says_so_in_every_view(personas: Personas) -> None:
    """Issue 9: a completed trial still gets an eligibility, and the listing, the case section, the registry
    and the case page all say it is not recruiting."""
    case = make_breast_case(personas)
    client = personas.client(personas.radonc)
    rows = by_identifier(client.get(matches_url(case.pk)).json())
    completed = rows["NCT01446744"]  # SABR-COMET, completed
    assert completed["eligibility"] in {"eligible", "possibly_eligible", "ineligible"}
    assert completed["trial"]["recruiting"] is False
    assert completed["trial"]["recruitment_note"] == "Not recruiting: completed."
    assert rows["NCT03862911"]["trial"]["recruiting"] is True
    assert rows["NCT03862911"]["trial"]["recruitment_note"] == "Recruiting."

    services.case_match_trials(case.pk)
    section = client.get(f"/api/v1/cases/{case.pk}/").json()["trial_matches"]
    in_section = {m["trial"]["identifier"]: m["trial"] for m in section["matches"]}
    assert in_section["NCT01446744"]["recruiting"] is False
    assert in_section["NCT01446744"]["recruitment_note"] == "Not recruiting: completed."
    assert in_section["NCT03862911"]["recruiting"] is True

    registry = client.get(f"{TRIALS}NCT01446744/").json()
    assert (registry["recruiting"], registry["recruitment_note"]) == (False, "Not recruiting: completed.")

    browser = Client()
    browser.force_login(personas.radonc)
    page = browser.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Not recruiting: completed." in page.content.decode()


def test_a_trial_whose_status_is_unknown_says_so(personas: Personas) -> None:
    trial = Trial.objects.get(identifier="NCT03862911")
    services.trial_update(actor=personas.administrator, trial_id=trial.pk, changes={"status": "unknown"})
    case = make_breast_case(personas)
    row = by_identifier(personas.client(personas.radonc).get(matches_url(case.pk)).json())["NCT03862911"]
    assert row["trial"]["recruiting"] is None
    assert row["trial"]["recruitment_note"].startswith("Recruitment status unknown")
    assert row["eligibility"] == "eligible"
