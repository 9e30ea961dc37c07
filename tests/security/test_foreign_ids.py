"""A lesion id of another board answers exactly like an id that names nothing (issue 15: "a foreign lesion id
answers differently from an unknown one"), wherever the API takes lesion ids."""

from __future__ import annotations

from typing import Any

import pytest

from apps.cases.models import Lesion
from tests.conftest import Personas
from tests.decisions.helpers import draft_body, sitting
from tests.factories import CaseFactory, LesionFactory, MeetingFactory

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
