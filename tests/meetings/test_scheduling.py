"""Series and meetings through the API: fields of the contract, local times, move, cancel, scoping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.meetings import services
from apps.meetings.models import Meeting, MeetingStatus
from tests.conftest import Personas
from tests.factories import MembershipFactory, UserFactory
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series

LONDON = ZoneInfo("Europe/London")
CONTRACT_LIST_FIELDS = {
    "id",
    "board",
    "starts_at",
    "ends_at",
    "timezone",
    "status",
    "location",
    "video_url",
    "submission_deadline",
    "quorum_met",
}


def test_series_created_through_the_api_expands_into_meetings(personas: Personas) -> None:
    client = personas.client(personas.coordinator)
    first = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        "/api/v1/meeting-series/",
        {
            "board": personas.board.pk,
            "title": "Bone board",
            "rule": "FREQ=WEEKLY;BYDAY=" + ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday()],
            "first_date": first.isoformat(),
            "start_time": "07:30",
            "timezone": "Europe/London",
            "minutes_per_case": 10,
            "chair": personas.radonc.pk,
            "skipped_dates": [(first + dt.timedelta(weeks=1)).isoformat()],
            "until": (first + dt.timedelta(weeks=3)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [m.local_date for m in meetings] == [first, first + dt.timedelta(weeks=2), first + dt.timedelta(weeks=3)]
    assert {m.starts_at.astimezone(LONDON).time() for m in meetings} == {dt.time(7, 30)}
    # every board member is invited
    assert meetings[0].attendances.count() == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rule": "FREQ=NEVER"}, "rule"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"chair": "other"}, "chair"),
        ({"chair": "coordinator"}, "chair"),
        ({"minutes_per_case": None, "max_cases": None}, "minutes_per_case"),
    ],
)
def test_bad_series_is_a_400_naming_the_field(personas: Personas, change: dict[str, object], field: str) -> None:
    body: dict[str, object] = {
        "board": personas.board.pk,
        "title": "Bone board",
        "rule": "FREQ=WEEKLY",
        "first_date": "2027-01-05",
        "start_time": "07:30",
        "timezone": "Europe/London",
        "minutes_per_case": 10,
        "chair": personas.radonc.pk,
    }
    users = {"other": personas.other_member.pk, "coordinator": personas.coordinator.pk}
    body.update({k: users.get(v, v) if isinstance(v, str) and k == "chair" else v for k, v in change.items()})
    response = personas.client(personas.coordinator).post("/api/v1/meeting-series/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert Meeting.objects.count() == 0


def test_list_has_the_contract_fields_with_local_offsets(personas: Personas) -> None:
    series = weekly_series(personas, weeks=2)
    response = personas.client(personas.surgeon).get("/api/v1/meetings/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 2
    assert set(rows[0]) == CONTRACT_LIST_FIELDS
    first = meetings_of(series)[0]
    row = rows[0]
    assert row["timezone"] == "Europe/London"
    assert row["status"] == "scheduled"
    assert row["quorum_met"] is None  # before the meeting
    assert dt.datetime.fromisoformat(row["starts_at"]) == first.starts_at
    assert row["starts_at"].endswith(("+00:00", "+01:00"))
    assert dt.datetime.fromisoformat(row["starts_at"]).astimezone(LONDON).time() == dt.time(7, 30)
    assert dt.datetime.fromisoformat(row["ends_at"]) - dt.datetime.fromisoformat(row["starts_at"]) == dt.timedelta(minutes=60)
    assert dt.datetime.fromisoformat(row["starts_at"]) - dt.datetime.fromisoformat(row["submission_deadline"]) == dt.timedelta(
        hours=48
    )


def test_list_filters_by_board_and_local_dates(personas: Personas) -> None:
    series = weekly_series(personas, weeks=3)
    dates = [m.local_date for m in meetings_of(series)]
    client = personas.client(personas.coordinator)
    assert len(client.get("/api/v1/meetings/", {"from": dates[1].isoformat()}).json()["results"]) == 2
    assert len(client.get("/api/v1/meetings/", {"to": dates[1].isoformat()}).json()["results"]) == 2
    one = client.get("/api/v1/meetings/", {"from": dates[1].isoformat(), "to": dates[1].isoformat()}).json()["results"]
    assert [dt.datetime.fromisoformat(r["starts_at"]).astimezone(LONDON).date() for r in one] == [dates[1]]
    assert client.get("/api/v1/meetings/", {"board": personas.other_board.pk}).json()["results"] == []
    assert len(client.get("/api/v1/meetings/", {"board": personas.board.pk}).json()["results"]) == 3


@pytest.mark.parametrize(("param", "value"), [("from", "01/12/2026"), ("to", "2026-13-01"), ("board", "main")])
def test_bad_filters_are_400_naming_the_parameter(personas: Personas, param: str, value: str) -> None:
    response = personas.client(personas.coordinator).get("/api/v1/meetings/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_detail_includes_the_chair(personas: Personas) -> None:
    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    data = personas.client(personas.pathologist).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert data["chair"] == {"id": personas.radonc.pk, "username": "radonc"}
    assert set(data) >= CONTRACT_LIST_FIELDS


def test_scoping_personas(personas: Personas) -> None:
    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    url = f"/api/v1/meetings/{meeting.pk}/"
    assert personas.client(personas.other_member).get(url).status_code == 404
    assert personas.client(personas.other_member).get("/api/v1/meetings/").json()["results"] == []
    assert personas.client(personas.outsider).get(url).status_code == 404
    assert personas.client(None).get(url).status_code == 401
    assert personas.client(personas.administrator).get(url).status_code == 200
    for path in ("agenda/", "calendar.ics", "attendance/", "quorum/", "live/"):
        assert personas.client(personas.other_member).get(url + path).status_code == 404, path
    # writes: another board's coordinator gets 404, a surgeon 403, the administrator 403
    other_coordinator = UserFactory(username="other_coordinator", role=Role.COORDINATOR)
    MembershipFactory(board=personas.other_board, user=other_coordinator)
    assert personas.client(other_coordinator).post(url + "cancel/", {"reason": "x"}).status_code == 404
    assert personas.client(other_coordinator).post(url + "agenda/", {"case": 1}).status_code == 404
    assert personas.client(personas.surgeon).post(url + "cancel/", {"reason": "x"}).status_code == 403
    assert personas.client(personas.administrator).post(url + "cancel/", {"reason": "x"}).status_code == 403
    assert personas.client(personas.administrator).post(url + "agenda/", {"case": 1}).status_code == 403


def test_moving_one_meeting_leaves_the_others_and_keeps_its_original_start(personas: Personas) -> None:
    first, second, third = meetings_of(weekly_series(personas, weeks=3))
    before = {m.pk: (m.starts_at, m.sequence) for m in (first, third)}
    new_start = second.starts_at + dt.timedelta(days=1, hours=2)
    response = personas.client(personas.coordinator).post(
        f"/api/v1/meetings/{second.pk}/move/", {"starts_at": new_start.isoformat(), "reason": "holiday"}
    )
    assert response.status_code == 200, response.json()
    second.refresh_from_db()
    assert second.starts_at == new_start
    assert second.original_start != second.starts_at
    assert second.sequence == 1
    assert second.submission_deadline == new_start - dt.timedelta(hours=48)
    assert second.remind_at == new_start - dt.timedelta(minutes=second.reminder_minutes_before)
    assert second.local_date == new_start.astimezone(LONDON).date()
    for m in (first, third):
        m.refresh_from_db()
        assert (m.starts_at, m.sequence) == before[m.pk]


def test_move_needs_an_offset_and_a_future_time(personas: Personas) -> None:
    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    client = personas.client(personas.coordinator)
    assert "starts_at" in client.post(f"/api/v1/meetings/{meeting.pk}/move/", {"starts_at": "2027-01-05T07:30:00"}).json()
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert "starts_at" in client.post(f"/api/v1/meetings/{meeting.pk}/move/", {"starts_at": past}).json()


def test_extending_a_series_does_not_duplicate_or_revive_meetings(personas: Personas) -> None:
    series = weekly_series(personas, weeks=2)
    first, second = meetings_of(series)
    services.meeting_cancel(actor=personas.coordinator, meeting_id=second.pk, reason="holiday")
    services.meeting_move(actor=personas.coordinator, meeting_id=first.pk, starts_at=first.starts_at + dt.timedelta(hours=3))
    until = dt.datetime.combine(first.local_date + dt.timedelta(weeks=4), dt.time(), dt.UTC)
    created = services.series_extend(actor=personas.coordinator, series_id=series.pk, until=until)
    assert len(created) == 2
    assert series.meetings.count() == 4
    second.refresh_from_db()
    assert second.status == MeetingStatus.CANCELLED


def test_cancelling_moves_cases_to_the_next_meeting_and_tells_owners(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    first, second = meetings_of(weekly_series(personas, weeks=2))
    routine = submitted_case(personas, owner=personas.surgeon)
    waiting = submitted_case(personas, owner=personas.medonc)
    urgent = submitted_case(personas, urgent=True, owner=personas.radiologist)
    services.agenda_place(actor=personas.coordinator, meeting_id=first.pk, case_id=routine.pk)
    services.agenda_place(actor=personas.coordinator, meeting_id=second.pk, case_id=waiting.pk)
    services.agenda_place(actor=personas.coordinator, meeting_id=first.pk, case_id=urgent.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.coordinator).post(f"/api/v1/meetings/{first.pk}/cancel/", {"reason": "strike"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    agenda = personas.client(personas.coordinator).get(f"/api/v1/meetings/{second.pk}/agenda/").json()
    # the urgent case at the top, then the case already there, then the moved routine case
    assert [(row["case"], row["position"]) for row in agenda] == [(urgent.pk, 1), (waiting.pk, 2), (routine.pk, 3)]
    assert personas.client(personas.coordinator).get(f"/api/v1/meetings/{first.pk}/agenda/").json() == []
    moved = {n.recipient.username for n in personas.surgeon.notifications.model.objects.filter(kind="case_moved")}
    assert moved == {"surgeon", "radiologist"}
    assert personas.medonc.notifications.filter(kind="meeting_cancelled").count() == 1


def test_cancelling_the_last_meeting_returns_cases_to_the_waiting_list(personas: Personas) -> None:
    (only,) = meetings_of(weekly_series(personas, weeks=1))
    case = submitted_case(personas)
    services.agenda_place(actor=personas.coordinator, meeting_id=only.pk, case_id=case.pk)
    services.meeting_cancel(actor=personas.coordinator, meeting_id=only.pk, reason="no room")
    case.refresh_from_db()
    assert case.status == "submitted"
    waiting = personas.client(personas.coordinator).get("/api/v1/agenda/waiting/").json()
    assert [row["case"] for row in waiting] == [case.pk]


def test_cancel_needs_a_reason(personas: Personas) -> None:
    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    response = personas.client(personas.coordinator).post(f"/api/v1/meetings/{meeting.pk}/cancel/", {"reason": " "})
    assert response.status_code == 400
    assert "reason" in response.json()
