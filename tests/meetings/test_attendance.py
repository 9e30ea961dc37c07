"""Invitations, RSVP, attendance and self check-in, live quorum, meeting mode, certificates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.meetings import services
from apps.meetings.models import AgendaItem, Meeting
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series


def soon(p: Personas, minutes: int = 10, cases: int = 0) -> Meeting:
    """A meeting starting in ``minutes`` (check-in is open), with ``cases`` placed on it."""
    (meeting,) = meetings_of(weekly_series(p, weeks=1))
    for _ in range(cases):
        services.agenda_place(actor=p.coordinator, meeting_id=meeting.pk, case_id=submitted_case(p).pk)
    return services.meeting_move(
        actor=p.coordinator, meeting_id=meeting.pk, starts_at=timezone.now() + dt.timedelta(minutes=minutes)
    )


def test_rsvp(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    client = personas.client(personas.medonc)
    response = client.post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "declined"})
    assert response.status_code == 200
    assert response.json()["rsvp"] == "declined"
    assert client.post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "maybe"}).status_code == 400
    assert (
        personas.client(personas.administrator).post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "accepted"}).status_code
        == 403
    )


def test_self_check_in_only_inside_the_window(personas: Personas) -> None:
    (later,) = meetings_of(weekly_series(personas, weeks=1, first_in_days=5))
    response = personas.client(personas.surgeon).post(f"/api/v1/meetings/{later.pk}/check-in/", {"remote": False})
    assert response.status_code == 400
    assert "meeting" in response.json()
    meeting = soon(personas)
    response = personas.client(personas.surgeon).post(f"/api/v1/meetings/{meeting.pk}/check-in/", {"remote": True})
    assert response.status_code == 200
    assert response.json()["status"] == "present_remote"


def test_quorum_is_evaluated_live(personas: Personas) -> None:
    meeting = soon(personas)
    url = f"/api/v1/meetings/{meeting.pk}/"
    client = personas.client(personas.coordinator)
    assert client.get(url).json()["quorum_met"] is None  # before the start
    services.meeting_start(actor=personas.radonc, meeting_id=meeting.pk)
    assert client.get(url).json()["quorum_met"] is False
    personas.client(personas.surgeon).post(url + "check-in/", {"remote": False})
    personas.client(personas.radonc).post(url + "check-in/", {"remote": True})
    quorum = client.get(url + "quorum/").json()
    assert quorum["met"] is False and quorum["missing"] == {"medical_oncologist": 1}
    # the coordinator records the medical oncologist as excused, then present
    assert client.post(url + "attendance/", {"user": personas.medonc.pk, "status": "excused"}).status_code == 200
    assert client.get(url).json()["quorum_met"] is False
    assert client.post(url + "attendance/", {"user": personas.medonc.pk, "status": "present_in_person"}).status_code == 200
    assert client.get(url).json()["quorum_met"] is True
    assert client.get("/api/v1/meetings/").json()["results"][0]["quorum_met"] is True
    # an outsider cannot be recorded, a bad status is a 400
    assert "user" in client.post(url + "attendance/", {"user": personas.other_member.pk, "status": "absent"}).json()
    assert "status" in client.post(url + "attendance/", {"user": personas.medonc.pk, "status": "late"}).json()
    # at the end the quorum is kept on the meeting
    services.meeting_end(actor=personas.radonc, meeting_id=meeting.pk)
    services.attendance_record(actor=personas.coordinator, meeting_id=meeting.pk, user_id=personas.medonc.pk, status="absent")
    assert client.get(url).json()["quorum_met"] is True


def test_board_quorum_rule(personas: Personas) -> None:
    meeting = soon(personas)
    services.quorum_rule_set(actor=personas.coordinator, board=personas.board, minimums={"surgeon": 1, "radiologist": 1})
    services.meeting_start(actor=personas.radonc, meeting_id=meeting.pk)
    for user in (personas.surgeon, personas.radiologist):
        services.attendance_check_in(actor=user, meeting_id=meeting.pk, remote=False)
    assert personas.client(personas.coordinator).get(f"/api/v1/meetings/{meeting.pk}/").json()["quorum_met"] is True
    with pytest.raises(Exception, match="minimums"):
        services.quorum_rule_set(actor=personas.coordinator, board=personas.board, minimums={"wizard": 1})


def test_meeting_mode_records_time_per_case(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    meeting = soon(personas, cases=3)
    url = f"/api/v1/meetings/{meeting.pk}/"
    chair = personas.client(personas.radonc)
    assert personas.client(personas.surgeon).post(url + "start/").status_code == 403  # not the chair
    assert personas.client(personas.coordinator).post(url + "start/").status_code == 403
    started = chair.post(url + "start/")
    assert started.status_code == 200
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert started.json()["current_item"]["id"] == items[0].pk
    assert chair.post(url + "start/").status_code == 409
    version = started.json()["live_version"]
    advanced = chair.post(url + "advance/", {"live_version": version})
    assert advanced.json()["current_item"]["id"] == items[1].pk
    assert chair.post(url + "advance/", {"live_version": version}).status_code == 409  # a stale chair screen
    # followers read the same state
    assert personas.client(personas.pathologist).get(url + "live/").json()["current_item"]["id"] == items[1].pk
    # the chair jumps to the last case, writes minutes, and ends
    chair.post(url + "advance/", {"item": items[2].pk})
    with django_capture_on_commit_callbacks(execute=True):
        minutes = chair.patch(
            url + f"agenda/{items[2].pk}/",
            {"minutes": "Agreed: 8 Gy single fraction, review by @medonc."},
            HTTP_IF_MATCH=chair.get(url + "agenda/")["ETag"],
        )
    assert minutes.status_code == 200, minutes.json()
    ended = chair.post(url + "end/")
    assert ended.json()["status"] == "held"
    for item in items:
        item.refresh_from_db()
    assert items[0].discussed_from and items[0].discussed_to and items[0].discussed_to >= items[0].discussed_from
    assert items[2].discussed_to is not None
    assert items[1].discussed_to is not None
    assert items[2].minutes.startswith("Agreed")
    assert personas.medonc.notifications.filter(kind="mention").count() == 1
    rows = personas.client(personas.coordinator).get(url + "agenda/").json()
    assert all(r["discussed_from"] for r in rows)
    # a chair may write minutes but not change the reason for presentation
    etag = chair.get(url + "agenda/")["ETag"]
    assert chair.patch(url + f"agenda/{items[0].pk}/", {"reason": "other"}, HTTP_IF_MATCH=etag).status_code == 403


def test_certificate_pdf_for_a_member_present(personas: Personas) -> None:
    meeting = soon(personas, cases=1)
    services.attendance_check_in(actor=personas.surgeon, meeting_id=meeting.pk, remote=False)
    url = f"/api/v1/meetings/{meeting.pk}/certificate.pdf"
    assert personas.client(personas.surgeon).get(url).status_code == 409  # not held yet
    services.meeting_start(actor=personas.radonc, meeting_id=meeting.pk)
    services.meeting_end(actor=personas.radonc, meeting_id=meeting.pk)
    response = personas.client(personas.surgeon).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert personas.client(personas.pathologist).get(url).status_code == 409  # not recorded present
    assert personas.client(personas.other_member).get(url).status_code == 404
