"""Concurrency (issue 15): If-Match required on updates of clinical content (428 without, 412 when stale),
an empty PATCH bumps nothing, and Idempotency-Key makes a repeated create return the first response."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.cases.models import Case
from apps.core.idempotency import sweep_idempotency_keys
from apps.core.models import IdempotencyKey
from apps.decisions.models import Decision
from apps.discussion.models import Comment
from apps.dosimetry.models import RadiotherapyPlan
from apps.meetings.models import AgendaItem
from apps.trials.models import TrialReferral
from tests.cases.test_case_api import URL, create_case, new_case_payload
from tests.conftest import Personas
from tests.decisions.helpers import draft_body, sitting
from tests.factories import CaseFactory, LesionFactory, MeetingFactory
from tests.meetings.helpers import submitted_case
from tests.trials.test_matching import make_breast_case


def _case_url(case_id: int) -> str:
    return f"{URL}{case_id}/"


# --- If-Match ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_update_without_if_match_is_428_and_changes_nothing(personas: Personas) -> None:
    body = create_case(personas)
    response = personas.client(personas.coordinator).patch(_case_url(body["id"]), {"ecog": 3}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    case = Case.objects.get(pk=body["id"])
    assert (case.ecog, case.revision) == (1, body["revision"])


@pytest.mark.django_db
def test_case_update_with_a_stale_if_match_is_412_and_with_the_current_one_200(personas: Personas) -> None:
    body = create_case(personas)
    client = personas.client(personas.coordinator)
    url = _case_url(body["id"])
    first = client.patch(url, {"ecog": 2}, format="json", HTTP_IF_MATCH=f'"{body["revision"]}"')
    assert first.status_code == 200, first.json()
    assert first["ETag"] == f'"{body["revision"] + 1}"'
    second = client.patch(url, {"ecog": 3}, format="json", HTTP_IF_MATCH=f'"{body["revision"]}"')
    assert second.status_code == 412
    assert Case.objects.get(pk=body["id"]).ecog == 2  # the first editor's change is kept


@pytest.mark.django_db
def test_an_empty_patch_answers_200_and_bumps_no_revision(personas: Personas) -> None:
    body = create_case(personas)
    client = personas.client(personas.coordinator)
    url = _case_url(body["id"])
    response = client.patch(url, {}, format="json", HTTP_IF_MATCH=f'"{body["revision"]}"')
    assert response.status_code == 200
    assert response.json()["revision"] == body["revision"]
    assert response["ETag"] == f'"{body["revision"]}"'
    same = client.patch(url, {"ecog": 1}, format="json", HTTP_IF_MATCH=f'"{body["revision"]}"')
    assert same.json()["revision"] == body["revision"]  # the value it already had: no change either
    assert Case.objects.get(pk=body["id"]).revision == body["revision"]


@pytest.mark.django_db
def test_plan_update_needs_if_match(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = personas.client(personas.radonc)
    created = client.post(
        f"/api/v1/cases/{case.pk}/radiotherapy-plans/", {"levels": [{"fractions": 10, "total_dose_gy": 30}]}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created["ETag"] == '"1"'
    url = f"/api/v1/radiotherapy-plans/{created.json()['plan_id']}/"
    change = {"levels": [{"fractions": 5, "total_dose_gy": 20}]}
    assert client.patch(url, change, format="json").status_code == 428
    assert client.patch(url, change, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    stale = client.patch(url, {"name": "other"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert "revision 2" in stale.json()["detail"]
    assert client.get(url).json()["revision"] == 2


@pytest.mark.django_db
def test_agenda_item_changes_need_the_agenda_version(personas: Personas) -> None:
    s = sitting(personas)
    client = personas.client(personas.coordinator)
    agenda = client.get(f"/api/v1/meetings/{s.meeting.pk}/agenda/")
    item_url = f"/api/v1/meetings/{s.meeting.pk}/agenda/{agenda.json()[0]['id']}/"
    missing = client.patch(item_url, {"reason": "Re-check after MRI"}, format="json")
    assert missing.status_code == 428
    assert client.delete(item_url).status_code == 428
    ok = client.patch(item_url, {"reason": "Re-check after MRI"}, format="json", HTTP_IF_MATCH=agenda["ETag"])
    assert ok.status_code == 200, ok.json()
    stale = client.patch(item_url, {"reason": "Other"}, format="json", HTTP_IF_MATCH=agenda["ETag"])
    assert stale.status_code == 409
    assert AgendaItem.objects.get(pk=agenda.json()[0]["id"]).reason == "Re-check after MRI"


@pytest.mark.django_db
def test_decision_patch_honours_if_match_but_keeps_it_optional(personas: Personas) -> None:
    s = sitting(personas)
    client = personas.client(personas.radonc)
    created = client.post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/v1/decisions/{created.json()['id']}/"
    read = client.get(url)
    first = client.patch(url, {"rationale": "Fixation first."}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert first.status_code == 200, first.json()
    stale = client.patch(url, {"rationale": "RT alone."}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert client.get(url).json()["rationale"] == "Fixation first."
    # The contract's "read and edit a draft" without If-Match still works.
    assert client.patch(url, {"rationale": "RT alone."}, format="json").status_code == 200


@pytest.mark.django_db
def test_an_empty_or_unchanged_plan_or_decision_patch_writes_nothing(personas: Personas) -> None:
    """Like the case: a PATCH that changes nothing keeps the revision (plan) or the ETag (decision draft),
    so another client's If-Match stays good, and writes no audit row."""
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = personas.client(personas.radonc)
    plan = client.post(
        f"/api/v1/cases/{case.pk}/radiotherapy-plans/", {"levels": [{"fractions": 5, "total_dose_gy": 20}]}, format="json"
    )
    plan_url = f"/api/v1/radiotherapy-plans/{plan.json()['plan_id']}/"
    empty = client.patch(plan_url, {}, format="json", HTTP_IF_MATCH=plan["ETag"])
    assert empty.status_code == 200 and empty["ETag"] == plan["ETag"] and empty.json()["revision"] == 1

    s = sitting(personas)
    created = client.post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json")
    url = f"/api/v1/decisions/{created.json()['id']}/"
    read = client.get(url)
    entries = AuditEntry.objects.count()
    for body in ({}, {"rationale": created.json()["rationale"]}):
        again = client.patch(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
        assert again.status_code == 200, again.json()
        assert again["ETag"] == read["ETag"], body
    assert AuditEntry.objects.count() == entries
    # A real edit still moves the ETag, and the old one is then stale.
    edited = client.patch(url, {"rationale": "Fixation first."}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert edited.status_code == 200 and edited["ETag"] != read["ETag"]
    assert client.patch(url, {}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 412


# --- Idempotency-Key ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeated_create_with_the_same_key_returns_the_first_response(personas: Personas) -> None:
    client = personas.client(personas.coordinator)
    payload = new_case_payload(personas.board.pk)
    first = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="intake-7f3a")
    again = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="intake-7f3a")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = client.post(URL, new_case_payload(personas.board.pk, question="Other question?"), format="json")
    assert other.status_code == 400  # no key: judged as a new create (the MRN now exists)


@pytest.mark.django_db
def test_a_repeated_plan_decision_or_agenda_item_create_with_the_same_key_creates_one(personas: Personas) -> None:
    """Not only cases and comments: every create that takes an Idempotency-Key replays its first answer."""
    s = sitting(personas)
    radonc, coordinator = personas.client(personas.radonc), personas.client(personas.coordinator)
    later = MeetingFactory(board=personas.board, original_start=timezone.now() + timedelta(days=14))
    waiting = submitted_case(personas)
    creates = (
        (radonc, f"/api/v1/cases/{s.case.pk}/radiotherapy-plans/", {"levels": [{"fractions": 5, "total_dose_gy": 20}]}),
        (radonc, f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s)),
        (coordinator, f"/api/v1/meetings/{later.pk}/agenda/", {"case": waiting.pk}),
    )
    for n, (client, url, body) in enumerate(creates):
        before = (RadiotherapyPlan.objects.count(), Decision.objects.count(), AgendaItem.objects.count())
        first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"create-{n}")
        again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"create-{n}")
        assert first.status_code == again.status_code == 201, (url, first.json())
        assert again.json() == first.json() and again["Idempotent-Replayed"] == "true", url
        after = (RadiotherapyPlan.objects.count(), Decision.objects.count(), AgendaItem.objects.count())
        assert sum(after) - sum(before) == 1, url  # one record, not two


