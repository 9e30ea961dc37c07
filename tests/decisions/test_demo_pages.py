"""After ``seed_demo`` on a fresh database every meetings, discussion, decisions and quality page has content
(issues 12 and 13, "Demo data"): the calendar, the held meeting's agenda with minutes, its attendance and
meeting mode, the notifications, the discussion, the amendment chain, a signed decision with dissent,
follow-ups in each state, the quality report and the audit views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.decisions.models import Decision
from apps.meetings.models import AgendaItem, Meeting


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_every_board_page_has_content_after_seed_demo(db: None, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", cases=24, verbosity=0)
    coordinator, surgeon, chair = _as("coordinator"), _as("surgeon"), _as("radonc")

    calendar = _page(coordinator, "/meetings/")
    assert "No meetings in these weeks." not in calendar and "Every submitted case has a place." not in calendar
    held = Meeting.objects.filter(status="held").order_by("-starts_at").first()
    upcoming = Meeting.objects.filter(status="scheduled").order_by("starts_at").first()
    assert held is not None and upcoming is not None
    for meeting in (held, upcoming):
        assert "No cases on this agenda yet." not in _page(coordinator, f"/meetings/{meeting.pk}/")
    items = list(AgendaItem.objects.filter(meeting=held))
    assert len(items) == 4 and all(i.minutes and i.discussed_to for i in items)
    assert "<strong>Minutes.</strong> Discussed with imaging" in _page(coordinator, f"/meetings/{held.pk}/")  # past minutes
    attendance = _page(coordinator, f"/meetings/{held.pk}/attendance/")
    assert "remote" in attendance.lower() and "excused" in attendance.lower()
    assert "The meeting is closed." in _page(chair, f"/meetings/{held.pk}/live/")
    assert "Nothing yet." not in _page(surgeon, "/meetings/notifications/")  # mentions, signed decisions...
    assert "Nothing yet." not in _page(coordinator, "/meetings/notifications/")

    decisions = Decision.objects.filter(meeting=held)
    assert {d.case_id for d in decisions} == {i.case_id for i in items}  # the cases discussed were decided
    case_id = items[0].case_id
    discussion = _page(surgeon, f"/cases/{case_id}/discussion/")
    assert "No comments yet." not in discussion and 'class="mention"' in discussion and "Assessment." in discussion
    assert 'id="discussion"' in _page(surgeon, f"/cases/{case_id}/")  # inline on the case page too
    amended = decisions.get(status="superseded").case_id
    chain = _page(surgeon, f"/cases/{amended}/decisions/")
    assert "superseded" in chain and "amends version 1" in chain
    dissent = decisions.get(status="signed", consensus="majority")
    shown = _page(surgeon, f"/decisions/{dissent.pk}/")
    assert "dissent:" in shown and "Signed by" in shown and "not_implemented" in shown
    states = {f.implementation for d in decisions for f in d.follow_ups.all()}
    assert states == {"implemented", "modified", "not_implemented"}
    assert decisions.filter(status="signed", follow_ups__isnull=True).exists()  # and one still awaited

    auditor = _as("auditor")
    quality = _page(auditor, f"/reports/quality/?board={held.board_id}")
    assert "No held meetings in the period." not in quality
    assert "<svg" in quality and "Minutes per case</th><td>unknown" not in quality
    assert "Median days from submission to discussion</th><td>unknown" not in quality
    audit = _page(auditor, f"/audit/?action=decision.signed&board={held.board_id}")
    assert "No entries match." not in audit and "Open the decision" in audit
