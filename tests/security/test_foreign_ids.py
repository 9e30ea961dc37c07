"""An id of another board's object in a body answers exactly like an id that names nothing (issue 15: "a
foreign lesion id answers differently from an unknown one"): lesions, boards, patients, meetings, agenda
items, cases, comments, users and notifications, wherever the API takes them in a body. Ids in URLs are
compared the same way by the URL walk (test_url_walk.py)."""

from __future__ import annotations

from typing import Any

import pytest

from apps.cases.models import Lesion
from apps.meetings.models import AgendaItem
from tests.cases.test_case_api import URL, new_case_payload
from tests.conftest import Personas
from tests.decisions.helpers import draft_body, sitting
from tests.factories import (
    AgendaItemFactory,
    CaseFactory,
    CommentFactory,
    LesionFactory,
    MeetingFactory,
    NotificationFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db

UNKNOWN = 987654


def _foreign_lesion(p: Personas) -> Lesion:
    lesion: Lesion = LesionFactory(case=CaseFactory(board=p.other_board))
    return lesion


def _same_answer(first: Any, second: Any, first_id: int, second_id: int) -> None:
    assert first.status_code == second.status_code == 400
    assert first.content.replace(str(first_id).encode(), b"<id>") == second.content.replace(str(second_id).encode(), b"<id>")


def test_plan_target_lesion_of_another_board_answers_like_an_unknown_one(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    foreign = _foreign_lesion(personas)
    client = personas.client(personas.radonc)
    url = f"/api/v1/cases/{case.pk}/radiotherapy-plans/"
    body = {"levels": [{"fractions": 5, "total_dose_gy": 20}]}
    with_foreign = client.post(url, {**body, "target_lesions": [foreign.pk]}, format="json")
    with_unknown = client.post(url, {**body, "target_lesions": [UNKNOWN]}, format="json")
    _same_answer(with_foreign, with_unknown, foreign.pk, UNKNOWN)
    assert with_unknown.json() == {"target_lesions": [f"not lesions of this case: {UNKNOWN}."]}


def test_plan_update_with_a_foreign_lesion_answers_like_an_unknown_one(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = personas.client(personas.radonc)
    plan = client.post(
        f"/api/v1/cases/{case.pk}/radiotherapy-plans/", {"levels": [{"fractions": 5, "total_dose_gy": 20}]}, format="json"
    ).json()
    foreign = _foreign_lesion(personas)
    url = f"/api/v1/radiotherapy-plans/{plan['plan_id']}/"
    _same_answer(
        client.patch(url, {"target_lesions": [foreign.pk]}, format="json"),
        client.patch(url, {"target_lesions": [UNKNOWN]}, format="json"),
        foreign.pk,
        UNKNOWN,
    )


def test_decision_action_lesion_of_another_board_answers_like_an_unknown_one(personas: Personas) -> None:
    s = sitting(personas)
    foreign = _foreign_lesion(personas)
    client = personas.client(personas.radonc)

    def create(lesion_id: int) -> Any:
        body = draft_body(s, actions=[{"kind": "surgery", "procedure": "fixation", "target_lesions": [lesion_id]}])
        return client.post(f"/api/v1/cases/{s.case.pk}/decisions/", body, format="json")

    _same_answer(create(foreign.pk), create(UNKNOWN), foreign.pk, UNKNOWN)


def test_decision_meeting_of_another_board_answers_like_an_unknown_one(personas: Personas) -> None:
    s = sitting(personas)
    foreign = MeetingFactory(board=personas.other_board)
    client = personas.client(personas.radonc)

    def create(meeting_id: int) -> Any:
        return client.post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s, meeting=meeting_id), format="json")

    _same_answer(create(foreign.pk), create(UNKNOWN), foreign.pk, UNKNOWN)


def test_board_and_patient_ids_of_case_and_patient_creates_answer_like_unknown_ones(personas: Personas) -> None:
    client = personas.client(personas.coordinator)
    other = personas.other_board
    patient = {"mrn": "Z-1", "given_name": "Ada", "family_name": "Byron", "date_of_birth": "1950-01-01", "sex": "female"}
    _same_answer(
        client.post("/api/v1/patients/", {**patient, "board": other.pk}, format="json"),
        client.post("/api/v1/patients/", {**patient, "board": UNKNOWN}, format="json"),
        other.pk,
        UNKNOWN,
    )
    _same_answer(
        client.post(URL, new_case_payload(other.pk), format="json"),
        client.post(URL, new_case_payload(UNKNOWN), format="json"),
        other.pk,
        UNKNOWN,
    )
    foreign_patient = PatientFactory(institution=other.institution)
    _same_answer(
        client.post(URL, new_case_payload(personas.board.pk, patient=foreign_patient.pk), format="json"),
        client.post(URL, new_case_payload(personas.board.pk, patient=UNKNOWN), format="json"),
        foreign_patient.pk,
        UNKNOWN,
    )


def test_a_foreign_lesion_id_in_a_case_update_answers_like_an_unknown_one(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    foreign = _foreign_lesion(personas)
    client = personas.client(personas.coordinator)
    url = f"/api/v1/cases/{case.pk}/"
    etag = client.get(url)["ETag"]

    def update(lesion_id: int) -> Any:
        return client.patch(url, {"lesions": [{"id": lesion_id, "site": "femur"}]}, format="json", HTTP_IF_MATCH=etag)

    _same_answer(update(foreign.pk), update(UNKNOWN), foreign.pk, UNKNOWN)


def test_agenda_case_item_and_meeting_ids_of_another_board_answer_like_unknown_ones(personas: Personas) -> None:
    s = sitting(personas)
    foreign_case = CaseFactory(board=personas.other_board)
    foreign_meeting = MeetingFactory(board=personas.other_board)
    foreign_item = AgendaItemFactory(meeting=foreign_meeting)
    coordinator, chair = personas.client(personas.coordinator), personas.client(personas.radonc)
    item = AgendaItem.objects.get(meeting=s.meeting)
    for url, key in (("/api/v1/agenda/place/", "case"), (f"/api/v1/meetings/{s.meeting.pk}/agenda/", "case")):
        _same_answer(
            coordinator.post(url, {key: foreign_case.pk}, format="json"),
            coordinator.post(url, {key: UNKNOWN}, format="json"),
            foreign_case.pk,
            UNKNOWN,
        )
    move = f"/api/v1/meetings/{s.meeting.pk}/agenda/{item.pk}/move/"
    _same_answer(
        coordinator.post(move, {"meeting": foreign_meeting.pk}, format="json"),
        coordinator.post(move, {"meeting": UNKNOWN}, format="json"),
        foreign_meeting.pk,
        UNKNOWN,
    )
    advance = f"/api/v1/meetings/{s.meeting.pk}/advance/"
    _same_answer(
        chair.post(advance, {"item": foreign_item.pk}, format="json"),
        chair.post(advance, {"item": UNKNOWN}, format="json"),
        foreign_item.pk,
        UNKNOWN,
    )
    attendance = f"/api/v1/meetings/{s.meeting.pk}/attendance/"
    _same_answer(
        coordinator.post(attendance, {"user": personas.other_member.pk, "status": "present_in_person"}, format="json"),
        coordinator.post(attendance, {"user": UNKNOWN, "status": "present_in_person"}, format="json"),
        personas.other_member.pk,
        UNKNOWN,
    )


def test_comment_parent_calendar_board_and_notification_ids_of_others_answer_like_unknown_ones(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    foreign_comment = CommentFactory(case=CaseFactory(board=personas.other_board))
    client = personas.client(personas.coordinator)
    url = f"/api/v1/cases/{case.pk}/discussion/"
    _same_answer(
        client.post(url, {"body": "Agree.", "parent": foreign_comment.pk}, format="json"),
        client.post(url, {"body": "Agree.", "parent": UNKNOWN}, format="json"),
        foreign_comment.pk,
        UNKNOWN,
    )
    _same_answer(
        client.post("/api/v1/calendar-tokens/", {"board": personas.other_board.pk}, format="json"),
        client.post("/api/v1/calendar-tokens/", {"board": UNKNOWN}, format="json"),
        personas.other_board.pk,
        UNKNOWN,
    )
    # Another user's notification: not marked read, and the answer is an unknown id's.
    theirs = NotificationFactory(recipient=personas.other_member)
    foreign = client.post("/api/v1/notifications/read/", {"ids": [theirs.pk]}, format="json")
    unknown = client.post("/api/v1/notifications/read/", {"ids": [UNKNOWN]}, format="json")
    assert foreign.status_code == unknown.status_code == 200 and foreign.json() == unknown.json() == {"marked_read": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
