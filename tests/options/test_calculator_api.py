"""The prognosis calculators of the contract's second part: tokuhashi and tomita."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Personas

TOKUHASHI = "/api/v1/calculators/tokuhashi/"
TOMITA = "/api/v1/calculators/tomita/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(personas: Personas) -> APIClient:
    return personas.client(personas.surgeon)


def tokuhashi_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "karnofsky_performance_status": 80,
        "extraspinal_bone_metastases_count": 1,
        "vertebral_metastases_count": 2,
        "major_organ_metastases": "none",
        "primary_histology": "breast",
        "frankel_grade": "E",
    }
    body.update(overrides)
    return body


def test_tokuhashi_complete_input(client: APIClient) -> None:
    response = client.post(TOKUHASHI, tokuhashi_body(), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    # 2 + 1 + 1 + 2 + 5 + 2
    assert data["score"] == 13
    assert data["possible_range"] == [13, 13]
    assert data["band"] == "gte_12_months"
    assert data["components"]["primary_site"]["points"] == 5
    assert "Tokuhashi" in data["source"]
    assert data["inputs"]["primary_histology"] == "breast"


def test_tokuhashi_colorectal_without_subsite_gives_the_range(client: APIClient) -> None:
    response = client.post(TOKUHASHI, tokuhashi_body(primary_histology="colorectal"), format="json")
    data = response.json()
    assert response.status_code == 200
    assert data["score"] is None
    assert data["possible_range"] == [10, 12]
    assert data["band"] is None
    response = client.post(TOKUHASHI, tokuhashi_body(primary_histology="colorectal", primary_subsite="rectum"), format="json")
    assert response.json()["score"] == 12


def test_tokuhashi_missing_fields_are_unknown_not_errors(client: APIClient) -> None:
    response = client.post(TOKUHASHI, {}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["score"] is None
    assert data["possible_range"] == [0, 15]
    assert data["band"] is None


@pytest.mark.parametrize("value", [55, 0, 110, 5])
def test_tokuhashi_karnofsky_off_the_grid_is_a_400(client: APIClient, value: int) -> None:
    response = client.post(TOKUHASHI, tokuhashi_body(karnofsky_performance_status=value), format="json")
    assert response.status_code == 400
    assert "karnofsky_performance_status" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vertebral_metastases_count", 0),
        ("extraspinal_bone_metastases_count", -1),
        ("major_organ_metastases", "some"),
        ("primary_histology", "lungs"),
        ("frankel_grade", "F"),
        ("primary_subsite", "caecum"),
    ],
)
def test_tokuhashi_bad_values_name_the_field(client: APIClient, field: str, value: Any) -> None:
    response = client.post(TOKUHASHI, tokuhashi_body(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_tokuhashi_subsite_must_match_the_histology(client: APIClient) -> None:
    response = client.post(TOKUHASHI, tokuhashi_body(primary_subsite="rectum"), format="json")
    assert response.status_code == 400
    assert "primary_subsite" in response.json()
    response = client.post(TOKUHASHI, tokuhashi_body(primary_histology="sarcoma", primary_subsite="colon"), format="json")
    assert response.status_code == 400
    assert "primary_subsite" in response.json()
    response = client.post(TOKUHASHI, tokuhashi_body(primary_histology="sarcoma", primary_subsite="osteosarcoma"), format="json")
    assert response.status_code == 200
    assert response.json()["components"]["primary_site"]["points"] == 0


def test_unknown_code_lists_the_allowed_codes(client: APIClient) -> None:
    response = client.post(TOKUHASHI, tokuhashi_body(frankel_grade="F"), format="json")
    assert "Allowed: A, B, C, D, E" in response.json()["frankel_grade"][0]


def test_tomita_contract_shape(client: APIClient) -> None:
    body = {"primary_growth": "moderate", "visceral_metastases": "treatable", "bone_metastases": "multiple"}
    response = client.post(TOMITA, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["score"] == 6
    assert data["strategy"] == "palliative_surgery"
    assert data["components"]["visceral_metastases"]["points"] == 2
    assert "Tomita" in data["source"]


@pytest.mark.parametrize("field", ["primary_growth", "visceral_metastases", "bone_metastases"])
def test_tomita_needs_every_field(client: APIClient, field: str) -> None:
    body = {"primary_growth": "slow", "visceral_metastases": "none", "bone_metastases": "solitary"}
    del body[field]
    response = client.post(TOMITA, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_tomita_bad_code_is_a_400(client: APIClient) -> None:
    body = {"primary_growth": "fast", "visceral_metastases": "none", "bone_metastases": "solitary"}
    response = client.post(TOMITA, body, format="json")
    assert response.status_code == 400
    assert "primary_growth" in response.json()


@pytest.mark.parametrize("url", [TOKUHASHI, TOMITA])
def test_calculators_need_credentials(url: str) -> None:
    assert APIClient().post(url, {}, format="json").status_code == 401


@pytest.mark.parametrize("url", [TOKUHASHI, TOMITA])
def test_any_signed_in_user_may_calculate(personas: Personas, url: str) -> None:
    client = personas.client(personas.outsider)
    # Each calculator gets its own inputs: an unknown field is a 400 since issue 15 (it was ignored before).
    body = (
        tokuhashi_body()
        if url == TOKUHASHI
        else {"primary_growth": "slow", "visceral_metastases": "none", "bone_metastases": "solitary"}
    )
    assert client.post(url, body, format="json").status_code == 200
