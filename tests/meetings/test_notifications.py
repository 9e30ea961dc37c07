"""Notifications exactly once per key, preferences, reminders that move with the meeting, the in-app list."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from apps.meetings import notifications, services
from apps.meetings.models import EmailState, Notification, NotificationPreference
from apps.meetings.tasks import deliver_notification, send_due_reminders
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series


def payload(p: Personas, key: str = "agenda_published:1:2", kind: str = "agenda_published") -> dict[str, object]:
    return {
        "key": f"{key}:{p.surgeon.pk}",
        "recipient_id": p.surgeon.pk,
        "kind": kind,
        "subject": "Agenda published",
        "body": "3 cases",
    }


def test_the_same_key_delivers_once(personas: Personas) -> None:
    personas.surgeon.email = "surgeon@example.org"
    personas.surgeon.save()
    for _ in range(3):  # a redelivered message, a duplicate enqueue
        deliver_notification(**payload(personas))
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["surgeon@example.org"]
    row = Notification.objects.get()
    assert row.email_state == EmailState.SENT and row.emailed_at is not None


def test_preferences_are_respected(personas: Personas) -> None:
    personas.surgeon.email = "surgeon@example.org"
    personas.surgeon.save()
    client = personas.client(personas.surgeon)
    response = client.put(
        "/api/v1/notification-preferences/",
        {"preferences": {"agenda_published": {"email": False}, "reminder": {"in_app": False}}},
    )
    assert response.status_code == 200
    assert response.json()["preferences"]["agenda_published"] == {"email": False, "in_app": True}
    deliver_notification(**payload(personas))
    deliver_notification(**payload(personas, key="reminder:1:x", kind="reminder"))
    assert len(mail.outbox) == 1  # only the reminder's email
    listed = client.get("/api/v1/notifications/").json()["results"]
    assert [n["kind"] for n in listed] == ["agenda_published"]  # the reminder is not in the in-app list
    assert NotificationPreference.objects.filter(user=personas.surgeon).count() == 2


def test_bad_preferences_are_400(personas: Personas) -> None:
    client = personas.client(personas.surgeon)
    assert "preferences" in client.put("/api/v1/notification-preferences/", {"preferences": {"gossip": {"email": True}}}).json()
    bad = client.put("/api/v1/notification-preferences/", {"preferences": {"reminder": {"sms": True}}})
    assert bad.status_code == 400


def test_mark_read(personas: Personas) -> None:
    deliver_notification(**payload(personas))
    deliver_notification(**payload(personas, key="agenda_published:1:3"))
    client = personas.client(personas.surgeon)
    first = client.get("/api/v1/notifications/").json()["results"][0]["id"]
    assert client.post("/api/v1/notifications/read/", {"ids": [first]}).json() == {"marked_read": 1}
    assert client.post("/api/v1/notifications/read/", {}).json() == {"marked_read": 1}
    # another user's inbox is their own
    assert personas.client(personas.medonc).get("/api/v1/notifications/").json()["results"] == []


def test_publishing_notifies_each_invitee_once_per_version(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(actor=personas.coordinator, meeting_id=meeting.pk)
        services.agenda_publish(actor=personas.coordinator, meeting_id=meeting.pk)
    assert Notification.objects.filter(kind="agenda_published").count() == 6  # six members, once each
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
        services.agenda_publish(actor=personas.coordinator, meeting_id=meeting.pk)
    assert Notification.objects.filter(kind="agenda_published").count() == 12  # the new version, once more each
    assert Notification.objects.filter(kind="case_added", recipient=personas.surgeon).count() == 1


def test_reminder_is_sent_once_and_again_after_a_move(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    (meeting,) = meetings_of(weekly_series(personas, weeks=1, reminder_minutes_before=60))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 0  # three days ahead: not due
    services.meeting_move(actor=personas.coordinator, meeting_id=meeting.pk, starts_at=timezone.now() + dt.timedelta(minutes=30))
    services.attendance_rsvp(actor=personas.pathologist, meeting_id=meeting.pk, response="declined")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 5  # every invitee but the one who declined
        assert send_due_reminders() == 0
    assert Notification.objects.filter(kind="reminder").count() == 5
    assert not Notification.objects.filter(kind="reminder", recipient=personas.pathologist).exists()
    # moved again: the reminder moves with it and is sent for the new start
    services.meeting_move(actor=personas.coordinator, meeting_id=meeting.pk, starts_at=timezone.now() + dt.timedelta(minutes=50))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 5
    assert Notification.objects.filter(kind="reminder").count() == 10


def test_cancelled_meeting_gets_no_reminder(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    services.meeting_move(actor=personas.coordinator, meeting_id=meeting.pk, starts_at=timezone.now() + dt.timedelta(minutes=30))
    services.meeting_cancel(actor=personas.coordinator, meeting_id=meeting.pk, reason="ill")
    assert send_due_reminders() == 0


def test_decision_signed_hook_notifies_the_case_owner_once(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    case = submitted_case(personas, owner=personas.medonc)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            with transaction.atomic():
                services.decision_signed(decision_key="7:v1", case_id=case.pk, meeting_id=None, signer=personas.radonc)
    assert personas.medonc.notifications.filter(kind="decision_signed").count() == 1


def test_notify_only_enqueues_after_commit(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notifications.notify(recipient_ids=[personas.surgeon.pk], kind="mention", key="mention:rolled-back", subject="x")
            raise RuntimeError("the edit fails")
    except RuntimeError:
        pass
    assert not Notification.objects.exists()
