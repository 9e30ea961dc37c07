"""The pages: login required, scoped like the API, constant queries on the case page."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_pages_need_login(personas: Personas) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_case_page_shows_the_case_and_is_scoped(personas: Personas) -> None:
    case = CaseFactory(board=personas.board, question="Fix the femur?")
    LesionFactory(case=case)
    page = logged_in(personas.radiologist).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert b"Fix the femur?" in page.content
    assert b"Trial matches" in page.content
    assert logged_in(personas.other_member).get(f"/cases/{case.pk}/").status_code == 404


def test_case_page_query_count_does_not_grow_with_lesions(personas: Personas, django_assert_max_num_queries: Callable) -> None:  # type: ignore[type-arg]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = logged_in(personas.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cases/{case.pk}/")
    LesionFactory.create_batch(10, case=case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/cases/{case.pk}/")


def test_login_page_renders() -> None:
    assert Client().get("/login/").status_code == 200


def test_case_page_shows_each_planned_course_with_its_figures_and_constant_queries(
    personas: Personas,
    django_assert_num_queries: Callable,  # type: ignore[type-arg]
) -> None:
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.cases.models import PriorRadiotherapyCourse
    from apps.dosimetry.services import dose_summary_compute, plan_create

    # given a case re-irradiated at T10 with a planned 24 Gy/2 SBRT (cord Dmax 12 Gy)
    case = CaseFactory(board=personas.board)
    PriorRadiotherapyCourse.objects.create(case=case, region="T10", total_dose_gy=30, fractions=10, date=date(2025, 1, 1))
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={
            "name": "SBRT T10",
            "regimen_code": "sbrt_spine_24gy_2fx",
            "region": "T10",
            "oar_metrics": {"spinal_cord": {"Dmax": 12.0}},
            "planned_date": date(2026, 1, 1),
        },
    )
    dose_summary_compute(plan_id=plan.pk)
    client = logged_in(personas.radonc)
    url = f"/cases/{case.pk}/"
    with CaptureQueriesContext(connection) as one_plan:
        page = client.get(url)
    html = page.content.decode()
    # then the page shows the level's BED10, the intent thresholds as comparisons, the cord check and the
    # re-irradiation sum (30 Gy/10 -> 37.5 + 12 Gy/2 -> 24.0 = 61.5 Gy EQD2 at alpha/beta 2, limit 70)
    assert "SBRT T10" in html
    assert "52.8 Gy" in html
    assert "&gt;= 75.0 Gy: <strong>not met</strong>" in html
    assert 'class="badge check-pass">pass' in html
    assert "61.5 Gy" in html and "limit 70.0 Gy: <strong>within</strong>" in html
    # and the query count does not grow with more plans
    for code in ("conv_8gy_1fx", "conv_30gy_10fx"):
        dose_summary_compute(plan_id=plan_create(actor=personas.radonc, case=case, data={"regimen_code": code}).pk)
    with django_assert_num_queries(len(one_plan.captured_queries)):
        assert client.get(url).content.decode().count('<article class="plan">') == 3
