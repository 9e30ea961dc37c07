"""The pages: login required, scoped like the API, constant queries on the case page."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_pages_need_login(personas: Personas) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_case_page_shows_the_case_and_is_scoped(personas: Personas) -> None:
    case = CaseFactory(board=personas.board, question="Fix the femur?")
    LesionFactory(case=case)
    page = logged_in(personas.radiologist).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert b"Fix the femur?" in page.content
    assert b"Trial matches" in page.content
    assert logged_in(personas.other_member).get(f"/cases/{case.pk}/").status_code == 404


def test_case_page_query_count_does_not_grow_with_lesions(personas: Personas, django_assert_max_num_queries: Callable) -> None:  # type: ignore[type-arg]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = logged_in(personas.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cases/{case.pk}/")
    LesionFactory.create_batch(10, case=case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/cases/{case.pk}/")


def test_login_page_renders() -> None:
    assert Client().get("/login/").status_code == 200
