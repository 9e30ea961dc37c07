"""Stored dose summaries: plan services, idempotent computation by digest, the case detail section."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.cases.derived import derived_sections
from apps.cases.models import Case, PriorRadiotherapyCourse
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan
from apps.dosimetry.selectors import dose_summaries_section
from apps.dosimetry.services import dose_summaries_compute, dose_summary_compute, plan_create, plan_update
from apps.dosimetry.tasks import compute_plan_summary
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]


@pytest.fixture
def case(personas: Personas) -> Case:
    return CaseFactory(board=personas.board)


def test_plan_create_audits_and_computes_after_commit(
    personas: Personas, case: Case, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    lesion = LesionFactory(case=case)
    from apps.core.models import OutboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_create(
            actor=personas.radonc,
            case=case,
            data={"regimen_code": "conv_30gy_10fx", "technique": "conventional"},
            target_lesions=[lesion],
        )
    # One dose-summary computation queued through the outbox (the options app queues its own too, issue 14).
    assert OutboxMessage.objects.filter(task_name="dosimetry.compute_plan_summary", args=[plan.pk]).count() == 1
    assert list(plan.target_lesions.all()) == [lesion]
    assert AuditEntry.objects.filter(event=AuditEvent.DOSE_PLAN_CREATED, subject_id=str(plan.pk)).count() == 1
    summary = DoseSummary.objects.get(plan=plan)
    assert summary.is_current
    assert summary.plan_revision == 1
    (level,) = summary.payload["regimen"]["levels"]
    assert level["bed_gy"] == 39.0
    assert AuditEntry.objects.filter(event=AuditEvent.DOSE_SUMMARY_COMPUTED).count() == 1


def test_compute_is_idempotent_by_digest(personas: Personas, case: Case) -> None:
    plan = plan_create(actor=personas.radonc, case=case, data={"levels": [{"fractions": 5, "total_dose_gy": 20}]})
    first = dose_summary_compute(plan_id=plan.pk)
    again = dose_summary_compute(plan_id=plan.pk)
    assert first.pk == again.pk
    assert DoseSummary.objects.filter(plan=plan).count() == 1
    assert AuditEntry.objects.filter(event=AuditEvent.DOSE_SUMMARY_COMPUTED).count() == 1
    assert compute_plan_summary(plan.pk)["summary_id"] == first.pk
    assert compute_plan_summary(10**9) is None


def test_update_makes_a_new_current_summary_and_back(personas: Personas, case: Case) -> None:
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    first = dose_summary_compute(plan_id=plan.pk)
    plan = plan_update(actor=personas.radonc, plan=plan, data={"regimen_code": "conv_20gy_5fx"})
    assert plan.revision == 2
    assert AuditEntry.objects.filter(event=AuditEvent.DOSE_PLAN_UPDATED).count() == 1
    second = dose_summary_compute(plan_id=plan.pk)
    assert second.pk != first.pk
    assert list(DoseSummary.objects.filter(plan=plan, is_current=True)) == [second]
    # Back to the first regimen: the stored row for those inputs is reused and made current again.
    plan = plan_update(actor=personas.radonc, plan=plan, data={"regimen_code": "conv_8gy_1fx"})
    third = dose_summary_compute(plan_id=plan.pk)
    assert third.pk == first.pk
    assert third.plan_revision == 3
    assert list(DoseSummary.objects.filter(plan=plan, is_current=True)) == [first]


def test_update_without_change_keeps_revision(personas: Personas, case: Case) -> None:
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    plan = plan_update(actor=personas.radonc, plan=plan, data={"regimen_code": "conv_8gy_1fx"})
    assert plan.revision == 1
    assert not AuditEntry.objects.filter(event=AuditEvent.DOSE_PLAN_UPDATED).exists()


def test_prior_courses_enter_the_reirradiation_sum(personas: Personas, case: Case) -> None:
    PriorRadiotherapyCourse.objects.create(case=case, region="T10-L1", total_dose_gy=30, fractions=10, date=date(2024, 1, 10))
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    summary = dose_summary_compute(plan_id=plan.pk)
    (cord,) = summary.payload["reirradiation"]
    # 30/10 at ab 2 -> 37.5 + 8/1 -> 20 = 57.5 (prescriptions, conservative)
    assert cord["cumulative_eqd2_gy"] == 57.5
    assert cord["within_limit"] is True


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"regimen_code": "nonsense"}, "regimen_code"),
        ({}, "regimen_code"),
        ({"regimen_code": "conv_8gy_1fx", "levels": [{"fractions": 1, "total_dose_gy": 8}]}, "levels"),
        ({"levels": [{"fractions": 0, "total_dose_gy": 8}]}, "levels[0].fractions"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 20}], "alpha_beta": 0}, "alpha_beta"),
        ({"regimen_code": "conv_8gy_1fx", "technique": "gamma"}, "technique"),
        ({"regimen_code": "conv_8gy_1fx", "colour": "red"}, "colour"),
    ],
)
def test_invalid_plans_are_rejected(personas: Personas, case: Case, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        plan_create(actor=personas.radonc, case=case, data=data)
    assert field in excinfo.value.message_dict
    assert not RadiotherapyPlan.objects.exists()


def test_target_lesions_must_belong_to_the_case(personas: Personas, case: Case) -> None:
    other = LesionFactory()
    with pytest.raises(ValidationError) as excinfo:
        plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"}, target_lesions=[other])
    assert "target_lesions" in excinfo.value.message_dict


def test_case_section_pending_current_stale(personas: Personas, case: Case) -> None:
    assert dose_summaries_section(case)["status"] == "pending"
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    section = dose_summaries_section(case)
    assert section["status"] == "pending"
    assert section["plans"][0]["summary"] is None
    dose_summary_compute(plan_id=plan.pk)
    section = derived_sections(case)["dose_summaries"]
    assert section["status"] == "current"
    assert section["computed_at"] is not None
    (entry,) = section["plans"]
    assert entry["regimen_code"] == "conv_8gy_1fx"
    assert entry["summary"]["regimen"]["levels"][0]["bed_gy"] == 14.4
    plan_update(actor=personas.radonc, plan=plan, data={"alpha_beta": 3})
    assert dose_summaries_section(case)["status"] == "stale"
    Case.objects.filter(pk=case.pk).update(revision=case.revision + 1)
    dose_summary_compute(plan_id=plan.pk)
    case.refresh_from_db()
    assert dose_summaries_section(case)["status"] == "current"


def test_case_change_recomputes_every_plan(personas: Personas, case: Case) -> None:
    from apps.dosimetry.tasks import compute_case_summaries

    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    assert compute_case_summaries(case.pk) == [plan.pk]
    assert DoseSummary.objects.filter(plan=plan, is_current=True).count() == 1


def test_case_detail_api_shows_the_section(personas: Personas, case: Case) -> None:
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    dose_summary_compute(plan_id=plan.pk)
    response = personas.client(personas.radonc).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200, response.content
    section = response.json()["dose_summaries"]
    assert section["status"] == "current"
    assert section["plans"][0]["plan_id"] == plan.pk


def _plans(personas: Personas, n: int) -> list[int]:
    ids = []
    for i in range(n):
        case = CaseFactory(board=personas.board)
        data = {"levels": [{"fractions": 5, "total_dose_gy": 20 + i}]} if i % 2 else {"regimen_code": "conv_30gy_10fx"}
        ids.append(plan_create(actor=personas.radonc, case=case, data=data).pk)
    return ids


def test_a_chunk_of_plans_costs_the_same_queries_as_one_plan(personas: Personas) -> None:
    """The recompute chunk reads and writes in bulk (issue 16: one transaction, catalogue read and audit
    append per plan before); a deleted plan is skipped and a stored digest is reused, not rewritten."""
    one, five = _plans(personas, 1), _plans(personas, 5)
    with CaptureQueriesContext(connection) as first:
        dose_summaries_compute(plan_ids=one)
    with CaptureQueriesContext(connection) as second:
        computed = dose_summaries_compute(plan_ids=[*five, 10**9])
    assert len(second) == len(first), [q["sql"][:80] for q in second.captured_queries]
    assert set(computed) == set(five)
    assert all(row.is_current and row.pk for row in computed.values())
    assert (
        AuditEntry.objects.filter(
            event=AuditEvent.DOSE_SUMMARY_COMPUTED, subject_id__in=[str(r.pk) for r in computed.values()]
        ).count()
        == 5
    )
    # The same figures as a plan computed on its own.
    alone = dose_summary_compute(plan_id=five[2])
    assert alone.pk == computed[five[2]].pk and alone.payload == DoseSummary.objects.get(pk=alone.pk).payload
    again = dose_summaries_compute(plan_ids=five)
    assert {p: r.pk for p, r in again.items()} == {p: r.pk for p, r in computed.items()}
    assert AuditEntry.objects.filter(event=AuditEvent.DOSE_SUMMARY_COMPUTED).count() == 6
