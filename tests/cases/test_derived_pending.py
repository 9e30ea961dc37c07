"""A creation answers the stored derived sections ``pending`` without reading them when a worker computes
them after commit (issue 16): each registered pending answer must be what its section reads for a case
with nothing stored, on either database and in either form (decoded, raw)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases import selectors
from apps.cases.derived import _PENDING, _SECTIONS, derived_sections
from apps.core.rawjson import RawJSON
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory, PriorRadiotherapyCourseFactory

pytestmark = pytest.mark.django_db


def _loaded(personas: Personas):  # type: ignore[no-untyped-def]
    case = CaseFactory(board=personas.board)
    LesionFactory.create_batch(2, case=case)
    PriorRadiotherapyCourseFactory(case=case)
    return selectors.case_detail_queryset(personas.coordinator).get(pk=case.pk)


def _plain(value: object) -> object:
    return json.loads(json.dumps(value, default=lambda v: json.loads(v.text) if isinstance(v, RawJSON) else str(v)))


def test_every_stored_section_registers_its_pending_answer(db: None) -> None:
    assert set(_PENDING) == {"risk", "dose_summaries", "trial_matches", "treatment_options"}
    assert set(_SECTIONS) - set(_PENDING) == {"prognosis"}  # computed on read: never skipped


@pytest.mark.parametrize("name", ["risk", "dose_summaries", "trial_matches", "treatment_options"])
@pytest.mark.parametrize("raw", [False, True])
def test_a_pending_answer_is_what_the_section_reads_for_a_case_with_nothing_stored(
    personas: Personas, name: str, raw: bool
) -> None:
    case = _loaded(personas)
    assert _plain(_SECTIONS[name](case, raw=raw)) == _PENDING[name]()
    assert _PENDING[name]()["status"] == "pending"
    assert _PENDING[name]() is not _PENDING[name]()  # a new dict each time: a caller may change it


def test_nothing_stored_reads_no_derived_table_and_still_computes_the_prognosis(personas: Personas) -> None:
    case = _loaded(personas)
    with CaptureQueriesContext(connection) as ctx:
        skipped = derived_sections(case, nothing_stored=True)
    assert ctx.captured_queries == []
    assert _plain(skipped) == _plain(derived_sections(case))
    assert skipped["prognosis"]["status"] == "current"
