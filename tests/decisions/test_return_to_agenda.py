"""Re-review: a decided case returns to the next agenda when its follow-up asks or is still open (issues 12, 13).

Given a signed decision taken in a meeting of a weekly series (so a next meeting exists), when the case is
asked back (API, decision page, follow-up) or the meeting ends with its follow-up still open, then the case
leaves ``decided`` through the workflow's re-review path (audited) and sits on the next meeting's agenda
with the reason ``follow-up: ...``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from apps.audit.models import AuditEntry
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus, ReReviewNotAllowed, check_re_review
from apps.decisions import services as decision_services
from apps.decisions.models import Decision
from apps.meetings import services as meetings
from apps.meetings.models import AgendaItem, Meeting, MeetingStatus, Notification
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, Sitting, draft_body, sitting


def _decided(p: Personas, *, weeks: int = 3) -> tuple[Sitting, Decision]:
    s = sitting(p, weeks=weeks)
    created = p.client(p.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").json()
    signed = p.client(p.radonc).post(f"/api/v1/decisions/{created['id']}/sign/", {"password": PASSWORD}, format="json")
    assert signed.status_code == 200, signed.json()
    s.case.refresh_from_db()
    assert s.case.status == CaseStatus.DECIDED
    return s, Decision.objects.get(pk=created["id"])


def _next_meeting(s: Sitting) -> Meeting:
    return (
        Meeting.objects.filter(board=s.meeting.board, status=MeetingStatus.SCHEDULED, starts_at__gt=s.meeting.starts_at)
        .order_by("starts_at")
        .first()
    )


def test_the_workflow_has_a_re_review_path_only_from_decided() -> None:
    assert check_re_review("decided", placed=True) == CaseStatus.SCHEDULED
    assert check_re_review("decided", placed=False) == CaseStatus.SUBMITTED
    for status in ("draft", "submitted", "scheduled", "discussed", "closed"):
        with pytest.raises(ReReviewNotAllowed):
            check_re_review(status, placed=False)


def test_api_returns_a_decided_case_to_the_next_agenda(personas: Personas, django_capture_on_commit_callbacks) -> None:
    s, _ = _decided(personas)
    url = f"/api/v1/cases/{s.case.pk}/return-to-agenda/"
    assert personas.client(personas.surgeon).post(url, {}, format="json").json() == {"reason": ["This field is required."]}
    assert personas.client(personas.other_member).post(url, {"reason": "x"}, format="json").status_code == 404
    assert personas.client(personas.administrator).post(url, {"reason": "x"}, format="json").status_code == 403
    assert Case.objects.get(pk=s.case.pk).status == CaseStatus.DECIDED  # refused calls changed nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.surgeon).post(url, {"reason": "New MRI: progression at T9"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["meeting"] == _next_meeting(s).pk
    assert body["reason"] == "follow-up: New MRI: progression at T9"
    case = Case.objects.get(pk=s.case.pk)
    assert case.status == CaseStatus.SCHEDULED
    entry = AuditEntry.objects.filter(event="case.status_changed", subject_id=str(case.pk)).order_by("-id").first()
    assert entry is not None and entry.before == {"status": "decided"} and entry.after["re_review"] is True
    assert entry.reason == "follow-up: New MRI: progression at T9" and entry.actor_label == "surgeon"
    # The case owner hears where it went (case_added), as for any placement.
    assert Notification.objects.filter(case_id=case.pk, kind="case_added", recipient=case.created_by).exists()
    # Now scheduled, it cannot be asked back a second time.
    again = personas.client(personas.surgeon).post(url, {"reason": "again"}, format="json")
    assert again.status_code == 400 and "case" in again.json()


def test_a_case_waits_for_a_place_when_no_meeting_has_room(personas: Personas) -> None:
    s, _ = _decided(personas, weeks=1)  # no meeting after this one
    response = personas.client(personas.surgeon).post(
        f"/api/v1/cases/{s.case.pk}/return-to-agenda/", {"reason": "biopsy result"}, format="json"
    )
    assert response.status_code == 202
    assert response.json() == {"case": s.case.pk, "status": "submitted", "meeting": None}
    assert Case.objects.get(pk=s.case.pk).status == CaseStatus.SUBMITTED  # on the coordinators' waiting list


def test_follow_up_asking_to_return_places_the_case(personas: Personas, django_capture_on_commit_callbacks) -> None:
    s, decision = _decided(personas)
    with django_capture_on_commit_callbacks(execute=True):
        response = personas.client(personas.surgeon).post(
            f"/api/v1/decisions/{decision.pk}/follow-up/",
            {"implementation": "modified", "reason": "medical_reason", "note": "fracture progressed", "return_to_agenda": True},
            format="json",
        )
    assert response.status_code == 201
    item = AgendaItem.objects.get(case=s.case, meeting=_next_meeting(s))
    assert item.reason == "follow-up: fracture progressed"
    assert Case.objects.get(pk=s.case.pk).status == CaseStatus.SCHEDULED
    note = Notification.objects.get(case_id=s.case.pk, key__startswith="return_to_agenda:")
    assert note.recipient == personas.coordinator and "placed on" in note.body


def test_decision_page_button_returns_the_case(personas: Personas) -> None:
    s, decision = _decided(personas)
    browser = Client()
    browser.force_login(personas.medonc)
    page = browser.get(f"/decisions/{decision.pk}/")
    assert b"Return the case to the next agenda" in page.content
    empty = browser.post(f"/decisions/{decision.pk}/", {"step": "return_to_agenda", "reason": " "})
    assert empty.status_code == 400 and b"say why the case returns" in empty.content
    done = browser.post(f"/decisions/{decision.pk}/", {"step": "return_to_agenda", "reason": "re-staging"}, follow=True)
    assert done.status_code == 200 and b"The case is on the agenda of" in done.content
    assert AgendaItem.objects.get(case=s.case, meeting=_next_meeting(s)).reason == "follow-up: re-staging"
    assert b"Return the case to the next agenda" not in browser.get(f"/decisions/{decision.pk}/").content


def test_meeting_end_carries_open_follow_ups_to_the_next_agenda(
    personas: Personas, django_capture_on_commit_callbacks, settings
) -> None:
    settings.DECISION_FOLLOW_UP_REMINDER_WEEKS = 0  # every signed decision without follow-up is overdue at once
    s, _ = _decided(personas)
    # A second decided case on the same meeting whose implementation was recorded: its follow-up is closed.
    other = sitting_case_on(personas, s)
    with django_capture_on_commit_callbacks(execute=True):
        meetings.meeting_end(actor=personas.radonc, meeting_id=s.meeting.pk)
    nxt = _next_meeting(s)
    carried = AgendaItem.objects.get(case=s.case, meeting=nxt)
    assert carried.reason.startswith("follow-up: implementation of decision version 1 not recorded")
    assert Case.objects.get(pk=s.case.pk).status == CaseStatus.SCHEDULED
    assert not AgendaItem.objects.filter(case=other, meeting=nxt).exists()
    assert Case.objects.get(pk=other.pk).status == CaseStatus.DECIDED
    entry = AuditEntry.objects.filter(event="case.status_changed", subject_id=str(s.case.pk)).order_by("-id").first()
    assert entry is not None and entry.actor_label == decision_services.CARRY_LABEL
    # Running the carry again (a redelivered task) moves nothing twice.
    assert decision_services.follow_up_carry(board_id=s.meeting.board_id) == []
    assert AgendaItem.objects.filter(case=s.case).count() == 2


def test_a_carried_case_is_not_carried_again_after_its_rediscussion(personas: Personas, settings) -> None:
    settings.DECISION_FOLLOW_UP_REMINDER_WEEKS = 6
    s, _ = _decided(personas)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(weeks=7)
    assert decision_services.follow_up_carry(board_id=s.meeting.board_id, now=dt.datetime.now(dt.UTC)) == []  # not due
    assert decision_services.follow_up_carry(board_id=s.meeting.board_id, now=later) == [s.case.pk]
    # The board rediscusses it and the coordinator records the step back to decided: not open any more.
    Case.objects.filter(pk=s.case.pk).update(status=CaseStatus.DECIDED)
    assert decision_services.follow_up_carry(board_id=s.meeting.board_id, now=later) == []


def sitting_case_on(p: Personas, s: Sitting) -> Case:
    """Another case decided in the same sitting, with its implementation recorded."""
    from tests.meetings.helpers import submitted_case

    case = submitted_case(p)
    # Placed directly on the running meeting's record: the service only places on scheduled meetings.
    AgendaItem.objects.create(meeting=s.meeting, case=case, position=99, created_by=p.coordinator)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.SCHEDULED)
    body = draft_body(s)
    lesion = case.lesions.get()
    body["actions"] = [
        {"kind": "radiotherapy", "target_lesions": [lesion.pk], "regimen": "8Gy/1", "technique": "conventional_3d"}
    ]
    created = p.client(p.surgeon).post(f"/api/v1/cases/{case.pk}/decisions/", body, format="json").json()
    p.client(p.radonc).post(f"/api/v1/decisions/{created['id']}/sign/", {"password": PASSWORD}, format="json")
    p.client(p.surgeon).post(f"/api/v1/decisions/{created['id']}/follow-up/", {"implementation": "implemented"}, format="json")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED
    return case
