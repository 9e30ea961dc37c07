"""Planned courses through the API: radiation oncologists plan, everyone on the board reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apps.audit.models import AuditEntry
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def plans_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/radiotherapy-plans/"


def test_radonc_plans_a_course_and_the_summary_is_computed(
    personas: Personas, django_capture_on_commit_callbacks: Callable
) -> None:  # type: ignore[type-arg]
    case = CaseFactory(board=personas.board)
    lesion = LesionFactory(case=case)
    client = personas.client(personas.radonc)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            plans_url(case.pk),
            {"name": "Femur 30/10", "levels": [{"fractions": 10, "total_dose_gy": 30}], "target_lesions": [lesion.pk]},
            format="json",
        )
    assert response.status_code == 201, response.json()
    plan_id = response.json()["plan_id"]
    detail = client.get(f"/api/v1/radiotherapy-plans/{plan_id}/").json()
    assert detail["status"] == "current"
    level = detail["summary"]["regimen"]["levels"][0]
    assert abs(level["bed_gy"] - 39.0) < 0.1  # 30 Gy/10 BED10 (clinical-rules.md section 7)
    assert AuditEntry.objects.filter(event="dose.plan_created").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        changed = client.patch(
            f"/api/v1/radiotherapy-plans/{plan_id}/",
            {"levels": [{"fractions": 5, "total_dose_gy": 20}]},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["revision"] == 2
    assert changed.json()["status"] == "stale"  # answered before the recomputation committed
    recomputed = client.get(f"/api/v1/radiotherapy-plans/{plan_id}/").json()
    assert recomputed["status"] == "current"
    assert abs(recomputed["summary"]["regimen"]["levels"][0]["bed_gy"] - 28.0) < 0.1  # 20 Gy/5 BED10
    listing = personas.client(personas.surgeon).get(plans_url(case.pk)).json()
    assert [p["plan_id"] for p in listing] == [plan_id]


def test_only_radiation_oncologists_of_the_board_plan(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    body = {"levels": [{"fractions": 1, "total_dose_gy": 8}]}
    assert personas.client(personas.surgeon).post(plans_url(case.pk), body, format="json").status_code == 403
    assert personas.client(personas.administrator).post(plans_url(case.pk), body, format="json").status_code == 403
    assert personas.client(personas.other_member).post(plans_url(case.pk), body, format="json").status_code == 404
    assert personas.client(personas.other_member).get(plans_url(case.pk)).status_code == 404
    assert personas.client(None).get(plans_url(case.pk)).status_code == 401


def test_impossible_plan_is_a_field_level_400(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    client = personas.client(personas.radonc)
    zero = client.post(plans_url(case.pk), {"levels": [{"fractions": 0, "total_dose_gy": 8}]}, format="json")
    assert zero.status_code == 400
    assert any("fractions" in key for key in zero.json())
    other_lesion = LesionFactory()
    foreign = client.post(
        plans_url(case.pk),
        {"levels": [{"fractions": 1, "total_dose_gy": 8}], "target_lesions": [other_lesion.pk]},
        format="json",
    )
    assert foreign.status_code == 400
    assert "target_lesions" in foreign.json()
    assert client.get(plans_url(case.pk)).json() == []


def test_plan_services_refuse_a_role_or_board_without_the_right(personas: Personas) -> None:
    """The service decides too (issue 10): no caller, page or import can write a plan around the view."""
    from django.core.exceptions import PermissionDenied

    from apps.dosimetry.services import plan_create, plan_update

    case = CaseFactory(board=personas.board)
    for actor in (personas.surgeon, personas.other_member, personas.administrator, None):
        with pytest.raises(PermissionDenied):
            plan_create(actor=actor, case=case, data={"regimen_code": "conv_8gy_1fx"})
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    with pytest.raises(PermissionDenied):
        plan_update(actor=personas.coordinator, plan=plan, data={"regimen_code": "conv_20gy_5fx"})