@pytest.mark.django_db
def test_a_repeated_trial_referral_with_the_same_key_is_replayed_not_refused(personas: Personas) -> None:
    """Without the key a second referral to the same trial is a 400 (already referred); with it, the
    first answer comes back: a client that lost the answer and retried sees its referral."""
    case = make_breast_case(personas)
    client = personas.client(personas.radonc)
    url = f"/api/v1/cases/{case.pk}/referrals/"
    body = {"trial": "NCT03862911", "note": "SABR-COMET-3"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert TrialReferral.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422(personas: Personas) -> None:
    client = personas.client(personas.coordinator)
    client.post(URL, new_case_payload(personas.board.pk), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    changed = client.post(
        URL, new_case_payload(personas.board.pk, question="Changed?"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert changed.status_code == 422
    assert "another request" in changed.json()["Idempotency-Key"][0]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user_and_a_refused_create_keeps_no_key(personas: Personas) -> None:
    s = sitting(personas)
    url = f"/api/v1/cases/{s.case.pk}/discussion/"
    refused = personas.client(personas.radonc).post(url, {"body": ""}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    one = personas.client(personas.radonc).post(url, {"body": "RT first"}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    other_user = personas.client(personas.surgeon).post(url, {"body": "RT first"}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    repeat = personas.client(personas.radonc).post(url, {"body": "RT first"}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert one.status_code == other_user.status_code == repeat.status_code == 201
    assert repeat.json() == one.json() != other_user.json()
    assert Comment.objects.filter(case=s.case).count() == 2


@pytest.mark.django_db
def test_a_malformed_key_is_400(personas: Personas) -> None:
    response = personas.client(personas.coordinator).post(
        URL, new_case_payload(personas.board.pk), format="json", HTTP_IDEMPOTENCY_KEY="bad key with spaces"
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_keys_expire_and_are_swept(personas: Personas, settings: Any) -> None:
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    client = personas.client(personas.coordinator)
    client.post(URL, new_case_payload(personas.board.pk), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert sweep_idempotency_keys() == 1
    assert not IdempotencyKey.objects.exists()


# --- Two clients at once, on PostgreSQL ----------------------------------------------------------------


def _in_threads(*calls: Any) -> list[Any]:
    """Run each call in its own thread (own database connection), released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_clients_posting_the_same_key_at_once_create_one_case(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: set DATABASE_URL")
    payload = new_case_payload(personas.board.pk)

    def post() -> Any:
        client = APIClient()
        client.force_authenticate(personas.coordinator)
        return client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="twin-1")

    first, second = _in_threads(post, post)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Case.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_clients_editing_the_same_revision_at_once_lose_no_update(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: set DATABASE_URL")
    body = create_case(personas)

    def patch(ecog: int) -> Any:
        def call() -> Any:
            client = APIClient()
            client.force_authenticate(personas.coordinator)
            return client.patch(_case_url(body["id"]), {"ecog": ecog}, format="json", HTTP_IF_MATCH=f'"{body["revision"]}"')

        return call

    results = _in_threads(patch(2), patch(3))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 412]
    winner = next(r for r in results if r.status_code == 200)
    case = Case.objects.get(pk=body["id"])
    assert (case.ecog, case.revision) == (winner.json()["ecog"], body["revision"] + 1)
