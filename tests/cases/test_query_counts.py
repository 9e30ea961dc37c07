"""List endpoints and pages run a constant number of queries, however many rows they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def add_cases(p: Personas, n: int) -> None:
    for _ in range(n):
        case = CaseFactory(board=p.board)
        LesionFactory.create_batch(2, case=case)


def count_queries(django_assert_max_num_queries: Callable, fn: Callable[[], object]) -> int:  # type: ignore[type-arg]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/patients/", "/api/v1/boards/"])
def test_api_list_query_count_is_constant(personas: Personas, path: str, django_assert_num_queries: Callable) -> None:  # type: ignore[type-arg]
    client = personas.client(personas.coordinator)
    add_cases(personas, 2)
    small = count_queries(django_assert_num_queries, lambda: client.get(path))
    add_cases(personas, 15)
    with django_assert_num_queries(small):
        response = client.get(path)
    assert response.status_code == 200


def test_case_list_page_query_count_is_constant(personas: Personas, django_assert_num_queries: Callable) -> None:  # type: ignore[type-arg]
    client = Client()
    client.force_login(personas.coordinator)
    add_cases(personas, 2)
    small = count_queries(django_assert_num_queries, lambda: client.get("/"))
    add_cases(personas, 15)
    with django_assert_num_queries(small):
        response = client.get("/")
    assert response.status_code == 200
    assert b"Cases" in response.content


def test_case_list_pins_its_query_count(personas: Personas, django_assert_num_queries: Callable) -> None:  # type: ignore[type-arg]
    add_cases(personas, 5)
    client = personas.client(personas.coordinator)
    # session-less token user: the user's board ids (1, given to the page query as values so it reads the
    # board's index), count (1), page of cases with board+patient+lesion count (1)
    with django_assert_num_queries(3):
        client.get("/api/v1/cases/")


def test_case_creation_with_two_lesions_and_a_prior_course_costs_at_most_25_queries(personas: Personas) -> None:
    """Issue 10/16: creating one case cost 230 queries, almost all ``full_clean`` re-running constraints
    the rules had checked. The rules speak in words and the database backstops them; nothing else runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.test_case_api import URL, new_case_payload

    client = personas.client(personas.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(URL, new_case_payload(personas.board.pk), format="json")
    assert response.status_code == 201, response.json()
    assert len(ctx.captured_queries) <= 25, [q["sql"][:80] for q in ctx.captured_queries]
    assert len(response.json()["lesions"]) == 2


def test_a_case_with_a_new_patient_appends_both_audit_entries_under_one_head_lock(personas: Personas) -> None:
    """Issue 16: the patient's and the case's entries are one append, taken last, so concurrent submissions
    hold the chain head only from the append to commit; the chain stays whole and in order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.audit.models import AuditEntry
    from apps.audit.verification import verify_chain
    from tests.cases.test_case_api import URL, new_case_payload

    client = personas.client(personas.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(URL, new_case_payload(personas.board.pk), format="json")
    assert response.status_code == 201, response.json()
    head_locks = [q["sql"] for q in ctx.captured_queries if "audit_auditchainhead" in q["sql"]]
    assert len(head_locks) == 1, head_locks
    entries = list(AuditEntry.objects.order_by("-sequence")[:2])
    assert [e.event for e in reversed(entries)] == ["patient.created", "case.created"]
    assert entries[0].sequence == entries[1].sequence + 1
    assert entries[0].case_id == response.json()["id"]
    assert verify_chain().intact
