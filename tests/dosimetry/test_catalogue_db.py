"""Regimen catalogue and constraint sets as data: the seed migration, the read API, admin audit."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.dosimetry.admin import ConstraintSetAdmin, RegimenAdmin
from apps.dosimetry.engine import catalogue
from apps.dosimetry.engine.lq import bed, round_half_up
from apps.dosimetry.models import ConstraintSet, OrganConstraint, Regimen
from tests.dosimetry.admin_forms import constraint_set_form, regimen_form
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGIMENS_URL = "/api/v1/regimens/"
SETS_URL = "/api/v1/constraint-sets/"


@pytest.fixture
def client_user() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.RADIATION_ONCOLOGIST))
    return client


@pytest.fixture
def superuser():
    user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    return user


def _add_regimens(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        Regimen.objects.create(
            code=f"extra-{i}",
            name=f"Extra {i}",
            category="conventional",
            fractions=5,
            levels=[{"total_dose_gy": 20.0, "target": ""}],
            technique="conventional",
            intent="palliative",
        )


def test_migration_loaded_every_regimen_and_constraint_set() -> None:
    stored = {r.code: r for r in Regimen.objects.all()}
    assert set(stored) >= {r.code for r in catalogue.REGIMENS}
    for reg in catalogue.REGIMENS:
        row = stored[reg.code]
        assert row.fractions == reg.fractions
        assert row.technique == reg.technique.value
        assert row.intent == reg.intent.value
        assert row.levels == [{"total_dose_gy": lv.total_dose_gy, "target": lv.target} for lv in reg.levels]
        assert row.indication_list == list(reg.indications)
        assert row.active
    sets = {s.code: s for s in ConstraintSet.objects.prefetch_related("constraints")}
    assert set(sets) >= {s.code for s in catalogue.CONSTRAINT_SETS}
    for cset in catalogue.CONSTRAINT_SETS:
        codes = {c.code for c in sets[cset.code].constraints.all()}
        assert codes == {c.code for c in cset.constraints}
    sample = catalogue.CONSTRAINT_SETS[0].constraints[0]
    row = OrganConstraint.objects.get(code=sample.code)
    assert (row.organ, row.metric, row.limit, row.unit, row.direction) == (
        sample.organ,
        sample.metric.value,
        sample.limit,
        sample.unit.value,
        sample.direction.value,
    )


def test_regimen_list_requires_authentication() -> None:
    assert APIClient().get(REGIMENS_URL).status_code == 401
    assert APIClient().get(SETS_URL).status_code == 401
    code = catalogue.REGIMENS[0].code
    assert APIClient().get(f"{REGIMENS_URL}{code}/").status_code == 401


def test_regimen_list_and_detail_with_bed10(client_user: APIClient) -> None:
    response = client_user.get(REGIMENS_URL, {"page_size": 100})
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    assert len(rows) == len(catalogue.REGIMENS)
    reg = catalogue.REGIMENS[0]
    detail = client_user.get(f"{REGIMENS_URL}{reg.code}/")
    assert detail.status_code == 200
    data = detail.json()
    assert data["code"] == reg.code
    expected = [round_half_up(bed(lv.total_dose_gy, reg.fractions, 10.0), 2) for lv in reg.levels]
    assert [lv["bed10_gy"] for lv in data["levels"]] == expected
    assert client_user.get(f"{REGIMENS_URL}no-such-code/").status_code == 404


def test_constraint_sets_nested(client_user: APIClient) -> None:
    response = client_user.get(SETS_URL)
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    by_code = {row["code"]: row for row in rows}
    for cset in catalogue.CONSTRAINT_SETS:
        assert {c["code"] for c in by_code[cset.code]["constraints"]} == {c.code for c in cset.constraints}


def test_filters(client_user: APIClient) -> None:
    def codes(**params: object) -> set[str]:
        body = client_user.get(REGIMENS_URL, {"page_size": 100, **params}).json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        return {row["code"] for row in rows}

    assert codes(technique="sbrt") == {r.code for r in catalogue.REGIMENS if r.technique.value == "sbrt"}
    assert codes(intent="palliative") == {r.code for r in catalogue.REGIMENS if r.intent.value == "palliative"}
    assert codes(fractions=10) == {r.code for r in catalogue.REGIMENS if r.fractions == 10}
    assert codes(fractions=1, technique="conventional") == {
        r.code for r in catalogue.REGIMENS if r.fractions == 1 and r.technique.value == "conventional"
    }
    assert client_user.get(REGIMENS_URL, {"technique": "bogus"}).status_code == 400


def test_query_count_constant(client_user: APIClient, django_assert_num_queries) -> None:
    Regimen.objects.exclude(code__in=[r.code for r in catalogue.REGIMENS[:2]]).delete()
    ConstraintSet.objects.exclude(code=catalogue.CONSTRAINT_SETS[0].code).delete()
    client_user.get(REGIMENS_URL)  # warm up (content types, session...)
    client_user.get(SETS_URL)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few_regimens:
        assert client_user.get(REGIMENS_URL).status_code == 200
    with CaptureQueriesContext(connection) as few_sets:
        assert client_user.get(SETS_URL).status_code == 200

    _add_regimens(10)
    for i in range(5):
        cset = ConstraintSet.objects.create(code=f"extra-set-{i}", name=f"Extra set {i}")
        for j in range(3):
            OrganConstraint.objects.create(
                set=cset, code=f"c{j}", organ="spinal_cord", metric="Dmax", limit=30.0, unit="gy", direction="max"
            )

    with django_assert_num_queries(len(few_regimens)):
        assert len(client_user.get(REGIMENS_URL).json()["results"]) == 12
    with django_assert_num_queries(len(few_sets)):
        assert len(client_user.get(SETS_URL).json()["results"]) == 6


def test_admin_change_form_writes_audit_row(superuser) -> None:
    regimen = Regimen.objects.get(code=catalogue.REGIMENS[0].code)
    client = Client()
    client.force_login(superuser)
    url = f"/admin/dosimetry/regimen/{regimen.pk}/change/"
    assert client.get(url).status_code == 200
    data = regimen_form(
        regimen,
        name="Renamed regimen",
        levels='[{"total_dose_gy": 8.0, "target": ""}]',
        cautions="[]",
        dose_range_gy="null",
        range_label="",
        constraint_set="",
        active="",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    regimen.refresh_from_db()
    assert regimen.name == "Renamed regimen" and not regimen.active
    entry = AuditEntry.objects.get(event=AuditEvent.REGIMEN_CHANGED, subject_id=str(regimen.pk))
    assert entry.actor == superuser
    assert entry.before["active"] is True and entry.after["active"] is False
    assert entry.after["name"] == "Renamed regimen"


def test_admin_save_model_constraint_set_writes_audit_row(superuser) -> None:
    from django.contrib import admin as django_admin

    cset = ConstraintSet.objects.get(code=catalogue.CONSTRAINT_SETS[0].code)
    request = RequestFactory().post("/admin/")
    request.user = superuser
    model_admin = ConstraintSetAdmin(ConstraintSet, django_admin.site)
    cset.name = "Edited set"
    model_admin.save_model(request, cset, form=None, change=True)
    entry = AuditEntry.objects.get(event=AuditEvent.CONSTRAINT_SET_CHANGED, subject_id=str(cset.pk))
    assert entry.before["name"] != "Edited set" and entry.after["name"] == "Edited set"
    assert len(entry.after["constraints"]) == len(catalogue.CONSTRAINT_SETS[0].constraints)

    regimen = Regimen(
        code="new-one",
        name="New",
        category="conventional",
        fractions=1,
        levels=[{"total_dose_gy": 8.0}],
        technique="conventional",
        intent="palliative",
    )
    RegimenAdmin(Regimen, django_admin.site).save_model(request, regimen, form=None, change=False)
    entry = AuditEntry.objects.get(event=AuditEvent.REGIMEN_CHANGED, subject_id=str(regimen.pk))
    assert entry.before is None and entry.after["code"] == "new-one"


def test_non_admin_cannot_open_admin() -> None:
    user = UserFactory(role=Role.RADIATION_ONCOLOGIST, is_staff=True)
    client = Client()
    client.force_login(user)
    # The admin site itself refuses a clinician, even one made staff by mistake: back to its sign-in page.
    response = client.get("/admin/dosimetry/regimen/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_admin_constraint_set_change_form_audits_once_with_inlines(superuser) -> None:
    cset = ConstraintSet.objects.get(code=catalogue.CONSTRAINT_SETS[0].code)
    constraints = list(cset.constraints.order_by("id"))
    client = Client()
    client.force_login(superuser)
    url = f"/admin/dosimetry/constraintset/{cset.pk}/change/"
    assert client.get(url).status_code == 200
    data = constraint_set_form(cset, {constraints[0].code: {"limit": 33.0}})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert OrganConstraint.objects.get(pk=constraints[0].pk).limit == 33.0
    entry = AuditEntry.objects.get(event=AuditEvent.CONSTRAINT_SET_CHANGED, subject_id=str(cset.pk))
    assert entry.before["constraints"][0]["limit"] == constraints[0].limit
    assert entry.after["constraints"][0]["limit"] == 33.0
