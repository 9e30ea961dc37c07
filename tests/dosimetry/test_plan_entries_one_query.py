"""The case's plans in one query (issue 16, read path round 3): ``plan_entries`` says what the per-plan
path (``case_plans`` with its two prefetches, ``catalogue_revisions_in_force``, ``plan_entry``) says, for
plans pending, current and stale (by the plan, by the case and by a catalogue edit), with no, one or two
target lesions; with ``raw`` the payload is the stored text."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from apps.cases.models import Case
from apps.core.rawjson import RawJSON
from apps.dosimetry.models import ConstraintSet, RadiotherapyPlan, Regimen
from apps.dosimetry.selectors import case_plans, catalogue_revisions_in_force, plan_entries, plan_entry
from apps.dosimetry.services import dose_summary_compute, plan_create
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

pytestmark = pytest.mark.django_db

SEED002 = "seed002_sib_30_40_10fx"


def _old_entries(case: Case) -> list[dict[str, Any]]:
    in_force = catalogue_revisions_in_force()
    return [plan_entry(plan, case, in_force) for plan in case_plans(case)]


def _plans(personas: Personas) -> Case:
    case = cast(Case, CaseFactory(board=personas.board))
    first, second = LesionFactory(case=case), LesionFactory(case=case)
    ten = plan_create(
        actor=personas.radonc,
        case=case,
        data={"regimen_code": "conv_30gy_10fx", "oar_metrics": {"spinal_cord": {"Dmax": 30.0}}},
        target_lesions=[second, first],
    )
    five = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_20gy_5fx"}, target_lesions=[first])
    edited = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    plan_create(actor=personas.radonc, case=case, data={"name": "not computed", "regimen_code": "conv_20gy_5fx"})
    for plan in (ten, five, edited):
        dose_summary_compute(plan_id=plan.pk)
    RadiotherapyPlan.objects.filter(pk=edited.pk).update(revision=F("revision") + 1)
    return case


def test_one_query_says_what_the_per_plan_path_says(personas: Personas) -> None:
    case = _plans(personas)
    new = plan_entries(case)
    assert [entry["status"] for entry in new] == ["current", "current", "stale", "pending"]
    assert len(new[0]["target_lesions"]) == 2
    assert new == _old_entries(case)

    # a catalogue edit (the 10-fraction plan was checked against seed 002) and a regimen's
    ConstraintSet.objects.filter(code=SEED002).update(revision=F("revision") + 1)
    Regimen.objects.filter(code="conv_20gy_5fx").update(revision=F("revision") + 1)
    new = plan_entries(case)
    assert [entry["status"] for entry in new] == ["stale", "stale", "stale", "pending"]
    assert new == _old_entries(case)

    # the case changed since
    Case.objects.filter(pk=case.pk).update(revision=F("revision") + 1)
    case.refresh_from_db()
    assert plan_entries(case) == _old_entries(case)


def test_raw_entries_carry_the_stored_text(personas: Personas) -> None:
    case = _plans(personas)
    raw = plan_entries(case, raw=True)
    assert isinstance(raw[0]["summary"], RawJSON)
    decoded = [{**entry, "summary": None if entry["summary"] is None else entry["summary"].decoded()} for entry in raw]
    assert decoded == _old_entries(case)


def test_one_query_for_any_number_of_plans(personas: Personas) -> None:
    case = _plans(personas)
    with CaptureQueriesContext(connection) as ctx:
        plan_entries(case, raw=True)
    assert len(ctx.captured_queries) == 1
    empty = cast(Case, CaseFactory(board=personas.board))
    assert plan_entries(empty) == []
