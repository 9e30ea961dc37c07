"""iCalendar files read back with the icalendar parser: local times, UID, SEQUENCE, STATUS; feed tokens."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone

from apps.meetings import services
from apps.meetings.calendar import meeting_uid
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, weekly_series

LONDON = ZoneInfo("Europe/London")


def events(content: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_meeting_ics_has_local_times(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    response = personas.client(personas.surgeon).get(f"/api/v1/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = events(response.content).values()
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/London"
    assert start.time() == dt.time(7, 30)
    assert start == meeting.starts_at
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=60)
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Seminar room 2"
    assert b"BEGIN:VTIMEZONE" in response.content and b"TZID:Europe/London" in response.content
    assert personas.client(personas.other_member).get(f"/api/v1/meetings/{meeting.pk}/calendar.ics").status_code == 404


def test_summer_and_winter_meetings_both_read_back_at_0730() -> None:
    # expansion across a change, straight into the calendar builder (no database needed for the times)
    from apps.meetings.engine.recurrence import SeriesRule, occurrences

    rule = SeriesRule(
        rule="FREQ=WEEKLY;BYDAY=TU", first_date=dt.date(2027, 3, 23), start_time=dt.time(7, 30), timezone="Europe/London"
    )
    starts = occurrences(
        rule, window_start=dt.datetime(2027, 3, 1, tzinfo=dt.UTC), window_end=dt.datetime(2027, 4, 7, tzinfo=dt.UTC)
    )
    cal = icalendar.Calendar()
    for i, start in enumerate(starts):
        event = icalendar.Event()
        event.add("uid", f"{i}@test")
        event.add("dtstart", start)
        cal.add_component(event)
    cal.add_missing_timezones()
    parsed = [e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(cal.to_ical()).walk("VEVENT")]
    assert [p.astimezone(LONDON).time() for p in parsed] == [dt.time(7, 30)] * 3
    assert [p.utcoffset() for p in parsed] == [dt.timedelta(0), dt.timedelta(hours=1), dt.timedelta(hours=1)]


def test_moved_and_cancelled_meetings_keep_their_uid_with_a_higher_sequence(personas: Personas) -> None:
    first, second = meetings_of(weekly_series(personas, weeks=2))
    client = personas.client(personas.coordinator)
    made = client.post("/api/v1/calendar-tokens/", {"board": personas.board.pk, "label": "phone"})
    assert made.status_code == 201
    feed_url = made.json()["url"]
    path = feed_url[feed_url.index("/api/") :]
    anonymous = personas.client(None)
    before = events(anonymous.get(path).content)
    assert set(before) == {meeting_uid(first), meeting_uid(second)}
    new_start = (first.starts_at + dt.timedelta(hours=26)).astimezone(LONDON)
    services.meeting_move(actor=personas.coordinator, meeting_id=first.pk, starts_at=new_start)
    services.meeting_cancel(actor=personas.coordinator, meeting_id=second.pk, reason="holiday")
    after = events(anonymous.get(path).content)
    assert set(after) == set(before)
    moved, cancelled = after[meeting_uid(first)], after[meeting_uid(second)]
    assert int(moved["SEQUENCE"]) == 1 and moved.decoded("DTSTART") == new_start
    assert moved.decoded("DTSTART").astimezone(LONDON).time() == dt.time(9, 30)
    assert int(cancelled["SEQUENCE"]) == 1 and str(cancelled["STATUS"]) == "CANCELLED"


def test_user_feed_token_is_unguessable_and_revocable(personas: Personas) -> None:
    weekly_series(personas, weeks=1)
    client = personas.client(personas.medonc)
    made = client.post("/api/v1/calendar-tokens/", {}).json()
    token = made["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40
    path = f"/api/v1/calendar/feed/{token}.ics"
    anonymous = personas.client(None)
    assert anonymous.get(path).status_code == 200
    assert len(events(anonymous.get(path).content)) == 1
    assert anonymous.get(f"/api/v1/calendar/feed/{token[:-1]}x.ics").status_code == 404
    listed = client.get("/api/v1/calendar-tokens/").json()["results"]
    assert listed[0]["scope"] == "user" and "url" not in listed[0] and "digest" not in listed[0]
    assert personas.client(personas.surgeon).delete(f"/api/v1/calendar-tokens/{made['id']}/").status_code == 404  # not theirs
    assert client.delete(f"/api/v1/calendar-tokens/{made['id']}/").status_code == 204
    assert anonymous.get(path).status_code == 404


def test_a_member_who_left_the_board_sees_nothing_through_an_old_board_token(personas: Personas) -> None:
    weekly_series(personas, weeks=1)
    made = personas.client(personas.surgeon).post("/api/v1/calendar-tokens/", {"board": personas.board.pk}).json()
    personas.surgeon.memberships.all().delete()
    path = made["url"][made["url"].index("/api/") :]
    assert personas.client(None).get(path).status_code == 404
    assert (
        personas.client(personas.other_member).post("/api/v1/calendar-tokens/", {"board": personas.board.pk}).status_code == 400
    )


def test_feed_includes_recently_held_and_future_meetings_only(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    made = personas.client(personas.surgeon).post("/api/v1/calendar-tokens/", {}).json()
    path = made["url"][made["url"].index("/api/") :]
    assert len(events(personas.client(None).get(path).content)) == 1
    long_ago = timezone.now() - dt.timedelta(days=120)
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=long_ago, ends_at=long_ago + dt.timedelta(hours=1), submission_deadline=long_ago - dt.timedelta(days=2)
    )
    assert events(personas.client(None).get(path).content) == {}
