"""Stored treatment options: the service (idempotency, inputs brought up to date, staleness from the case,
its plans, the catalogue and the risk assessment), the task, the case API's ``prognosis`` and
``treatment_options`` sections, scoping, the query count and ``recompute_options``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.cases.models import Case
from apps.cases.services import LESION_FIELDS, case_create, case_update
from apps.dosimetry.models import RadiotherapyPlan, Regimen
from apps.dosimetry.services import catalogue_entry_changed, plan_create, plan_update
from apps.options import tasks
from apps.options.engine.stored import expand
from apps.options.models import TreatmentOptionsResult
from apps.options.selectors import prognosis_section, treatment_options_section
from apps.options.services import treatment_options_compute, treatment_options_compute_cases
from apps.risk.models import RiskAssessment
from tests.conftest import Personas, call_job_command

pytestmark = pytest.mark.django_db

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
FEMUR: dict[str, Any] = {
    "site": "femur",
    "subsite": "peritrochanteric",
    "radiographic_type": "lytic",
    "cortical_involvement": "gt_two_thirds",
    "pain": "functional",
    "symptomatic": True,
}


def make_case(p: Personas, mrn: str = "O-1", lesions: list[dict[str, Any]] | None = None, **data: Any) -> Case:
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
            "question": "Which treatment?",
            "primary_histology": "breast",
            "estimated_survival_months": 24,
            "ecog": 1,
            "karnofsky_performance_status": 80,
            "frankel_grade": "E",
            "extraspinal_bone_metastases_count": 1,
            "vertebral_metastases_count": 1,
            "major_organ_metastases": "none",
            "bone_metastases_count": 2,
            "visceral_metastases_count": 0,
            "systemic_therapy_classes": [],
            **data,
        },
        lesions=[SPINE, FEMUR] if lesions is None else lesions,
    )


def lesion_options(row: TreatmentOptionsResult, site: str) -> dict[str, Any]:
    return next(item for item in expand(row.payload)["lesions"] if item["site"] == site)


def codes(row: TreatmentOptionsResult, site: str) -> dict[str, bool]:
    return {o["code"]: o["preferred"] for o in lesion_options(row, site)["options"]}


def set_survival(p: Personas, case: Case, months: float | None) -> Case:
    return case_update(actor=p.coordinator, case_id=case.pk, data={"estimated_survival_months": months})


def detail(p: Personas, case: Case, user: Any = None) -> Any:
    return p.client(user or p.coordinator).get(f"/api/v1/cases/{case.pk}/")


def section(case: Case) -> dict[str, Any]:
    """The section as the case detail builds it, read without the rest of the detail (so a test of the
    options does not depend on the other sections)."""
    loaded = Case.objects.select_related("patient", "board").prefetch_related("lesions", "prior_radiotherapy").get(pk=case.pk)
    return treatment_options_section(loaded)


# -- service -----------------------------------------------------------------------------------------------


def test_compute_stores_options_and_brings_risk_up_to_date(personas: Personas) -> None:
    case = make_case(personas)
    assert not RiskAssessment.objects.filter(case=case).exists()  # no on_commit in this test transaction
    row = treatment_options_compute(case_id=case.pk)
    risk = RiskAssessment.objects.get(case=case, is_current=True)
    assert row.risk_digest == risk.inputs_digest
    assert row.case_revision == case.revision
    assert row.is_current
    assert row.has_urgent  # Mirels 12 femur: impending fracture
    assert codes(row, "thoracic_spine")["spine_sbrt"] is True
    assert codes(row, "femur")["prophylactic_fixation"] is True
    assert lesion_options(row, "thoracic_spine")["noms"]["neurologic"]["assessment"] == "low_grade"
    # The prognosis is not stored with the options: the case detail computes it on read from the case.
    assert "prognosis" not in row.payload
    assert detail(personas, case).json()["prognosis"]["tokuhashi"]["score"] == 2 + 1 + 2 + 2 + 5 + 2
    entry = AuditEntry.objects.get(event="options.computed")
    assert entry.after["case_id"] == case.pk
    assert "spine_sbrt" in entry.after["preferred"]


def test_same_inputs_reuse_the_row(personas: Personas) -> None:
    case = make_case(personas)
    first = treatment_options_compute(case_id=case.pk)
    again = treatment_options_compute(case_id=case.pk)
    assert again.pk == first.pk
    assert TreatmentOptionsResult.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(event="options.computed").count() == 1
    # A new revision with the same content keeps the row and moves its revision forward.
    case = case_update(actor=personas.coordinator, case_id=case.pk, data={"question": "Reworded question"})
    third = treatment_options_compute(case_id=case.pk)
    assert third.pk == first.pk
    assert third.case_revision == case.revision


def test_survival_estimate_changes_the_options(personas: Personas) -> None:
    case = make_case(personas)
    first = treatment_options_compute(case_id=case.pk)
    case = set_survival(personas, case, 3)
    second = treatment_options_compute(case_id=case.pk)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert not first.is_current
    assert codes(second, "thoracic_spine")["conventional_rt"] is True
    assert codes(second, "thoracic_spine")["spine_sbrt"] is False
    assert TreatmentOptionsResult.objects.filter(case=case, is_current=True).count() == 1


def test_a_plan_changes_the_options(personas: Personas) -> None:
    case = make_case(personas)
    treatment_options_compute(case_id=case.pk)
    spine = case.lesions.get(site="thoracic_spine")
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={"name": "SC24", "regimen_code": "sbrt_spine_24gy_2fx", "technique": "sbrt"},
        target_lesions=[spine],
    )
    row = treatment_options_compute(case_id=case.pk)
    sbrt = next(o for o in lesion_options(row, "thoracic_spine")["options"] if o["code"] == "spine_sbrt")
    assert sbrt["planned_in"] == [plan.pk]
    assert row.plans_stamp != "0:0:0"


def test_compute_cases_in_bulk(personas: Personas) -> None:
    cases = [make_case(personas, mrn=f"B-{i}") for i in range(3)]
    rows = treatment_options_compute_cases(case_ids=[c.pk for c in cases])
    assert set(rows) == {c.pk for c in cases}
    assert treatment_options_compute_cases(case_ids=[999_999]) == {}


def test_a_chunk_costs_the_same_queries_for_one_case_as_for_four(personas: Personas) -> None:
    """A recompute chunk (risk, trial matches and options of every case, each audited) reads and writes in
    bulk: one audit append for the chunk's results, not a lock and an insert per result (issue 16)."""
    one = [make_case(personas, mrn="Q-0").pk]
    four = [make_case(personas, mrn=f"Q-{i}").pk for i in range(1, 5)]
    with CaptureQueriesContext(connection) as first:
        treatment_options_compute_cases(case_ids=one)
    with CaptureQueriesContext(connection) as second:
        treatment_options_compute_cases(case_ids=four)
    assert len(second) == len(first), [q["sql"][:80] for q in second.captured_queries]
    for chunk in (one, four):
        audited = AuditEntry.objects.filter(case_id__in=chunk)
        assert audited.filter(event="risk.assessed").count() == len(chunk)
        assert audited.filter(event="options.computed").count() == len(chunk)


