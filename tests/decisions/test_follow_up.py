"""Implementation follow-up and the reminder to the case owner (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.decisions import tasks
from apps.decisions.models import Decision, FollowUpReminder
from apps.meetings.models import Notification
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, draft_body, sitting


def _signed(p: Personas) -> dict:
    s = sitting(p)
    created = p.client(p.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").json()
    return p.client(p.radonc).post(f"/api/v1/decisions/{created['id']}/sign/", {"password": PASSWORD}, format="json").json()


def test_record_follow_up(personas: Personas) -> None:
    decision = _signed(personas)
    url = f"/api/v1/decisions/{decision['id']}/follow-up/"
    client = personas.client(personas.surgeon)
    assert client.post(url, {"implementation": "not_implemented"}, format="json").status_code == 400
    assert "reason" in client.post(url, {"implementation": "modified"}, format="json").json()
    assert "implementation" in client.post(url, {"implementation": "partly"}, format="json").json()
    assert "note" in client.post(url, {"implementation": "not_implemented", "reason": "other"}, format="json").json()
    response = client.post(
        url,
        {
            "implementation": "not_implemented",
            "reason": "patient_wish",
            "note": "Declined surgery.",
            "response_3_months": "stable",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["reason"] == "patient_wish" and response.json()["response_3_months"] == "stable"
    shown = client.get(f"/api/v1/decisions/{decision['id']}/").json()
    assert [f["implementation"] for f in shown["follow_ups"]] == ["not_implemented"]
    # Recording follow-up never touches the signed row.
    assert Decision.objects.get(pk=decision["id"]).content_hash == decision["content_hash"]


def test_follow_up_only_on_the_signed_version(personas: Personas) -> None:
    s = sitting(personas)
    draft = personas.client(personas.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").json()
    url = f"/api/v1/decisions/{draft['id']}/follow-up/"
    assert personas.client(personas.surgeon).post(url, {"implementation": "implemented"}, format="json").status_code == 409


def test_reminder_once_when_no_follow_up(personas: Personas, django_capture_on_commit_callbacks, settings) -> None:
    settings.DECISION_FOLLOW_UP_REMINDER_WEEKS = 6
    decision = _signed(personas)
    assert tasks.send_follow_up_reminders() == 0  # not due yet
    late = timezone.now() + dt.timedelta(weeks=6, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        from apps.decisions import services

        assert services.follow_up_due_ids(late) == [decision["id"]]
        assert services.follow_up_remind(decision_id=decision["id"]) is True
        assert services.follow_up_remind(decision_id=decision["id"]) is False  # a redelivered task sends nothing
    assert FollowUpReminder.objects.filter(decision_id=decision["id"]).count() == 1
    owner = Decision.objects.get(pk=decision["id"]).case.created_by
    assert Notification.objects.filter(recipient=owner, key__startswith=f"follow_up_reminder:{decision['id']}:").count() == 1
    assert services.follow_up_due_ids(late) == []


def test_no_reminder_once_follow_up_is_recorded(personas: Personas) -> None:
    from apps.decisions import services

    decision = _signed(personas)
    personas.client(personas.surgeon).post(
        f"/api/v1/decisions/{decision['id']}/follow-up/", {"implementation": "implemented"}, format="json"
    )
    assert services.follow_up_due_ids(timezone.now() + dt.timedelta(weeks=52)) == []
    assert services.follow_up_remind(decision_id=decision["id"]) is False


def test_decision_list_queries_do_not_grow(personas: Personas) -> None:
    decision = _signed(personas)
    case_id = decision["case"]
    client = personas.client(personas.surgeon)
    url = f"/api/v1/cases/{case_id}/decisions/"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    current = decision
    for n in range(3):
        client.post(f"/api/v1/decisions/{current['id']}/follow-up/", {"implementation": "implemented"}, format="json")
        draft = client.post(f"/api/v1/decisions/{current['id']}/amend/", {"reason": f"correction {n}"}, format="json").json()
        current = (
            personas.client(personas.radonc)
            .post(f"/api/v1/decisions/{draft['id']}/sign/", {"password": PASSWORD}, format="json")
            .json()
        )
    assert len(client.get(url).json()) == 4
    assert count() == few


def test_return_to_agenda_asks_the_coordinators(personas: Personas, django_capture_on_commit_callbacks) -> None:
    decision = _signed(personas)
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.surgeon).post(
            f"/api/v1/decisions/{decision['id']}/follow-up/",
            {"implementation": "modified", "reason": "medical_reason", "return_to_agenda": True},
            format="json",
        )
    assert response.status_code == 201 and response.json()["return_to_agenda"] is True
    notes = Notification.objects.filter(case_id=decision["case"], key__startswith="return_to_agenda:")
    assert [n.recipient for n in notes] == [personas.coordinator]
