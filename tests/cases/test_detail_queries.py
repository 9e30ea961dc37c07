"""The case detail loads the case, its lesions and its prior courses once each (issue 16: twice before)."""

from __future__ import annotations

from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases.models import Case
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

pytestmark = pytest.mark.django_db


def _detail_queries(personas: Personas, case: Case) -> list[str]:
    client = personas.client(personas.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _reads_of(table: str, queries: list[str]) -> int:
    return sum(1 for sql in queries if sql.startswith("SELECT") and f'FROM "{table}"' in sql)


def test_case_detail_reads_each_part_of_the_case_once(personas: Personas) -> None:
    case = cast(Case, CaseFactory(board=personas.board))
    LesionFactory.create_batch(3, case=case)
    queries = _detail_queries(personas, case)
    assert _reads_of("cases_case", queries) == 1
    assert _reads_of("cases_lesion", queries) == 1
    assert _reads_of("cases_priorradiotherapycourse", queries) == 1


def test_case_detail_query_count_does_not_grow_with_its_lesions(personas: Personas) -> None:
    small = cast(Case, CaseFactory(board=personas.board))
    LesionFactory.create_batch(1, case=small)
    large = cast(Case, CaseFactory(board=personas.board))
    LesionFactory.create_batch(6, case=large)
    assert len(_detail_queries(personas, large)) == len(_detail_queries(personas, small))


def test_case_detail_with_every_derived_result_in_a_constant_number_of_queries(personas: Personas) -> None:
    """Issue 16, read path round 3: the board ids, the case (board, patient), its lesions, its prior courses;
    the audited read (begin, chain head locked, entry inserted, commit); one query per derived section
    (risk; dose: the plans with their target lesions, current summary and the catalogue in force; trial
    matches with the registry's size; options). 16 before (the dose section took four, the trial matches
    two)."""
    from tests.cases.test_detail_raw_json import _loaded_case

    case = _loaded_case(personas)
    queries = _detail_queries(personas, case)
    assert len(queries) == 12, "\n".join(q[:120] for q in queries)
