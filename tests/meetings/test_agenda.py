"""Agenda placement (deadline, capacity, urgent), editing with the version check, estimated starts, query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.meetings import services
from apps.meetings.models import AgendaItem
from tests.conftest import Personas
from tests.meetings.helpers import flag_risk, meetings_of, submitted_case, weekly_series

AGENDA_FIELDS = {"id", "case", "position", "estimated_start", "urgent", "discussed_from", "discussed_to"}


def agenda(p: Personas, meeting_id: int) -> list[dict[str, object]]:
    response = p.client(p.coordinator).get(f"/api/v1/meetings/{meeting_id}/agenda/")
    assert response.status_code == 200
    return response.json()


def test_coordinator_places_a_submitted_case(personas: Personas) -> None:
    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    case = submitted_case(personas)
    response = personas.client(personas.coordinator).post(
        f"/api/v1/meetings/{meeting.pk}/agenda/",
        {"case": case.pk, "reason": "new case", "clinical_question": "Fix or irradiate?"},
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"] == '"2"'
    rows = agenda(personas, meeting.pk)
    assert set(rows[0]) >= AGENDA_FIELDS
    assert rows[0]["case"] == case.pk and rows[0]["position"] == 1 and rows[0]["urgent"] is False
    assert rows[0]["reason"] == "new case" and rows[0]["clinical_question"] == "Fix or irradiate?"
    assert dt.datetime.fromisoformat(str(rows[0]["estimated_start"])) == meeting.starts_at
    case.refresh_from_db()
    assert case.status == "scheduled"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "case"), ({"case": "abc"}, "case"), ({"case": 999999}, "case")],
)
def test_bad_placement_bodies_are_400(personas: Personas, body: dict[str, object], field: str) -> None:
    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    response = personas.client(personas.coordinator).post(f"/api/v1/meetings/{meeting.pk}/agenda/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_draft_case_and_other_boards_case_are_refused(personas: Personas) -> None:
    from tests.factories import CaseFactory

    meeting = meetings_of(weekly_series(personas, weeks=1))[0]
    client = personas.client(personas.coordinator)
    draft = CaseFactory(board=personas.board)
    elsewhere = CaseFactory(board=personas.other_board, status="submitted")
    for case in (draft, elsewhere):
        response = client.post(f"/api/v1/meetings/{meeting.pk}/agenda/", {"case": case.pk})
        assert response.status_code == 400
        assert "case" in response.json()
    assert personas.client(personas.surgeon).post(f"/api/v1/meetings/{meeting.pk}/agenda/", {"case": draft.pk}).status_code == 403


def test_deadline_is_enforced_for_routine_cases(personas: Personas) -> None:
    first, second = meetings_of(weekly_series(personas, weeks=2))
    late = submitted_case(personas, submitted_at=first.submission_deadline + dt.timedelta(minutes=1))
    response = personas.client(personas.coordinator).post(f"/api/v1/meetings/{first.pk}/agenda/", {"case": late.pk})
    assert response.status_code == 400
    assert "deadline" in response.json()["case"][0]
    # the automatic placement proposes the next meeting
    placed = personas.client(personas.coordinator).post("/api/v1/agenda/place/", {"case": late.pk})
    assert placed.status_code == 201, placed.json()
    assert placed.json()["meeting"] == second.pk


def test_capacity_minutes_per_case(personas: Personas) -> None:
    # 30 minutes at 10 minutes per case: three cases fit
    first, second = meetings_of(weekly_series(personas, weeks=2, duration_minutes=30))
    cases = [submitted_case(personas) for _ in range(4)]
    for case in cases[:3]:
        services.agenda_place(actor=personas.coordinator, meeting_id=first.pk, case_id=case.pk)
    response = personas.client(personas.coordinator).post(f"/api/v1/meetings/{first.pk}/agenda/", {"case": cases[3].pk})
    assert response.status_code == 400 and "full" in response.json()["case"][0]
    placed = personas.client(personas.coordinator).post("/api/v1/agenda/place/", {"case": cases[3].pk}).json()
    assert placed["meeting"] == second.pk


def test_capacity_max_cases(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1, minutes_per_case=None, max_cases=1))
    services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    response = personas.client(personas.coordinator).post("/api/v1/agenda/place/", {"case": submitted_case(personas).pk})
    assert response.status_code == 400
    assert "room" in response.json()["case"][0]


@pytest.mark.parametrize("flag", ["escc_high_grade", "mirels_impending_fracture", "urgent"])
def test_urgent_cases_go_to_the_next_meeting_at_the_top(personas: Personas, flag: str) -> None:
    first, _second = meetings_of(weekly_series(personas, weeks=2, duration_minutes=20))
    for _ in range(2):  # the first meeting is full
        services.agenda_place(actor=personas.coordinator, meeting_id=first.pk, case_id=submitted_case(personas).pk)
    # submitted after the first meeting's deadline
    case = submitted_case(personas, submitted_at=first.submission_deadline + dt.timedelta(hours=1), urgent=flag == "urgent")
    if flag != "urgent":
        flag_risk(case, flag)
    response = personas.client(personas.coordinator).post("/api/v1/agenda/place/", {"case": case.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["meeting"] == first.pk
    rows = agenda(personas, first.pk)
    assert rows[0]["case"] == case.pk and rows[0]["urgent"] is True
    assert [r["position"] for r in rows] == [1, 2, 3]


def test_a_lower_risk_flag_is_not_urgent(personas: Personas) -> None:
    first, second = meetings_of(weekly_series(personas, weeks=2))
    case = submitted_case(personas, submitted_at=first.submission_deadline + dt.timedelta(hours=1))
    flag_risk(case, "sins_indeterminate", "mirels_borderline")
    assert personas.client(personas.coordinator).post("/api/v1/agenda/place/", {"case": case.pk}).json()["meeting"] == second.pk


def test_second_urgent_case_goes_after_the_first(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    routine = submitted_case(personas)
    one, two = submitted_case(personas, urgent=True), submitted_case(personas, urgent=True)
    for case in (routine, one, two):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    assert [r["case"] for r in agenda(personas, meeting.pk)] == [one.pk, two.pk, routine.pk]


def test_estimated_start_per_item(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1, minutes_per_case=15))
    for _ in range(3):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    starts = [dt.datetime.fromisoformat(str(r["estimated_start"])) for r in agenda(personas, meeting.pk)]
    assert starts == [meeting.starts_at + dt.timedelta(minutes=15 * i) for i in range(3)]


def test_two_coordinators_never_silently_overwrite_each_other(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    a, b, c = (submitted_case(personas) for _ in range(3))
    for case in (a, b):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    client = personas.client(personas.coordinator)
    read = client.get(f"/api/v1/meetings/{meeting.pk}/agenda/")
    version = int(read["ETag"].strip('"'))
    ids = [r["id"] for r in read.json()]
    # another coordinator adds a case meanwhile
    services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=c.pk, expected_version=version)
    # the first coordinator's reorder, based on the old version, is a 409 and changes nothing
    response = client.post(f"/api/v1/meetings/{meeting.pk}/agenda/reorder/", {"order": ids[::-1], "agenda_version": version})
    assert response.status_code == 409
    assert "reload" in response.json()["detail"]
    assert [r["case"] for r in agenda(personas, meeting.pk)] == [a.pk, b.pk, c.pk]
    # If-Match works the same way for item edits and removal
    stale = {"HTTP_IF_MATCH": f'"{version}"'}
    assert client.patch(f"/api/v1/meetings/{meeting.pk}/agenda/{ids[0]}/", {"reason": "x"}, **stale).status_code == 409
    assert client.delete(f"/api/v1/meetings/{meeting.pk}/agenda/{ids[0]}/", **stale).status_code == 409
    # with the current version the reorder goes through
    fresh = client.get(f"/api/v1/meetings/{meeting.pk}/agenda/")
    order = [r["id"] for r in fresh.json()][::-1]
    done = client.post(f"/api/v1/meetings/{meeting.pk}/agenda/reorder/", {"order": order}, HTTP_IF_MATCH=fresh["ETag"])
    assert done.status_code == 200
    assert [r["id"] for r in done.json()] == order
    assert [r["position"] for r in done.json()] == [1, 2, 3]


def test_reorder_must_list_every_item_once(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    for _ in range(2):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    meeting.refresh_from_db()
    ids = list(meeting.items.values_list("pk", flat=True))
    client = personas.client(personas.coordinator)
    for order in ([ids[0]], [ids[0], ids[0]], [*ids, 999]):
        response = client.post(
            f"/api/v1/meetings/{meeting.pk}/agenda/reorder/", {"order": order, "agenda_version": meeting.agenda_version}
        )
        assert response.status_code == 400 and "order" in response.json()


def test_move_and_remove_items(personas: Personas, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    first, second = meetings_of(weekly_series(personas, weeks=2))
    a, b = submitted_case(personas), submitted_case(personas)
    item_a = services.agenda_place(actor=personas.coordinator, meeting_id=first.pk, case_id=a.pk)
    item_b = services.agenda_place(actor=personas.coordinator, meeting_id=first.pk, case_id=b.pk)
    client = personas.client(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(
            f"/api/v1/meetings/{first.pk}/agenda/{item_a.pk}/move/",
            {"meeting": second.pk},
            HTTP_IF_MATCH=client.get(f"/api/v1/meetings/{first.pk}/agenda/")["ETag"],
        )
    assert moved.status_code == 200, moved.json()
    assert [r["case"] for r in moved.json()] == [b.pk]
    assert [r["position"] for r in moved.json()] == [1]
    assert [r["case"] for r in agenda(personas, second.pk)] == [a.pk]
    assert personas.surgeon.notifications.filter(kind="case_moved", case=a).count() == 1
    etag = client.get(f"/api/v1/meetings/{first.pk}/agenda/")["ETag"]
    assert (
        client.post(
            f"/api/v1/meetings/{first.pk}/agenda/{item_a.pk}/move/", {"meeting": second.pk}, HTTP_IF_MATCH=etag
        ).status_code
        == 404
    )
    removed = client.delete(f"/api/v1/meetings/{first.pk}/agenda/{item_b.pk}/", HTTP_IF_MATCH=etag)
    assert removed.status_code == 204
    b.refresh_from_db()
    assert b.status == "submitted"
    assert not AgendaItem.objects.filter(pk=item_b.pk).exists()


def test_agenda_query_count_is_constant_with_40_cases(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1, duration_minutes=600, minutes_per_case=5))
    client = personas.client(personas.coordinator)
    services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/meetings/{meeting.pk}/agenda/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(39):
        services.agenda_place(actor=personas.coordinator, meeting_id=meeting.pk, case_id=submitted_case(personas).pk)
    assert len(agenda(personas, meeting.pk)) == 40
    assert count() == small


def test_meeting_list_query_count_is_constant(personas: Personas, django_assert_num_queries: Callable) -> None:  # type: ignore[type-arg]
    weekly_series(personas, weeks=2)
    client = personas.client(personas.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/meetings/")
    weekly_series(personas, weeks=12, first_in_days=40, title="Second series")
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert len(client.get("/api/v1/meetings/").json()["results"]) == 14


def test_urgency_read_from_the_risk_engines_stored_result(personas: Personas) -> None:
    """End to end: the risk engine stores ESCC grade 2 for a spinal lesion; placement reads it as urgent."""
    from apps.risk.tasks import assess_case
    from tests.factories import CaseFactory, LesionFactory

    first, _second = meetings_of(weekly_series(personas, weeks=2))
    case = CaseFactory(
        board=personas.board,
        status="submitted",
        submitted_at=first.submission_deadline + dt.timedelta(hours=2),
        created_by=personas.surgeon,
        estimated_survival_months=12,
    )
    LesionFactory(
        case=case,
        site="thoracic_spine",
        subsite=None,
        level_from="T6",
        level_to="T6",
        pain=None,
        cortical_involvement=None,
        epidural_compression_grade="2",
    )
    assess_case(case.pk)
    response = personas.client(personas.coordinator).post("/api/v1/agenda/place/", {"case": case.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["meeting"] == first.pk and response.json()["urgent"] is True
