"""End to end on the real services: committed changes to a lesion, a plan and the survival estimate reach
a real Celery worker through Redis, which stores new treatment options for each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.cases.models import Case
from apps.cases.services import LESION_FIELDS, case_create, case_update
from apps.dosimetry.services import plan_create
from apps.options.engine.stored import expand
from apps.options.models import TreatmentOptionsResult
from tests.conftest import Personas, wait_for

pytestmark = pytest.mark.services

SPINE: dict[str, Any] = {
    "site": "thoracic_spine",
    "level_from": "T8",
    "spinal_pain": "occasional_non_mechanical",
    "radiographic_type": "blastic",
    "alignment": "normal",
    "vertebral_collapse": "none",
    "posterolateral_involvement": "none",
    "epidural_compression_grade": "1a",
    "symptomatic": True,
}


@pytest.fixture
def seeded_catalogue(transactional_db: None) -> None:
    """The regimen catalogue as its data migration loads it (a transactional test starts flushed)."""
    from importlib import import_module

    from django.apps import apps

    import_module("apps.dosimetry.migrations.0003_seed_catalogue").seed(apps, None)


def _current(case_id: int) -> TreatmentOptionsResult | None:
    return TreatmentOptionsResult.objects.filter(case_id=case_id, is_current=True).first()


def _newer(case_id: int, than: TreatmentOptionsResult) -> TreatmentOptionsResult | None:
    row = _current(case_id)
    return row if row is not None and row.pk != than.pk else None


def _spine_options(row: TreatmentOptionsResult) -> dict[str, dict[str, Any]]:
    item = next(i for i in expand(row.payload)["lesions"] if i["site"] == "thoracic_spine")
    return {o["code"]: o for o in item["options"]}


def _edit_spine(p: Personas, case_id: int, **changes: Any) -> Case:
    lesions = []
    for lesion in Case.objects.get(pk=case_id).lesions.order_by("pk"):
        item = {"id": lesion.pk, **{f: getattr(lesion, f) for f in LESION_FIELDS}}
        item.update(changes)
        lesions.append(item)
    return case_update(actor=p.coordinator, case_id=case_id, data={}, lesions=lesions)


def test_options_follow_lesion_plan_and_survival_through_the_worker(
    seeded_catalogue: None, seeded_registry: None, personas: Personas, celery_worker_process: None
) -> None:
    case = case_create(
        actor=personas.coordinator,
        board=personas.board,
        new_patient={
            "mrn": "OW-1",
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": dt.date(1958, 1, 2),
            "sex": "female",
        },
        data={"question": "SBRT or 8 Gy?", "primary_histology": "breast", "estimated_survival_months": 24, "ecog": 1},
        lesions=[SPINE],
    )
    first = wait_for(lambda: _current(case.pk))
    assert _spine_options(first)["spine_sbrt"]["preferred"] is True

    # The clinician's estimate drops below 6 months: a single fraction becomes the preferred option.
    case = case_update(actor=personas.coordinator, case_id=case.pk, data={"estimated_survival_months": 3})
    second = wait_for(lambda: _newer(case.pk, first))
    assert second.case_revision == case.revision
    assert _spine_options(second)["conventional_rt"]["preferred"] is True
    assert _spine_options(second)["spine_sbrt"]["preferred"] is False

    # A plan for the lesion: the option carrying its regimen says it is planned.
    spine = case.lesions.get()
    plan = plan_create(
        actor=personas.radonc, case=case, data={"name": "8 Gy", "regimen_code": "conv_8gy_1fx"}, target_lesions=[spine]
    )
    third = wait_for(lambda: _newer(case.pk, second))
    assert _spine_options(third)["conventional_rt"]["planned_in"] == [plan.pk]

    # The lesion now compresses the cord: urgent cord-compression options replace the uncomplicated ones.
    case = _edit_spine(personas, case.pk, epidural_compression_grade="3")
    fourth = wait_for(lambda: _newer(case.pk, third))
    options = _spine_options(fourth)
    assert options["mescc_radiotherapy"]["urgent"] is True
    assert "spine_sbrt" not in options
    assert fourth.has_urgent
    assert TreatmentOptionsResult.objects.filter(case_id=case.pk, is_current=True).count() == 1

    response = personas.client(personas.coordinator).get(f"/api/v1/cases/{case.pk}/")
    assert response.json()["treatment_options"]["status"] == "current"
