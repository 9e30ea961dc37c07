"""Stored risk assessments: the service (idempotency, staleness, race guard), the task, the case API's
``risk`` section and the ``recompute_risk`` command."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from apps.audit.models import AuditEntry
from apps.cases.models import Case
from apps.cases.services import LESION_FIELDS, case_create, case_update
from apps.risk import tasks
from apps.risk.engine import ENGINE_VERSION
from apps.risk.models import LesionAssessment, RiskAssessment
from apps.risk.services import risk_assess_case, risk_assess_cases
from tests.conftest import Personas, call_job_command

FEMUR: dict[str, Any] = {
    "site": "femur",
    "subsite": "peritrochanteric",
    "radiographic_type": "lytic",
    "cortical_involvement": "gt_two_thirds",
    "pain": "functional",
    "max_diameter_mm": 34.0,
}
SPINE: dict[str, Any] = {
    "site": "lumbar_spine",
    "level_from": "L1",
    "level_to": "L2",
    "spinal_pain": "mechanical",
    "radiographic_type": "mixed",
    "alignment": "normal",
    "vertebral_collapse": "lt50_collapse",
    "posterolateral_involvement": "unilateral",
    "epidural_compression_grade": "1b",
}


def make_case(p: Personas, mrn: str = "R-1", **data: Any) -> Case:
    return case_create(
        actor=p.coordinator,
        board=p.board,
        new_patient={
            "mrn": mrn,
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": dt.date(1958, 1, 2),
            "sex": "female",
        },
        data={
            "question": "Fix the femur?",
            "primary_histology": "breast",
            "bone_metastases_count": 2,
            **data,
        },
        lesions=[FEMUR, SPINE],
    )


def edit_femur(p: Personas, case: Case, **changes: Any) -> Case:
    """Change the femoral lesion (the whole lesion is sent, the spine lesion is kept as it is)."""
    lesions = []
    for lesion in case.lesions.order_by("pk"):
        item = {"id": lesion.pk, **{f: getattr(lesion, f) for f in LESION_FIELDS}}
        if lesion.site == "femur":
            item.update(changes)
        lesions.append(item)
    return case_update(actor=p.coordinator, case_id=case.pk, data={}, lesions=lesions)


def detail(p: Personas, case: Case, user: Any = None) -> Any:
    return p.client(user or p.coordinator).get(f"/api/v1/cases/{case.pk}/")


# -- service ---------------------------------------------------------------------------------------------


def test_assessing_twice_with_the_same_inputs_keeps_one_row(personas: Personas) -> None:
    case = make_case(personas)
    first = risk_assess_case(case_id=case.pk)
    second = risk_assess_case(case_id=case.pk)
    assert first.pk == second.pk
    assert RiskAssessment.objects.filter(case=case).count() == 1
    assert second.is_current and second.case_revision == case.revision
    assert second.engine_version == ENGINE_VERSION
    assert AuditEntry.objects.filter(event="risk.assessed", subject_id=str(first.pk)).count() == 1


def test_stored_payload_flags_and_lesion_rows(personas: Personas) -> None:
    case = make_case(personas)
    row = risk_assess_case(case_id=case.pk)
    assert [lesion["site"] for lesion in row.payload["lesions"]] == ["femur", "lumbar_spine"]
    assert row.highest_flag_code == row.payload["flags"][0]["code"]
    assert row.highest_flag_priority == row.payload["flags"][0]["priority"]
    rows = LesionAssessment.objects.filter(assessment=row).select_related("lesion")
    lesions = {r.lesion.site: r for r in rows}
    assert set(lesions) == {"femur", "lumbar_spine"}
    femur = lesions["femur"]
    assert femur.mirels_score == row.payload["lesions"][0]["mirels"]["score"]
    assert femur.mirels_score is not None and femur.mirels_score >= 9  # 3 + 3 + 3 + 2
    assert femur.mirels_category == "impending_fracture"
    assert lesions["lumbar_spine"].sins_score is not None
    assert lesions["lumbar_spine"].escc_high_grade is False


def test_editing_a_lesion_makes_the_old_assessment_stale(personas: Personas) -> None:
    case = make_case(personas)
    old = risk_assess_case(case_id=case.pk)
    case = edit_femur(personas, case, cortical_involvement="lt_one_third", pain="mild")
    new = risk_assess_case(case_id=case.pk)
    old.refresh_from_db()
    assert new.pk != old.pk
    assert not old.is_current and new.is_current
    assert new.case_revision == case.revision == old.case_revision + 1
    assert new.inputs_digest != old.inputs_digest
    assert RiskAssessment.objects.filter(case=case, is_current=True).get() == new
    assert AuditEntry.objects.filter(event="risk.assessed").count() == 2


def test_reverting_an_edit_reuses_the_first_row_and_moves_its_revision_forward(personas: Personas) -> None:
    case = make_case(personas)
    first = risk_assess_case(case_id=case.pk)
    case = edit_femur(personas, case, pain="mild")
    second = risk_assess_case(case_id=case.pk)
    case = edit_femur(personas, case, pain="functional")
    again = risk_assess_case(case_id=case.pk)
    second.refresh_from_db()
    assert again.pk == first.pk
    assert again.is_current and not second.is_current
    assert again.case_revision == case.revision == 3
    assert RiskAssessment.objects.filter(case=case).count() == 2
    assert AuditEntry.objects.filter(event="risk.assessed").count() == 2  # the reuse writes no audit row


def test_an_older_revision_never_replaces_a_newer_current_row(personas: Personas) -> None:
    case = make_case(personas)
    row = risk_assess_case(case_id=case.pk)
    # Simulate a row written from a newer revision than the case row we are about to read.
    RiskAssessment.objects.filter(pk=row.pk).update(case_revision=case.revision + 5)
    edit_femur(personas, case, pain="mild")
    kept = risk_assess_case(case_id=case.pk)
    assert kept.pk == row.pk and kept.case_revision == case.revision + 5
    assert RiskAssessment.objects.filter(case=case).count() == 1


def test_batch_assessment_skips_deleted_cases(personas: Personas) -> None:
    one, two = make_case(personas, "R-1"), make_case(personas, "R-2")
    result = risk_assess_cases(case_ids=[one.pk, two.pk, 999_999])
    assert set(result) == {one.pk, two.pk}
    assert RiskAssessment.objects.filter(is_current=True).count() == 2


def test_task_on_a_deleted_case_is_a_no_op(db: None) -> None:
    assert tasks.assess_case.delay(123_456).get() is None
    assert not RiskAssessment.objects.exists()


# -- signal, task and the case API ------------------------------------------------------------------------


def test_detail_shows_pending_then_current_then_stale(personas: Personas, django_capture_on_commit_callbacks: Any) -> None:
    case = make_case(personas)  # on_commit callbacks not run: nothing computed yet
    body = detail(personas, case).json()
    assert body["risk"]["status"] == "pending"
    assert body["risk"]["computed_at"] is None

    with django_capture_on_commit_callbacks(execute=True):
        case = edit_femur(personas, case, pain="mild")
    response = detail(personas, case)
    assert response.status_code == 200
    risk = response.json()["risk"]
    assert risk["status"] == "current"
    assert risk["computed_at"] is not None
    assert risk["computed_for_revision"] == case.revision
    assert risk["engine_version"] == ENGINE_VERSION
    assert {"lesions", "flags", "oligometastatic"} <= set(risk["summary"])
    assert len(risk["summary"]["lesions"]) == 2

    case = edit_femur(personas, case, pain="functional")  # committed, the recomputation not run
    risk = detail(personas, case).json()["risk"]
    assert risk["status"] == "stale"
    assert risk["computed_for_revision"] == case.revision - 1


def test_case_created_through_the_service_is_assessed_on_commit(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(personas)
    row = RiskAssessment.objects.get(case=case)
    assert row.is_current and row.case_revision == 1


def test_an_older_engine_version_reads_as_stale(personas: Personas) -> None:
    case = make_case(personas)
    row = risk_assess_case(case_id=case.pk)
    RiskAssessment.objects.filter(pk=row.pk).update(engine_version="risk-2000.1.1")
    assert detail(personas, case).json()["risk"]["status"] == "stale"


def test_other_boards_case_is_404(personas: Personas) -> None:
    case = make_case(personas)
    risk_assess_case(case_id=case.pk)
    assert detail(personas, case, personas.other_member).status_code == 404
    assert detail(personas, case, personas.outsider).status_code == 404


# -- recompute command ------------------------------------------------------------------------------------


def recompute(*args: str) -> str:
    out = io.StringIO()
    call_job_command("recompute_risk", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_recompute_assesses_every_case_and_then_skips_them(personas: Personas) -> None:
    cases = [make_case(personas, f"R-{i}") for i in range(5)]
    output = recompute("--chunk-size", "2")
    assert "5 assessed" in output
    assert RiskAssessment.objects.filter(is_current=True).count() == 5
    assert "0 assessed" in recompute()
    assert RiskAssessment.objects.count() == 5
    # --force recomputes everything but unchanged inputs reuse their rows.
    assert "5 assessed" in recompute("--force", "--chunk-size", "3")
    assert RiskAssessment.objects.count() == 5
    assert AuditEntry.objects.filter(event="risk.assessed").count() == 5
    assert {c.pk for c in cases} == set(RiskAssessment.objects.values_list("case_id", flat=True))


def test_recompute_redoes_older_engine_versions_and_stale_cases(personas: Personas) -> None:
    old_engine, edited, fresh = (make_case(personas, f"R-{i}") for i in range(3))
    recompute()
    old_row = RiskAssessment.objects.get(case=old_engine)
    RiskAssessment.objects.filter(pk=old_row.pk).update(engine_version="risk-2000.1.1", inputs_digest="x" * 64)
    edit_femur(personas, edited, pain="mild")
    fresh_row = RiskAssessment.objects.get(case=fresh)

    assert "2 assessed" in recompute()
    old_row.refresh_from_db()
    assert not old_row.is_current
    current = RiskAssessment.objects.get(case=old_engine, is_current=True)
    assert current.engine_version == ENGINE_VERSION
    assert RiskAssessment.objects.get(case=edited, is_current=True).case_revision == 2
    assert RiskAssessment.objects.get(case=fresh, is_current=True).pk == fresh_row.pk


@pytest.mark.parametrize("chunk_size", ["0", "-1"])
def test_recompute_rejects_a_bad_chunk_size(db: None, chunk_size: str) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        recompute("--chunk-size", chunk_size)


def test_assessments_of_the_previous_engine_release_read_stale_until_recomputed(personas: Personas) -> None:
    # Given an assessment stored by risk-2026.11.4, the release before issue 9's corrections
    case = make_case(personas)
    row = risk_assess_case(case_id=case.pk)
    assert ENGINE_VERSION != "risk-2026.11.4"
    RiskAssessment.objects.filter(pk=row.pk).update(engine_version="risk-2026.11.4", inputs_digest="0" * 64)
    # Then the case detail reads it as stale
    assert detail(personas, case).json()["risk"]["status"] == "stale"
    # And recompute_risk brings it current under the new version
    assert "1 assessed" in recompute()
    risk = detail(personas, case).json()["risk"]
    assert risk["status"] == "current"
    assert risk["engine_version"] == ENGINE_VERSION
