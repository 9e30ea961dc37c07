"""Meeting pages: content, scoping, actions through forms, drag-and-drop endpoint, constant query counts."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.meetings import services
from apps.meetings.models import Meeting
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_render_for_members_and_404_for_others(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    member, other = browser(personas.coordinator), browser(personas.other_member)
    for url in (
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/attendance/",
        f"/meetings/{meeting.pk}/live/",
        f"/meetings/{meeting.pk}/live/panel/",
    ):
        assert member.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
    page = member.get("/meetings/").content.decode()
    assert "Board calendar" in page and "07:30" in page
    assert b"Case #" in member.get(f"/meetings/{meeting.pk}/").content
    assert member.get("/meetings/notifications/").status_code == 200
    assert Client().get("/meetings/").status_code == 302  # to the login page


def test_pages_have_no_inline_scripts(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    client = browser(personas.coordinator)
    for url in (f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/live/", "/meetings/"):
        html = client.get(url).content.decode()
        for chunk in html.split("<script")[1:]:
            assert chunk.split(">", 1)[0].strip().startswith("src="), url
        assert " on" + "click=" not in html


def test_coordinator_builds_the_agenda_with_forms(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    a, b = submitted_case(personas), submitted_case(personas)
    client = browser(personas.coordinator)
    for case in (a, b):
        meeting.refresh_from_db()
        response = client.post(
            f"/meetings/{meeting.pk}/do/place/", {"case": case.pk, "reason": "new", "agenda_version": meeting.agenda_version}
        )
        assert response.status_code == 302
    assert [i.case_id for i in meeting.items.order_by("position")] == [a.pk, b.pk]
    meeting.refresh_from_db()
    second = meeting.items.get(case=b)
    # the keyboard alternative: "up" on the second item
    client.post(f"/meetings/{meeting.pk}/do/up/", {"item": second.pk, "agenda_version": meeting.agenda_version})
    assert [i.case_id for i in meeting.items.order_by("position")] == [b.pk, a.pk]
    # a stale form says so and changes nothing
    page = client.post(
        f"/meetings/{meeting.pk}/do/down/", {"item": second.pk, "agenda_version": meeting.agenda_version}, follow=True
    ).content.decode()
    assert "agenda changed since you loaded it" in page
    assert [i.case_id for i in meeting.items.order_by("position")] == [b.pk, a.pk]
    # bad input is a message, not an error page
    page = client.post(f"/meetings/{meeting.pk}/do/place/", {"case": "x"}, follow=True).content.decode()
    assert "case: a whole number is required." in page
    # a surgeon cannot edit
    assert (
        "not"
        in browser(personas.surgeon).post(f"/meetings/{meeting.pk}/do/remove/", {"item": second.pk}, follow=True).content.decode()
    )
    assert meeting.items.count() == 2


def test_drag_and_drop_endpoint_checks_the_version(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    for _ in range(3):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    meeting.refresh_from_db()
    ids = list(meeting.items.order_by("position").values_list("pk", flat=True))
    client = browser(personas.coordinator)
    url = f"/meetings/{meeting.pk}/agenda/reorder/"
    ok = client.post(url, {"order": ",".join(map(str, ids[::-1])), "agenda_version": meeting.agenda_version})
    assert ok.status_code == 200 and ok.json() == {"agenda_version": meeting.agenda_version + 1}
    stale = client.post(url, {"order": ",".join(map(str, ids)), "agenda_version": meeting.agenda_version})
    assert stale.status_code == 409
    assert client.post(url, {"order": "1,x", "agenda_version": "2"}).status_code == 400
    assert list(meeting.items.order_by("position").values_list("pk", flat=True)) == ids[::-1]


def test_chair_runs_meeting_mode_from_the_page(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    cases = [submitted_case(personas) for _ in range(2)]
    for case in cases:
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    chair, follower = browser(personas.radonc), browser(personas.pathologist)
    assert b'data-testid="start"' in chair.get(f"/meetings/{meeting.pk}/live/").content
    assert b'data-testid="start"' not in follower.get(f"/meetings/{meeting.pk}/live/").content
    chair.post(f"/meetings/{meeting.pk}/do/start/")
    assert f'data-case="{cases[0].pk}"' in follower.get(f"/meetings/{meeting.pk}/live/panel/").content.decode()
    chair.post(f"/meetings/{meeting.pk}/do/advance/")
    assert f'data-case="{cases[1].pk}"' in follower.get(f"/meetings/{meeting.pk}/live/panel/").content.decode()
    follower.post(f"/meetings/{meeting.pk}/do/advance/")  # refused: not the chair
    assert f'data-case="{cases[1].pk}"' in follower.get(f"/meetings/{meeting.pk}/live/panel/").content.decode()


def test_attendance_page_records_and_checks_in(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    services.meeting_move(actor=personas.coordinator, meeting_id=meeting.pk, starts_at=timezone.now() + dt.timedelta(minutes=5))
    browser(personas.coordinator).post(
        f"/meetings/{meeting.pk}/do/record/", {"user": personas.medonc.pk, "status": "present_remote"}
    )
    browser(personas.surgeon).post(f"/meetings/{meeting.pk}/do/check-in/", {})
    statuses = dict(meeting.attendances.values_list("user__username", "status"))
    assert statuses["medonc"] == "present_remote" and statuses["surgeon"] == "present_in_person"


def test_notification_preferences_page(personas: Personas) -> None:
    client = browser(personas.surgeon)
    client.post("/meetings/notifications/", {"reminder.in_app": "on"})
    prefs = {p.kind: (p.email, p.in_app) for p in personas.surgeon.notification_preferences.all()}
    assert prefs["reminder"] == (False, True) and prefs["agenda_published"] == (False, False)


def test_agenda_page_query_count_is_constant_with_40_cases(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=2, duration_minutes=600, minutes_per_case=5))[:1]
    for _ in range(2):
        submitted_case(personas)  # waiting cases are listed too
    services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    client = browser(personas.coordinator)
    urls = [f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/live/panel/", f"/meetings/{meeting.pk}/attendance/"]
    small = [queries(client, url) for url in urls]
    for _ in range(39):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
        submitted_case(personas)
    assert Meeting.objects.get(pk=meeting.pk).items.count() == 40
    assert [queries(client, url) for url in urls] == small


def test_calendar_page_query_count_is_constant(personas: Personas) -> None:
    weekly_series(personas, weeks=1)
    submitted_case(personas)
    client = browser(personas.coordinator)
    small = queries(client, "/meetings/")
    weekly_series(personas, weeks=10, first_in_days=9, title="Second series")
    for _ in range(10):
        submitted_case(personas)
    assert queries(client, "/meetings/") == small


def test_server_sent_events_channel_is_scoped_and_announced(
    personas: Personas, django_capture_on_commit_callbacks, monkeypatch, settings
) -> None:  # type: ignore[no-untyped-def]
    import django_eventstream

    from apps.meetings.events import MeetingChannelManager, channel_for

    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    manager = MeetingChannelManager()
    assert manager.can_read_channel(personas.pathologist, channel_for(meeting.pk))
    assert not manager.can_read_channel(personas.other_member, channel_for(meeting.pk))
    assert not manager.can_read_channel(None, channel_for(meeting.pk))
    assert not manager.can_read_channel(personas.pathologist, "meeting-x")
    sent: list[tuple[str, str, dict[str, int]]] = []
    monkeypatch.setattr(django_eventstream, "send_event", lambda channel, kind, data: sent.append((channel, kind, data)))
    settings.MEETINGS_EVENTSTREAM = True
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(actor=personas.radonc, meeting_id=meeting.pk)
    assert sent == [(channel_for(meeting.pk), "state", {"meeting": meeting.pk, "live_version": 1})]
    html = browser(personas.pathologist).get(f"/meetings/{meeting.pk}/live/").content.decode()
    assert f'sse-connect="/meetings/{meeting.pk}/events/"' in html and "hx-sse-2.min.js" in html
