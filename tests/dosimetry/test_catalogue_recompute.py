"""Dose summaries follow the database catalogue: an administrator's edit of a constraint set or a regimen
marks the summaries built on it stale and recomputes exactly those plans (issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from apps.accounts.roles import Role
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.cases.models import Case
from apps.dosimetry.models import ConstraintSet, DoseSummary, OrganConstraint, RadiotherapyPlan, Regimen
from apps.dosimetry.selectors import dose_summaries_section
from apps.dosimetry.services import catalogue_entry_changed, dose_summary_compute, plan_create, plans_built_on
from tests.conftest import Personas, call_job_command
from tests.dosimetry.admin_forms import constraint_set_form, regimen_form
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., Any]
SEED002 = "seed002_sib_30_40_10fx"
QUANTEC = "quantec_conventional_spinal_cord"
SBRT_CORD = "sbrt_spinal_cord_pmax"
CORD_DMAX = "seed002_spinal_cord_dmax_34gy_10fx"


@pytest.fixture
def case(personas: Personas) -> Case:
    return CaseFactory(board=personas.board)


@pytest.fixture
def administrator_client() -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    return client


def _cord_check(summary: DoseSummary) -> dict[str, Any]:
    return next(c for c in summary.payload["constraint_checks"] if c["constraint_code"] == CORD_DMAX)


def _current(plan: RadiotherapyPlan) -> DoseSummary:
    return DoseSummary.objects.get(plan=plan, is_current=True)


def _post_constraint_set(client: Client, cset: ConstraintSet, changes: dict[str, dict[str, object]]) -> None:
    response = client.post(f"/admin/dosimetry/constraintset/{cset.pk}/change/", constraint_set_form(cset, changes))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_summary_records_the_catalogue_rows_it_used(personas: Personas, case: Case) -> None:
    # given a 30 Gy/10 plan: seed 002's 10-fraction set and the QUANTEC cord set apply
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={"regimen_code": "conv_30gy_10fx", "oar_metrics": {"spinal_cord": {"Dmax": 30.0}}},
    )
    summary = dose_summary_compute(plan_id=plan.pk)
    assert summary.catalogue_revisions == {
        "regimen:conv_30gy_10fx": 1,
        f"constraint_set:{SEED002}": 1,
        f"constraint_set:{QUANTEC}": 1,
    }
    assert [s["code"] for s in summary.payload["constraint_sets"]] == [SEED002, QUANTEC]
    check = _cord_check(summary)
    assert (check["limit_gy"], check["measured_gy"], check["status"]) == (34.0, 30.0, "pass")


def test_constraint_set_edit_in_admin_recomputes_the_plans_checked_against_it(
    personas: Personas, case: Case, administrator_client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given a 10-fraction plan (checked against seed 002) and a 5-fraction plan (not)
    ten = plan_create(
        actor=personas.radonc,
        case=case,
        data={"regimen_code": "conv_30gy_10fx", "oar_metrics": {"spinal_cord": {"Dmax": 30.0}}},
    )
    five = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_20gy_5fx"})
    first_ten, first_five = dose_summary_compute(plan_id=ten.pk), dose_summary_compute(plan_id=five.pk)
    assert plans_built_on(kind="constraint_set", code=SEED002) == [ten.pk]

    # when an administrator lowers the cord limit of seed 002 to 31 Gy (the recomputation not yet run)
    cset = ConstraintSet.objects.get(code=SEED002)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post_constraint_set(administrator_client, cset, {CORD_DMAX: {"limit": 31.0}})
    cset.refresh_from_db()
    assert cset.revision == 2
    assert OrganConstraint.objects.get(set=cset, code=CORD_DMAX).limit == 31.0
    entry = AuditEntry.objects.get(event=AuditEvent.CONSTRAINT_SET_CHANGED, subject_id=str(cset.pk))
    assert entry.before["revision"] == 1 and entry.after["revision"] == 2
    # then the 10-fraction plan reads stale, the 5-fraction plan stays current
    statuses = {p["plan_id"]: p["status"] for p in dose_summaries_section(case)["plans"]}
    assert statuses == {ten.pk: "stale", five.pk: "current"}

    # when the queued recomputation runs (its chunks are themselves sent after commit)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    # then only the affected plan has a new summary, checked against the new limit
    summary = _current(ten)
    assert summary.pk != first_ten.pk
    check = _cord_check(summary)
    assert (check["limit_gy"], check["status"]) == (31.0, "near")  # 30 Gy is within 5 % of 31 Gy
    assert summary.catalogue_revisions[f"constraint_set:{SEED002}"] == 2
    assert _current(five).pk == first_five.pk
    section = dose_summaries_section(case)
    assert section["status"] == "current"


def test_save_without_change_restamps_the_same_summary(personas: Personas, case: Case) -> None:
    # given a computed plan, when the set is saved unchanged (revision bumped), the recompute reuses the row
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_30gy_10fx"})
    first = dose_summary_compute(plan_id=plan.pk)
    catalogue_entry_changed(kind="constraint_set", code=SEED002)
    again = dose_summary_compute(plan_id=plan.pk)
    assert again.pk == first.pk
    assert again.catalogue_revisions[f"constraint_set:{SEED002}"] == 2
    assert dose_summaries_section(case)["status"] == "current"


def test_regimen_edit_in_admin_recomputes_its_plans(
    personas: Personas, case: Case, administrator_client: Client, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    # given a plan on the 8 Gy/1 regimen and another on 20 Gy/5
    single = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    other = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_20gy_5fx"})
    dose_summary_compute(plan_id=single.pk)
    untouched = dose_summary_compute(plan_id=other.pk)
    regimen = Regimen.objects.get(code="conv_8gy_1fx")

    # when an administrator changes the regimen's dose to 10 Gy/1 in the admin
    data = regimen_form(regimen, levels='[{"total_dose_gy": 10.0, "target": ""}]')
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(f"/admin/dosimetry/regimen/{regimen.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    # then the plan on it is recomputed from the new dose (BED10 of 10 Gy/1 = 20.0), the other is not
    level = _current(single).payload["regimen"]["levels"][0]
    assert (level["total_dose_gy"], level["bed_gy"]) == (10.0, 20.0)
    assert _current(single).catalogue_revisions["regimen:conv_8gy_1fx"] == 2
    assert _current(other).pk == untouched.pk


def test_plans_use_database_regimens_only_while_active(personas: Personas, case: Case) -> None:
    from django.core.exceptions import ValidationError

    # given a regimen added by an administrator (not in the engine's built-in catalogue)
    Regimen.objects.create(
        code="local-27gy-3fx",
        name="27 Gy in 3 fractions (local protocol)",
        category="sbrt_non_spine",
        fractions=3,
        levels=[{"total_dose_gy": 27.0, "target": ""}],
        technique="sbrt",
        intent="ablative",
    )
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "local-27gy-3fx"})
    level = dose_summary_compute(plan_id=plan.pk).payload["regimen"]["levels"][0]
    assert level["bed_gy"] == 51.3  # 27 x (1 + 9/10)

    # when a regimen is withdrawn, a new plan cannot use it and the error names the field
    Regimen.objects.filter(code="conv_8gy_1fx").update(active=False)
    with pytest.raises(ValidationError) as excinfo:
        plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    assert "not an active catalogue regimen" in excinfo.value.message_dict["regimen_code"][0]


def test_a_deleted_default_set_is_named_in_the_notes(personas: Personas, case: Case) -> None:
    ConstraintSet.objects.filter(code=QUANTEC).delete()
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_30gy_10fx"})
    summary = dose_summary_compute(plan_id=plan.pk)
    assert [s["code"] for s in summary.payload["constraint_sets"]] == [SEED002]
    assert any(QUANTEC in note and "not in the catalogue" in note for note in summary.payload["notes"])


def test_case_detail_query_count_does_not_grow_with_plans(personas: Personas, case: Case, django_assert_num_queries: Any) -> None:
    client = personas.client(personas.radonc)
    url = f"/api/v1/cases/{case.pk}/"
    plan = plan_create(actor=personas.radonc, case=case, data={"regimen_code": "conv_8gy_1fx"})
    dose_summary_compute(plan_id=plan.pk)
    client.get(url)  # warm caches (content types)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_plan:
        assert client.get(url).status_code == 200
    for code in ("conv_20gy_5fx", "conv_30gy_10fx", "sbrt_spine_24gy_2fx"):
        more = plan_create(actor=personas.radonc, case=case, data={"regimen_code": code})
        dose_summary_compute(plan_id=more.pk)
    with django_assert_num_queries(len(one_plan)):
        body = client.get(url).json()
    assert len(body["dose_summaries"]["plans"]) == 4
    assert body["dose_summaries"]["status"] == "current"


def test_recompute_command_computes_only_the_plans_that_need_it(
    personas: Personas, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from apps.dosimetry.selectors import plans_needing_summary

    # given an up-to-date plan, an uncomputed plan, one from an older engine and one on an edited set
    fresh, uncomputed, old_engine, edited = (
        plan_create(actor=personas.radonc, case=case, data={"regimen_code": code})
        for code in ("conv_8gy_1fx", "conv_20gy_5fx", "conv_24gy_6fx", "conv_30gy_10fx")
    )
    from apps.dosimetry.engine import summary as engine_summary

    for plan in (fresh, edited):
        dose_summary_compute(plan_id=plan.pk)
    with monkeypatch.context() as patch:
        patch.setattr(engine_summary, "ENGINE_VERSION", "dose-older")
        assert dose_summary_compute(plan_id=old_engine.pk).engine_version == "dose-older"
    catalogue_entry_changed(kind="constraint_set", code=SEED002)
    # then exactly those three need a summary
    assert list(plans_needing_summary().values_list("pk", flat=True)) == [uncomputed.pk, old_engine.pk, edited.pk]
    # and the command computes them, after which nothing is left to do
    out = StringIO()
    call_job_command("recompute_dose_summaries", verbosity=0, stdout=out)
    assert out.getvalue().startswith("3 plan(s) computed, 2 new summaries")  # the edited set's limits are unchanged
    assert not plans_needing_summary().exists()
    assert plans_needing_summary(force=True).count() == 4
