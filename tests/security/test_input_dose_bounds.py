"""Dose maths bounds (issue 15): absurd figures are a 400 naming the field, never a 500, and an absurd plan
is refused before it reaches the worker. Property test: any float into any calculator gives 200 or 400."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.dosimetry.models import RadiotherapyPlan
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory, UserFactory

pytestmark = pytest.mark.django_db
DOSE = "/api/v1/calculators/dose/"
REIRRADIATION = "/api/v1/calculators/reirradiation/"


def _post(client: APIClient, url: str, body: Any) -> Any:
    # json.dumps writes NaN/Infinity as bare tokens, which the API must refuse as JSON (a 400 too).
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"levels": [{"fractions": 1, "total_dose_gy": 1e14}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 250}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 1, "total_dose_gy": 40}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 10, "total_dose_gy": 30}], "alpha_beta": 1e30}, "alpha_beta"),
        ({"levels": [{"fractions": 10, "total_dose_gy": 30}], "alpha_beta": 0.1}, "alpha_beta"),
    ],
)
def test_absurd_doses_are_a_400_naming_the_field(personas: Personas, body: dict[str, Any], field: str) -> None:
    response = _post(personas.client(personas.radonc), DOSE, body)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_the_bounds_keep_real_regimens(personas: Personas) -> None:
    client = personas.client(personas.radonc)
    for n, d, ab in ((1, 24, 10), (1, 8, 0.87), (44, 88, 2), (50, 100, 10), (5, 40, 50)):
        response = _post(client, DOSE, {"levels": [{"fractions": n, "total_dose_gy": d}], "alpha_beta": ab})
        assert response.status_code == 200, (n, d, ab, response.content)


def test_reirradiation_bounds_name_the_course_and_the_limit(personas: Personas) -> None:
    body = {
        "organ": "spinal_cord",
        "alpha_beta": 1e30,
        "limit_eqd2_gy": 1e14,
        "courses": [{"fractions": 1, "total_dose_gy": 1e14}, {"fractions": 5, "total_dose_gy": 30}],
    }
    response = _post(personas.client(personas.radonc), REIRRADIATION, body)
    assert response.status_code == 400
    assert {"alpha_beta", "limit_eqd2_gy", "courses[0].total_dose_gy"} <= set(response.json())


def test_an_absurd_plan_never_reaches_the_worker(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = personas.client(personas.radonc)
    url = f"/api/v1/cases/{case.pk}/radiotherapy-plans/"
    for body, field in (
        ({"levels": [{"fractions": 1, "total_dose_gy": 1e14}]}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 10, "total_dose_gy": 30}], "alpha_beta": 1e30}, "alpha_beta"),
        ({"levels": [{"fractions": 10, "total_dose_gy": 30}], "oar_metrics": {"cord": {"Dmax": 1e14}}}, "oar_metrics.cord.Dmax"),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
    assert not RadiotherapyPlan.objects.exists()


def test_the_database_refuses_an_out_of_bounds_alpha_beta(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    with pytest.raises(IntegrityError), transaction.atomic():
        RadiotherapyPlan.objects.create(case=case, levels=[{"fractions": 10, "total_dose_gy": 30}], alpha_beta=1e30)


any_float = st.floats(allow_nan=True, allow_infinity=True) | st.integers(min_value=-(10**30), max_value=10**30)


@settings(max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=any_float, d=any_float, ab=any_float, limit=any_float, mm=any_float)
def test_any_number_into_any_calculator_is_200_or_400(db: None, n: Any, d: Any, ab: Any, limit: Any, mm: Any) -> None:
    user = UserFactory(username="calc-user")
    client = APIClient()
    client.force_authenticate(user)
    bodies = [
        (DOSE, {"levels": [{"fractions": n, "total_dose_gy": d}], "alpha_beta": ab}),
        (
            REIRRADIATION,
            {
                "organ": "spinal_cord",
                "alpha_beta": ab,
                "limit_eqd2_gy": limit,
                "courses": [{"fractions": n, "total_dose_gy": d}, {"fractions": 1, "total_dose_gy": d}],
            },
        ),
        ("/api/v1/calculators/high-risk-asymptomatic/", {"site": "femur", "max_diameter_mm": mm, "symptomatic": False}),
        (
            "/api/v1/calculators/tokuhashi/",
            {"karnofsky_performance_status": n, "extraspinal_bone_metastases_count": d, "vertebral_metastases_count": ab},
        ),
        ("/api/v1/calculators/sins/", {"level_from": "L1", "spinal_pain": n}),
        ("/api/v1/calculators/mirels/", {"site": "femur", "pain": mm}),
    ]
    try:
        for url, body in bodies:
            response = _post(client, url, body)
            assert response.status_code in (200, 400), (url, body, response.status_code, response.content[:300])
    finally:
        user.delete()
