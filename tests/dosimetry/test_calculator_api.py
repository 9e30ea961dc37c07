"""The stateless dose calculators of the public contract: BED/EQD2 (plain and SIB) and re-irradiation."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Personas

DOSE = "/api/v1/calculators/dose/"
REIRRADIATION = "/api/v1/calculators/reirradiation/"

pytestmark = pytest.mark.django_db

#: A parameter value meaning "leave the field out of the body".
MISSING = object()


@pytest.fixture
def client(personas: Personas) -> APIClient:
    return personas.client(personas.radonc)


def dose(client: APIClient, levels: list[dict[str, Any]], alpha_beta: Any) -> Any:
    return client.post(DOSE, {"levels": levels, "alpha_beta": alpha_beta}, format="json")


def reirradiation_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organ": "spinal_cord",
        "alpha_beta": 2,
        "courses": [
            {"fractions": 10, "total_dose_gy": 30, "date": "2024-03-01"},
            {"fractions": 5, "total_dose_gy": 20, "date": "2025-01-15"},
            {"fractions": 1, "total_dose_gy": 8},
        ],
    }
    body.update(overrides)
    return body


# --------------------------------------------------------------------------- dose


def test_dose_has_every_contract_key(client: APIClient) -> None:
    response = dose(client, [{"fractions": 1, "total_dose_gy": 8}], 10)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) >= {"levels", "alpha_beta", "inputs", "source"}
    (level,) = data["levels"]
    assert set(level) >= {"fractions", "total_dose_gy", "dose_per_fraction_gy", "bed_gy", "eqd2_gy"}
    assert level == {
        "fractions": 1,
        "total_dose_gy": 8.0,
        "dose_per_fraction_gy": 8.0,
        "bed_gy": 14.4,
        "eqd2_gy": 12.0,
    }
    assert data["alpha_beta"] == 10
    assert data["is_sib"] is False
    assert data["inputs"] == {"levels": [{"fractions": 1, "total_dose_gy": 8}], "alpha_beta": 10}
    assert "§7" in data["source"]


@pytest.mark.parametrize(
    ("fractions", "total", "alpha_beta", "bed", "eqd2"),
    [
        (1, 8, 10, 14.4, None),
        (5, 20, 10, 28.0, None),
        (10, 30, 10, 39.0, None),
        (2, 24, 10, 52.8, None),
        (5, 35, 10, 59.5, None),
        (10, 34, 0.87, None, 50.6),
        (10, 40, 2, None, 60.0),
    ],
)
def test_dose_worked_checks_of_clinical_rules_section_7(
    client: APIClient, fractions: int, total: float, alpha_beta: float, bed: float | None, eqd2: float | None
) -> None:
    response = dose(client, [{"fractions": fractions, "total_dose_gy": total}], alpha_beta)
    assert response.status_code == 200, response.content
    (level,) = response.json()["levels"]
    if bed is not None:
        assert level["bed_gy"] == pytest.approx(bed, abs=0.1)
    if eqd2 is not None:
        assert level["eqd2_gy"] == pytest.approx(eqd2, abs=0.1)


def test_dose_rounds_to_two_decimals(client: APIClient) -> None:
    (level,) = dose(client, [{"fractions": 10, "total_dose_gy": 34}], 0.87).json()["levels"]
    assert level["eqd2_gy"] == 50.59  # 34 * (3.4 + 0.87) / 2.87 = 50.5854...
    assert level["bed_gy"] == 166.87  # 34 * (1 + 3.4 / 0.87) = 166.8736...


def test_dose_simultaneous_integrated_boost(client: APIClient) -> None:
    levels = [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 10, "total_dose_gy": 40}]
    response = dose(client, levels, 10)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["is_sib"] is True
    assert [(lv["dose_per_fraction_gy"], lv["bed_gy"], lv["eqd2_gy"]) for lv in data["levels"]] == [
        (3.0, 39.0, 32.5),
        (4.0, 56.0, 46.67),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"levels": [{"fractions": 0, "total_dose_gy": 8}], "alpha_beta": 10}, "levels[0].fractions"),
        ({"levels": [{"fractions": 51, "total_dose_gy": 60}], "alpha_beta": 10}, "levels[0].fractions"),
        ({"levels": [{"fractions": 2.5, "total_dose_gy": 8}], "alpha_beta": 10}, "levels[0].fractions"),
        ({"levels": [{"fractions": 5, "total_dose_gy": -20}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 0}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 5, "total_dose_gy": "20"}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": "five", "total_dose_gy": 20}], "alpha_beta": 10}, "levels[0].fractions"),
        ({"levels": [{"fractions": True, "total_dose_gy": 20}], "alpha_beta": 10}, "levels[0].fractions"),
        ({"levels": [{"total_dose_gy": 20}], "alpha_beta": 10}, "levels[0].fractions"),
        ({"levels": [{"fractions": 5}], "alpha_beta": 10}, "levels[0].total_dose_gy"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 20}], "alpha_beta": 0}, "alpha_beta"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 20}], "alpha_beta": -3}, "alpha_beta"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 20}], "alpha_beta": "ten"}, "alpha_beta"),
        ({"levels": [{"fractions": 5, "total_dose_gy": 20}]}, "alpha_beta"),
        ({"alpha_beta": 10}, "levels"),
        ({"levels": [], "alpha_beta": 10}, "levels"),
        ({"levels": "30/10", "alpha_beta": 10}, "levels"),
        ({"levels": [7], "alpha_beta": 10}, "levels[0]"),
        (
            {"levels": [{"fractions": 10, "total_dose_gy": 30}, {"fractions": 5, "total_dose_gy": 40}], "alpha_beta": 10},
            "levels[1].fractions",
        ),
    ],
)
def test_dose_impossible_input_is_400_naming_the_field(client: APIClient, body: dict[str, Any], field: str) -> None:
    response = client.post(DOSE, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert all(isinstance(reason, str) for reason in errors[field])


def test_dose_reports_every_problem_at_once(client: APIClient) -> None:
    body = {"levels": [{"fractions": 0, "total_dose_gy": -1}], "alpha_beta": 0}
    errors = client.post(DOSE, body, format="json").json()
    assert set(errors) == {"levels[0].fractions", "levels[0].total_dose_gy", "alpha_beta"}


def test_dose_body_must_be_an_object(client: APIClient) -> None:
    response = client.post(DOSE, [1, 2], format="json")
    assert response.status_code == 400


# --------------------------------------------------------------------------- re-irradiation


def test_reirradiation_two_prior_courses_exceed_the_cord_limit(client: APIClient) -> None:
    response = client.post(REIRRADIATION, reirradiation_body(), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) >= {"courses", "cumulative_eqd2_gy", "limit_eqd2_gy", "within_limit", "inputs", "source"}
    # EQD2 at alpha/beta 2: 30/10 -> 37.5, 20/5 -> 30.0, 8/1 -> 20.0
    assert [c["eqd2_gy"] for c in data["courses"]] == [37.5, 30.0, 20.0]
    assert [c["share_of_cumulative_pct"] for c in data["courses"]] == [42.86, 34.29, 22.86]
    assert [c["date"] for c in data["courses"]] == ["2024-03-01", "2025-01-15", None]
    assert data["courses"][0]["fractions"] == 10
    assert data["courses"][0]["total_dose_gy"] == 30.0
    assert data["cumulative_eqd2_gy"] == 87.5
    assert data["limit_eqd2_gy"] == 70.0  # the organ's default constraint
    assert data["within_limit"] is False
    assert "Sahgal" in data["limit_source"]


def test_reirradiation_within_a_given_limit(client: APIClient) -> None:
    body = reirradiation_body(limit_eqd2_gy=90)
    data = client.post(REIRRADIATION, body, format="json").json()
    assert data["limit_eqd2_gy"] == 90.0
    assert data["within_limit"] is True


def test_reirradiation_within_default_limit(client: APIClient) -> None:
    courses = [{"fractions": 5, "total_dose_gy": 20}, {"fractions": 1, "total_dose_gy": 8}]
    body = reirradiation_body(courses=courses)
    data = client.post(REIRRADIATION, body, format="json").json()
    assert data["cumulative_eqd2_gy"] == 50.0
    assert data["within_limit"] is True


def test_reirradiation_limit_is_inclusive(client: APIClient) -> None:
    # 40/10 at ab 2 -> 60 + 20/10 -> 20 = 80 at a limit of 80
    body = reirradiation_body(
        limit_eqd2_gy=80,
        courses=[{"fractions": 10, "total_dose_gy": 40}, {"fractions": 10, "total_dose_gy": 20}],
    )
    data = client.post(REIRRADIATION, body, format="json").json()
    assert data["cumulative_eqd2_gy"] == 80.0
    assert data["within_limit"] is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organ": "liver"}, "organ"),
        ({"organ": MISSING}, "organ"),
        ({"organ": 3}, "organ"),
        ({"alpha_beta": 0}, "alpha_beta"),
        ({"alpha_beta": "2"}, "alpha_beta"),
        ({"limit_eqd2_gy": -5}, "limit_eqd2_gy"),
        ({"limit_eqd2_gy": "lots"}, "limit_eqd2_gy"),
        ({"courses": []}, "courses"),
        ({"courses": MISSING}, "courses"),
        ({"courses": {"fractions": 1, "total_dose_gy": 8}}, "courses"),
        ({"courses": [{"fractions": 0, "total_dose_gy": 8}]}, "courses[0].fractions"),
        ({"courses": [{"fractions": 60, "total_dose_gy": 8}]}, "courses[0].fractions"),
        ({"courses": [{"fractions": 1, "total_dose_gy": -8}]}, "courses[0].total_dose_gy"),
        ({"courses": [{"fractions": 1}]}, "courses[0].total_dose_gy"),
        ({"courses": [{"fractions": 1, "total_dose_gy": 8, "date": "last spring"}]}, "courses[0].date"),
    ],
)
def test_reirradiation_impossible_input_is_400(client: APIClient, overrides: dict[str, Any], field: str) -> None:
    body = reirradiation_body(**overrides)
    for name, value in overrides.items():
        if value is MISSING:
            del body[name]
    response = client.post(REIRRADIATION, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_reirradiation_without_alpha_beta_uses_the_organs_ratio(client: APIClient) -> None:
    body = reirradiation_body(organ="spinal_cord")
    del body["alpha_beta"]
    data = client.post(REIRRADIATION, body, format="json").json()
    assert data["alpha_beta"] == 2.0  # spinal cord default (clinical-rules.md section 7)
    assert data["limit_eqd2_gy"] == 70.0


def test_reirradiation_unknown_organ_lists_the_organs(client: APIClient) -> None:
    (message,) = client.post(REIRRADIATION, reirradiation_body(organ="liver"), format="json").json()["organ"]
    assert "spinal_cord" in message and "cauda_equina" in message


# --------------------------------------------------------------------------- auth and schema


@pytest.mark.parametrize("url", [DOSE, REIRRADIATION])
def test_anonymous_is_401(url: str) -> None:
    response = APIClient().post(url, {"levels": [{"fractions": 1, "total_dose_gy": 8}], "alpha_beta": 10}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["coordinator", "surgeon", "outsider", "administrator"])
def test_any_authenticated_user_may_calculate(personas: Personas, role: str) -> None:
    response = dose(personas.client(getattr(personas, role)), [{"fractions": 1, "total_dose_gy": 8}], 10)
    assert response.status_code == 200


def test_schema_generates_with_the_dose_calculators(personas: Personas) -> None:
    response = personas.client(personas.radonc).get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/calculators/dose/" in body
    assert "/api/v1/calculators/reirradiation/" in body