def test_an_unchanged_chunk_evaluates_no_option(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: a recompute where nothing changed compares digests and runs no engine."""
    from apps.options import services

    ids = [make_case(personas, mrn=f"U-{i}").pk for i in range(3)]
    treatment_options_compute_cases(case_ids=ids)
    calls: list[int] = []
    real = services.treatment_options

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "treatment_options", counted)
    rows = treatment_options_compute_cases(case_ids=ids)
    assert calls == [] and set(rows) == set(ids)
    set_survival(personas, Case.objects.get(pk=ids[0]), 2)
    treatment_options_compute_cases(case_ids=ids)
    assert calls == [1]  # only the changed case is evaluated


def test_task_is_thin_and_tolerates_a_deleted_case(personas: Personas) -> None:
    case = make_case(personas)
    result = tasks.compute_case_options(case.pk)
    assert result is not None and result["case_id"] == case.pk
    assert tasks.compute_case_options(999_999) is None


def test_deleted_case_raises(personas: Personas) -> None:
    with pytest.raises(Case.DoesNotExist):
        treatment_options_compute(case_id=999_999)


# -- case API ---------------------------------------------------------------------------------------------


def test_case_detail_sections_pending_then_current(personas: Personas) -> None:
    case = make_case(personas)
    data = detail(personas, case).json()
    assert data["treatment_options"]["status"] == "pending"
    assert data["treatment_options"]["lesions"] == []
    assert data["prognosis"]["tokuhashi"]["score"] == 14
    assert data["prognosis"]["tomita"]["strategy"] == "wide_or_marginal_excision"

    treatment_options_compute(case_id=case.pk)
    data = detail(personas, case).json()
    section = data["treatment_options"]
    assert section["status"] == "current"
    assert section["computed_at"]
    ids = {lesion["id"] for lesion in data["lesions"]}
    assert {item["lesion"] for item in section["lesions"]} == ids
    for item in section["lesions"]:
        for opt in item["options"]:
            assert {"code", "label", "modality", "regimens", "reasons", "cautions", "evidence", "preferred"} <= set(opt)
    assert any(o["code"] == "bone_modifying_agent" for o in section["case"])


def test_case_edit_makes_the_section_stale(personas: Personas) -> None:
    case = make_case(personas)
    treatment_options_compute(case_id=case.pk)
    set_survival(personas, case, 4)
    section = detail(personas, case).json()["treatment_options"]
    assert section["status"] == "stale"
    assert "case changed" in section["stale_reasons"]


def test_plan_edit_makes_the_section_stale(personas: Personas) -> None:
    case = make_case(personas)
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    treatment_options_compute(case_id=case.pk)
    assert section(case)["status"] == "current"
    plan_update(actor=personas.radonc, plan=plan, data={"regimen_code": "conv_20gy_5fx"})
    stale = section(case)
    assert stale["status"] == "stale"
    assert stale["stale_reasons"] == ["plans changed"]
    treatment_options_compute(case_id=case.pk)
    assert section(case)["status"] == "current"
    RadiotherapyPlan.objects.filter(pk=plan.pk).delete()
    assert section(case)["stale_reasons"] == ["plans changed"]


def test_catalogue_edit_makes_the_section_stale_and_flows_into_the_options(personas: Personas) -> None:
    case = make_case(personas)
    treatment_options_compute(case_id=case.pk)
    regimen = Regimen.objects.get(code="conv_8gy_1fx")
    regimen.active = False
    regimen.save()
    catalogue_entry_changed(kind="regimen", code="conv_8gy_1fx")  # type: ignore[arg-type]
    section = detail(personas, case).json()["treatment_options"]
    assert section["status"] == "stale"
    assert "regimen catalogue changed" in section["stale_reasons"]
    row = treatment_options_compute(case_id=case.pk)
    conv = next(o for o in lesion_options(row, "femur")["options"] if o["code"] == "conventional_rt")
    assert "conv_8gy_1fx" not in [r["code"] for r in conv["regimens"]]


def test_new_risk_assessment_makes_the_section_stale(personas: Personas) -> None:
    case = make_case(personas)
    treatment_options_compute(case_id=case.pk)
    RiskAssessment.objects.filter(case=case).update(inputs_digest="0" * 64)
    section = detail(personas, case).json()["treatment_options"]
    assert section["status"] == "stale"
    assert section["stale_reasons"] == ["risk assessment changed"]


def test_case_without_a_spinal_lesion_says_the_scores_are_spinal(personas: Personas) -> None:
    case = make_case(personas, lesions=[FEMUR])
    prognosis = detail(personas, case).json()["prognosis"]
    assert prognosis["spinal"] is False
    assert prognosis["tokuhashi"]["score"] is None
    assert prognosis["tomita"]["score"] is None
    assert "spinal" in prognosis["note"]


def test_sections_are_scoped_like_the_case(personas: Personas) -> None:
    case = make_case(personas)
    treatment_options_compute(case_id=case.pk)
    assert detail(personas, case, personas.other_member).status_code == 404
    assert detail(personas, case, personas.outsider).status_code == 404
    assert personas.client(None).get(f"/api/v1/cases/{case.pk}/").status_code == 401


def _detail_queries(p: Personas, case: Case) -> int:
    client = p.client(p.coordinator)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    return len(ctx.captured_queries)


def _section_queries(case: Case) -> int:
    loaded = Case.objects.select_related("patient", "board").prefetch_related("lesions", "prior_radiotherapy").get(pk=case.pk)
    with CaptureQueriesContext(connection) as ctx:
        treatment_options_section(loaded)
        prognosis_section(loaded)
    return len(ctx.captured_queries)


def test_case_detail_query_count_is_constant_in_lesions(personas: Personas) -> None:
    few = make_case(personas, mrn="Q-1", lesions=[SPINE])
    many = make_case(personas, mrn="Q-2", lesions=[SPINE, FEMUR, {**FEMUR, "subsite": "shaft"}, {**SPINE, "level_from": "T11"}])
    for case in (few, many):
        treatment_options_compute(case_id=case.pk)
    assert _detail_queries(personas, many) == _detail_queries(personas, few)


def test_section_queries_are_one_whatever_the_lesions_and_plans(personas: Personas) -> None:
    few = make_case(personas, mrn="Q-1", lesions=[SPINE])
    many = make_case(personas, mrn="Q-2", lesions=[SPINE, FEMUR, {**FEMUR, "subsite": "shaft"}, {**SPINE, "level_from": "T11"}])
    plan_create(actor=personas.radonc, case=few, data={"regimen_code": "conv_8gy_1fx"})
    for code in ("conv_8gy_1fx", "conv_20gy_5fx", "conv_30gy_10fx"):
        plan_create(actor=personas.radonc, case=many, data={"regimen_code": code})
    for case in (few, many):
        treatment_options_compute(case_id=case.pk)
    assert _section_queries(few) == _section_queries(many) == 1


def test_the_sections_add_one_query_to_the_case_detail(personas: Personas) -> None:
    from apps.cases import derived

    case = make_case(personas)
    treatment_options_compute(case_id=case.pk)
    with_sections = _detail_queries(personas, case)
    saved = dict(derived._SECTIONS)
    try:
        derived._SECTIONS.pop("prognosis")
        derived._SECTIONS.pop("treatment_options")
        without = _detail_queries(personas, case)
    finally:
        derived._SECTIONS.update(saved)
    assert with_sections - without == 1


# -- signals and recompute ------------------------------------------------------------------------------------


def test_case_change_plan_change_and_catalogue_edit_recompute_after_commit(
    personas: Personas, django_capture_on_commit_callbacks: Callable
) -> None:  # type: ignore[type-arg]
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(personas)
    row = TreatmentOptionsResult.objects.get(case=case, is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        plan_create(
            actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"}, target_lesions=list(case.lesions.all())
        )
    planned = TreatmentOptionsResult.objects.get(case=case, is_current=True)
    assert planned.pk != row.pk
    assert section(case)["status"] == "current"
    with django_capture_on_commit_callbacks(execute=True):
        regimen = Regimen.objects.get(code="conv_20gy_5fx")
        regimen.active = False
        regimen.save()
        catalogue_entry_changed(kind="regimen", code="conv_20gy_5fx")  # type: ignore[arg-type]
    assert section(case)["status"] == "current"
    conv = next(
        o
        for item in section(case)["lesions"]
        if item["site"] == "femur"
        for o in item["options"]
        if o["code"] == "conventional_rt"
    )
    assert "conv_20gy_5fx" not in [r["code"] for r in conv["regimens"]]


def _edit_femur(p: Personas, case: Case, **changes: Any) -> Case:
    lesions = []
    for lesion in case.lesions.order_by("pk"):
        item = {"id": lesion.pk, **{f: getattr(lesion, f) for f in LESION_FIELDS}}
        if lesion.site == "femur":
            item.update(changes)
        lesions.append(item)
    return case_update(actor=p.coordinator, case_id=case.pk, data={}, lesions=lesions)


def test_lesion_edit_changes_the_lesion_options(personas: Personas) -> None:
    case = make_case(personas)
    first = treatment_options_compute(case_id=case.pk)
    assert "prophylactic_fixation" in codes(first, "femur")
    case = _edit_femur(personas, case, cortical_involvement="lt_one_third", pain="mild", radiographic_type="blastic")
    second = treatment_options_compute(case_id=case.pk)
    assert "prophylactic_fixation" not in codes(second, "femur")
    assert codes(second, "femur")["conventional_rt"] is True


def test_recompute_command_renews_only_what_needs_it(personas: Personas) -> None:
    fresh = make_case(personas, mrn="C-1")
    outdated = make_case(personas, mrn="C-2")
    never = make_case(personas, mrn="C-3")
    for case in (fresh, outdated):
        treatment_options_compute(case_id=case.pk)
    set_survival(personas, outdated, 2)
    out = io.StringIO()
    call_job_command("recompute_options", stdout=out, verbosity=0)
    assert out.getvalue().startswith("2 computed, 2 new results")
    assert TreatmentOptionsResult.objects.filter(case=never, is_current=True).exists()
    out = io.StringIO()
    call_job_command("recompute_options", "--force", stdout=out, verbosity=0)
    assert out.getvalue().startswith("3 computed, 0 new results")


def test_admin_shows_stored_options_read_only(personas: Personas) -> None:
    from django.test import Client

    case = make_case(personas)
    row = treatment_options_compute(case_id=case.pk)
    auditor = personas.administrator
    auditor.is_staff = True
    auditor.save()
    client = Client()
    client.force_login(auditor)
    assert client.get(f"/admin/options/treatmentoptionsresult/{row.pk}/change/").status_code == 200
    assert client.post(f"/admin/options/treatmentoptionsresult/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/options/treatmentoptionsresult/add/").status_code == 403
    assert TreatmentOptionsResult.objects.filter(pk=row.pk).exists()


def test_one_task_brings_every_derived_result_of_its_chunk_up_to_date(personas: Personas) -> None:
    """Issue 16: ``options.compute_derived_chunk`` is the full recompute's one task per chunk: risk, trial
    matches, dose summaries of the cases' plans and options, each by its own service with its audit rows;
    run again with nothing changed it stores nothing and audits nothing."""
    from apps.dosimetry.models import DoseSummary
    from apps.trials.models import TrialMatch
    from apps.trials.selectors import current_trials

    cases = [make_case(personas, mrn=f"D-{i}") for i in range(3)]
    plan = plan_create(actor=personas.radonc, case=cases[0], data={"regimen_code": "conv_8gy_1fx"})
    ids = [c.pk for c in cases]
    written = tasks.compute_derived_chunk(ids)
    assert written == len(ids) + 1  # the options rows and the plan's summary
    assert RiskAssessment.objects.filter(case_id__in=ids, is_current=True).count() == len(ids)
    assert TrialMatch.objects.filter(case_id__in=ids).count() == len(ids) * len(current_trials(None))
    assert DoseSummary.objects.filter(plan=plan, is_current=True).count() == 1
    assert TreatmentOptionsResult.objects.filter(case_id__in=ids, is_current=True).count() == len(ids)
    audited = AuditEntry.objects.filter(case_id__in=ids).count()
    assert tasks.compute_derived_chunk(ids) == 0
    assert AuditEntry.objects.filter(case_id__in=ids).count() == audited


def test_bulk_payload_inserts_bind_each_row(personas: Personas) -> None:
    """Issue 16: the engines' payloads (and the audit rows) are inserted as ``VALUES (%s, ...)`` rows, not
    through ``UNNEST`` of a jsonb array, whose client-side escaping was most of a chunk's CPU."""
    ids = [make_case(personas, mrn=f"V-{i}").pk for i in range(2)]
    with CaptureQueriesContext(connection) as queries:
        treatment_options_compute_cases(case_ids=ids)
    tables = ("options_treatmentoptionsresult", "risk_riskassessment", "audit_auditentry")
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("INSERT INTO") and any(t in q["sql"][:60] for t in tables)
    ]
    assert len(inserts) >= len(tables)
    assert not any("UNNEST" in sql for sql in inserts)
