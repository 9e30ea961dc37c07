"""End to end on the real services: a committed case edit reaches a real Celery worker through Redis,
which stores the new assessment and marks the old one stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.cases.models import Case
from apps.cases.services import LESION_FIELDS, case_create, case_update
from apps.risk.models import RiskAssessment
from tests.conftest import Personas, wait_for

pytestmark = pytest.mark.services

FEMUR: dict[str, Any] = {
    "site": "femur",
    "subsite": "peritrochanteric",
    "radiographic_type": "lytic",
    "cortical_involvement": "gt_two_thirds",
    "pain": "functional",
    "max_diameter_mm": 34.0,
}
SPINE: dict[str, Any] = {"site": "thoracic_spine", "level_from": "T7", "epidural_compression_grade": "2"}


def _current(case_id: int) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(case_id=case_id, is_current=True).first()


def _edit_femur(p: Personas, case_id: int, **changes: Any) -> Case:
    lesions = []
    for lesion in Case.objects.get(pk=case_id).lesions.order_by("pk"):
        item = {"id": lesion.pk, **{f: getattr(lesion, f) for f in LESION_FIELDS}}
        if lesion.site == "femur":
            item.update(changes)
        lesions.append(item)
    return case_update(actor=p.coordinator, case_id=case_id, data={}, lesions=lesions)


def test_lesion_edit_is_reassessed_by_the_worker(celery_worker_process: None, personas: Personas) -> None:
    case = case_create(
        actor=personas.coordinator,
        board=personas.board,
        new_patient={
            "mrn": "W-1",
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": dt.date(1958, 1, 2),
            "sex": "female",
        },
        data={"question": "Fix the femur?", "primary_histology": "breast"},
        lesions=[FEMUR, SPINE],
    )
    first = wait_for(lambda: _current(case.pk))
    assert first.case_revision == 1

    case = _edit_femur(personas, case.pk, cortical_involvement="lt_one_third", pain="mild")
    second = wait_for(lambda: (row := _current(case.pk)) is not None and row.pk != first.pk and row)
    first.refresh_from_db()
    assert not first.is_current
    assert second.case_revision == case.revision == 2
    assert second.inputs_digest != first.inputs_digest
    femur = next(lesion for lesion in second.payload["lesions"] if lesion["site"] == "femur")
    assert femur["mirels"]["score"] < 9

    # The same edit applied again: a new revision but the same inputs, so no new row.
    case = _edit_femur(personas, case.pk, cortical_involvement="lt_one_third", pain="mild")
    assert case.revision == 3
    wait_for(lambda: (row := _current(case.pk)) is not None and row.case_revision == 3)
    assert RiskAssessment.objects.filter(case_id=case.pk, is_current=True).count() == 1
    assert RiskAssessment.objects.filter(case_id=case.pk).count() == 2
    assert _current(case.pk).pk == second.pk  # type: ignore[union-attr]
    response = personas.client(personas.coordinator).get(f"/api/v1/cases/{case.pk}/")
    assert response.json()["risk"]["status"] == "current"
