"""Meeting mode: one render of the live panel serves every follower (issue 16, the meeting hour).

The panel is cached per meeting state (``live_panel_cache_key``: live and agenda versions, the meeting
row's ``updated_at``, status, quorum); the scope check runs on every request before the cache is read,
and the chair's panel (minutes form, CSRF token) is never cached or shared.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.meetings import services, views
from apps.meetings.models import Meeting
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series

pytestmark = pytest.mark.django_db

#: What a cached panel costs a follower: the session and its user, the user's board ids (the scope, given
#: to the next query as values), the meeting in that scope (with board and chair), its attendance and the
#: board's quorum rule (``_meeting``'s two prefetches). No agenda, case, patient or risk read: those are
#: the render's.
AUTH_AND_SCOPE_QUERIES = 6
RENDER_TABLES = ("meetings_agendaitem", "cases_case", "cases_patient", "risk_riskassessment")


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _running_meeting(personas: Personas, cases: int = 2) -> tuple[Meeting, list[Any]]:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    placed = [submitted_case(personas) for _ in range(cases)]
    for case in placed:
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    services.meeting_start(actor=personas.radonc, meeting_id=meeting.pk)  # radonc chairs the series
    return Meeting.objects.get(pk=meeting.pk), placed


def _panel(client: Client, meeting: Meeting) -> tuple[int, str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/meetings/{meeting.pk}/live/panel/")
    return response.status_code, response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_the_second_follower_is_served_the_first_followers_render(personas: Personas) -> None:
    meeting, cases = _running_meeting(personas)
    status, first, first_sql = _panel(browser(personas.pathologist), meeting)
    assert status == 200 and f'data-case="{cases[0].pk}"' in first
    assert any('FROM "meetings_agendaitem"' in sql for sql in first_sql)  # the first one rendered it

    status, second, second_sql = _panel(browser(personas.medonc), meeting)
    assert status == 200 and second == first
    assert [sql for sql in second_sql if any(f'FROM "{t}"' in sql for t in RENDER_TABLES)] == []
    assert len(second_sql) == AUTH_AND_SCOPE_QUERIES, second_sql
    assert len(second_sql) < len(first_sql)


def test_a_step_serves_the_new_panel_at_once(personas: Personas) -> None:
    meeting, cases = _running_meeting(personas)
    follower, other = browser(personas.pathologist), browser(personas.medonc)
    assert f'data-case="{cases[0].pk}"' in _panel(follower, meeting)[1]
    services.meeting_advance(actor=personas.radonc, meeting_id=meeting.pk)
    for client in (follower, other):
        html = _panel(client, meeting)[1]
        assert f'data-case="{cases[1].pk}"' in html
        assert f'data-live-version="{meeting.live_version + 1}"' in html
    services.meeting_end(actor=personas.radonc, meeting_id=meeting.pk)
    assert "The meeting is closed." in _panel(other, meeting)[1]


def test_recorded_attendance_changes_the_cached_quorum(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    """Attendance is recorded without a step: the quorum is in the key, so the panel never shows a stale one."""
    meeting, _ = _running_meeting(personas)
    follower = browser(personas.pathologist)
    assert "quorum not met" in _panel(follower, meeting)[1]
    for user in (personas.radonc, personas.medonc, personas.pathologist, personas.surgeon, personas.coordinator):
        services.attendance_record(actor=personas.coordinator, meeting_id=meeting.pk, user_id=user.pk, status="present_in_person")
    cached = _panel(follower, meeting)[1]
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)  # what a fresh render says
    assert cached == _panel(follower, meeting)[1]
    assert "quorum met" in cached


def test_a_non_member_is_refused_before_the_cache_is_read(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    meeting, _ = _running_meeting(personas)
    assert _panel(browser(personas.pathologist), meeting)[0] == 200  # the panel is cached now
    reads: list[str] = []
    original = cache.get

    def spy(key: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", spy)
    for outsider in (personas.other_member, personas.outsider):
        status, html, _ = _panel(browser(outsider), meeting)
        assert status == 404
        assert "data-case" not in html
    assert not any(key.startswith("meetings:live-panel:") for key in reads)
    assert Client().get(f"/meetings/{meeting.pk}/live/panel/").status_code == 302  # anonymous: to sign in


def test_the_chairs_panel_is_neither_cached_nor_shared(personas: Personas) -> None:
    meeting, _ = _running_meeting(personas)
    chair = browser(personas.radonc)
    status, chairs, _ = _panel(chair, meeting)
    assert status == 200 and "Save minutes" in chairs and "csrfmiddlewaretoken" in chairs
    assert cache.get(views.live_panel_cache_key(meeting)) is None
    follower = _panel(browser(personas.pathologist), meeting)[1]
    assert "Save minutes" not in follower and "csrfmiddlewaretoken" not in follower and "record-decision" not in follower
    # With the followers' panel cached, the chair still gets their own.
    assert "Save minutes" in _panel(chair, meeting)[1]
