"""The stateless risk calculators of the public contract: Mirels, SINS, high-risk asymptomatic."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import Personas

MIRELS = "/api/v1/calculators/mirels/"
SINS = "/api/v1/calculators/sins/"
HIGH_RISK = "/api/v1/calculators/high-risk-asymptomatic/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(personas: Personas) -> APIClient:
    return personas.client(personas.surgeon)


def mirels_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "site": "femur",
        "subsite": "peritrochanteric",
        "pain": "functional",
        "radiographic_type": "lytic",
        "cortical_involvement": "gt_two_thirds",
    }
    body.update(overrides)
    return body


def sins_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "level_from": "T5",
        "spinal_pain": "none",
        "radiographic_type": "blastic",
        "alignment": "normal",
        "vertebral_collapse": "none",
        "posterolateral_involvement": "none",
    }
    body.update(overrides)
    return body


# --------------------------------------------------------------------------- Mirels


def test_mirels_worked_example_has_every_contract_key(client: APIClient) -> None:
    response = client.post(MIRELS, mirels_body(), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    for key in ("applicable", "score", "category", "components", "inputs", "source"):
        assert key in data
    assert data["applicable"] is True
    assert data["score"] == 12
    assert data["category"] == "impending_fracture"
    assert {name: c["points"] for name, c in data["components"].items()} == {
        "site": 3,
        "pain": 3,
        "lesion": 3,
        "size": 3,
    }
    assert data["inputs"] == mirels_body()
    assert "Mirels" in data["source"]


@pytest.mark.parametrize(
    ("body", "score", "category"),
    [
        # humerus 1 + moderate 2 + mixed 2 + 1/3-2/3 2 = 7
        (
            mirels_body(
                site="humerus",
                subsite="shaft",
                pain="moderate",
                radiographic_type="mixed",
                cortical_involvement="one_third_to_two_thirds",
            ),
            7,
            "low_risk",
        ),
        # femur shaft 2 + moderate 2 + mixed 2 + 1/3-2/3 2 = 8
        (
            mirels_body(
                subsite="shaft", pain="moderate", radiographic_type="mixed", cortical_involvement="one_third_to_two_thirds"
            ),
            8,
            "borderline",
        ),
        # femur shaft 2 + moderate 2 + lytic 3 + 1/3-2/3 2 = 9
        (mirels_body(subsite="shaft", pain="moderate", cortical_involvement="one_third_to_two_thirds"), 9, "impending_fracture"),
        # tibia without subsite: 2 + mild 1 + blastic 1 + <1/3 1 = 5
        (
            mirels_body(
                site="tibia", subsite=None, pain="mild", radiographic_type="blastic", cortical_involvement="lt_one_third"
            ),
            5,
            "low_risk",
        ),
    ],
)
def test_mirels_boundaries_7_8_9(client: APIClient, body: dict[str, Any], score: int, category: str) -> None:
    data = client.post(MIRELS, body, format="json").json()
    assert (data["score"], data["category"]) == (score, category)


def test_mirels_subsite_is_optional(client: APIClient) -> None:
    body = mirels_body(site="humerus")
    del body["subsite"]
    response = client.post(MIRELS, body, format="json")
    assert response.status_code == 200
    assert response.json()["score"] == 10
    assert response.json()["inputs"]["subsite"] is None


def test_mirels_non_applicable_site(client: APIClient) -> None:
    response = client.post(MIRELS, mirels_body(site="thoracic_spine", subsite=None), format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["applicable"] is False
    assert data["score"] is None
    assert data["category"] is None
    assert "components" in data


def test_mirels_unknown_code_lists_allowed_codes(client: APIClient) -> None:
    response = client.post(MIRELS, mirels_body(pain="agonising"), format="json")
    assert response.status_code == 400
    (message,) = response.json()["pain"]
    assert message.startswith('"agonising" is not a valid code. Allowed: ')
    assert "functional" in message


@pytest.mark.parametrize("field", ["site", "pain", "radiographic_type", "cortical_involvement"])
def test_mirels_missing_required_field(client: APIClient, field: str) -> None:
    body = mirels_body()
    del body[field]
    response = client.post(MIRELS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_mirels_bad_subsite_code(client: APIClient) -> None:
    response = client.post(MIRELS, mirels_body(subsite="elbow"), format="json")
    assert response.status_code == 400
    assert "subsite" in response.json()


# --------------------------------------------------------------------------- SINS


def test_sins_has_every_contract_key(client: APIClient) -> None:
    response = client.post(SINS, sins_body(), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    for key in ("score", "category", "surgical_consultation", "components", "inputs", "source"):
        assert key in data
    assert set(data["components"]) == {
        "location",
        "pain",
        "bone_lesion",
        "alignment",
        "vertebral_collapse",
        "posterolateral_involvement",
    }
    assert data["score"] == 1  # semi-rigid T5, everything else 0
    assert data["category"] == "stable"
    assert data["surgical_consultation"] is False
    assert data["inputs"]["level_to"] is None
    assert "Fourney" in data["source"]


@pytest.mark.parametrize(
    ("body", "score", "category", "consult"),
    [
        # T5 1 + mechanical 3 + lytic 2 = 6
        (sins_body(spinal_pain="mechanical", radiographic_type="lytic"), 6, "stable", False),
        # T5 1 + mechanical 3 + lytic 2 + unilateral 1 = 7
        (
            sins_body(spinal_pain="mechanical", radiographic_type="lytic", posterolateral_involvement="unilateral"),
            7,
            "indeterminate",
            True,
        ),
        # L1 3 + mechanical 3 + lytic 2 + <50% 2 + unilateral 1 + normal 0 = 11; + bilateral (3) = 13
        (
            sins_body(
                level_from="L1",
                spinal_pain="mechanical",
                radiographic_type="lytic",
                vertebral_collapse="lt50_collapse",
                posterolateral_involvement="bilateral",
                alignment="normal",
            ),
            13,
            "unstable",
            True,
        ),
        # C3-C5 2 + mechanical 3 + lytic 2 + <50% 2 + bilateral 3 = 12
        (
            sins_body(
                level_from="C3",
                level_to="C5",
                spinal_pain="mechanical",
                radiographic_type="lytic",
                vertebral_collapse="lt50_collapse",
                posterolateral_involvement="bilateral",
            ),
            12,
            "indeterminate",
            True,
        ),
    ],
)
def test_sins_boundaries(client: APIClient, body: dict[str, Any], score: int, category: str, consult: bool) -> None:
    response = client.post(SINS, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["score"], data["category"], data["surgical_consultation"]) == (score, category, consult)


def test_sins_span_takes_the_highest_location(client: APIClient) -> None:
    data = client.post(SINS, sins_body(level_from="T10", level_to="T12"), format="json").json()
    assert data["components"]["location"]["points"] == 3
    assert data["inputs"]["level_to"] == "T12"


def test_sins_level_to_above_level_from_is_400_on_level_to(client: APIClient) -> None:
    response = client.post(SINS, sins_body(level_from="L2", level_to="T12"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["level_to"]


def test_sins_unknown_codes(client: APIClient) -> None:
    response = client.post(SINS, sins_body(level_from="T13", alignment="wonky"), format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["level_from"][0].startswith('"T13" is not a valid code. Allowed: C1, ')
    assert "subluxation_translation" in data["alignment"][0]


@pytest.mark.parametrize(
    "field",
    ["level_from", "spinal_pain", "radiographic_type", "alignment", "vertebral_collapse", "posterolateral_involvement"],
)
def test_sins_missing_required_field(client: APIClient, field: str) -> None:
    body = sins_body()
    del body[field]
    response = client.post(SINS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --------------------------------------------------------------------------- high-risk asymptomatic


def test_high_risk_contract_keys_and_criteria(client: APIClient) -> None:
    body = {
        "site": "femur",
        "subsite": "femoral_neck",
        "max_diameter_mm": 35,
        "cortical_involvement": "lt_one_third",
        "symptomatic": False,
    }
    response = client.post(HIGH_RISK, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["high_risk"] is True
    assert set(data["criteria_met"]) == {"bulky", "joint"}
    assert set(data["criteria_met"]) <= {
        "bulky",
        "joint",
        "long_bone_cortical",
        "junctional_spine",
        "posterior_elements",
    }
    assert data["inputs"]["subsite"] == "femoral_neck"
    assert "Gillespie" in data["source"]


def test_high_risk_spine_junctional_and_posterior(client: APIClient) -> None:
    body = {
        "site": "thoracic_spine",
        "level_from": "T11",
        "level_to": "T12",
        "max_diameter_mm": 10,
        "posterior_element_involvement": True,
        "symptomatic": False,
    }
    data = client.post(HIGH_RISK, body, format="json").json()
    assert data["high_risk"] is True
    assert set(data["criteria_met"]) == {"junctional_spine", "posterior_elements"}


def test_high_risk_none_met(client: APIClient) -> None:
    body = {"site": "rib", "max_diameter_mm": 12, "cortical_involvement": "lt_one_third", "symptomatic": False}
    data = client.post(HIGH_RISK, body, format="json").json()
    assert data["criteria_met"] == []
    assert data["high_risk"] is False


def test_high_risk_invalid_input(client: APIClient) -> None:
    response = client.post(HIGH_RISK, {"subsite": "moon"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"site", "subsite"}
    reversed_span = {"site": "lumbar_spine", "level_from": "L3", "level_to": "L1"}
    response = client.post(HIGH_RISK, reversed_span, format="json")
    assert response.status_code == 400
    assert "level_to" in response.json()
    response = client.post(HIGH_RISK, {"site": "femur", "max_diameter_mm": -3}, format="json")
    assert response.status_code == 400
    assert "max_diameter_mm" in response.json()


# --------------------------------------------------------------------------- auth and schema


@pytest.mark.parametrize("url", [MIRELS, SINS, HIGH_RISK])
def test_anonymous_is_401(url: str) -> None:
    response = APIClient().post(url, mirels_body(), format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["coordinator", "radonc", "pathologist", "outsider", "administrator"])
def test_any_authenticated_user_may_calculate(personas: Personas, role: str) -> None:
    response = personas.client(getattr(personas, role)).post(MIRELS, mirels_body(), format="json")
    assert response.status_code == 200


def test_schema_generates(personas: Personas) -> None:
    response = personas.client(personas.surgeon).get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/calculators/mirels/", "/api/v1/calculators/sins/", "/api/v1/calculators/high-risk-asymptomatic/"):
        assert path in body


@pytest.mark.parametrize(
    ("body", "high_risk", "category", "missing"),
    [
        # nothing met, posterior elements not recorded on a spinal lesion: not flagged, undetermined
        (
            {"site": "thoracic_spine", "level_from": "T6", "max_diameter_mm": 10, "symptomatic": False},
            False,
            None,
            ["posterior_element_involvement"],
        ),
        # nothing met, no subsite on a femur (could be the femoral neck): not flagged, undetermined
        (
            {"site": "femur", "max_diameter_mm": 10, "cortical_involvement": "lt_one_third", "symptomatic": False},
            False,
            None,
            ["subsite"],
        ),
        # a criterion met, symptoms not recorded: flagged, and the symptoms are asked for
        (
            {"site": "femur", "subsite": "femoral_neck", "max_diameter_mm": 10, "cortical_involvement": "lt_one_third"},
            True,
            "high_risk",
            ["symptomatic"],
        ),
    ],
)
def test_high_risk_is_always_a_bool_and_unknowns_are_said_separately(
    client: APIClient, body: dict[str, Any], high_risk: bool, category: str | None, missing: list[str]
) -> None:
    data = client.post(HIGH_RISK, body, format="json").json()
    assert data["high_risk"] is high_risk
    assert data["category"] == category
    assert data["missing"] == missing


@pytest.mark.parametrize(
    ("symptoms", "high_risk", "burden"),
    [
        ("asymptomatic", True, "asymptomatic"),
        ("minimally_symptomatic", True, "minimally_symptomatic"),
        ("symptomatic", False, "symptomatic"),
    ],
)
def test_high_risk_accepts_the_symptom_burden(client: APIClient, symptoms: str, high_risk: bool, burden: str) -> None:
    # Given a bulky femoral-neck lesion described by its symptom burden only (no symptomatic bool)
    body = {"site": "femur", "subsite": "femoral_neck", "max_diameter_mm": 35, "symptoms": symptoms}
    response = client.post(HIGH_RISK, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    # Then minimally symptomatic lesions are flagged like asymptomatic ones, symptomatic ones are not
    assert data["high_risk"] is high_risk
    assert data["symptoms"] == burden
    assert data["inputs"]["symptoms"] == symptoms
    assert "symptomatic" not in data["missing"]


@pytest.mark.parametrize(("symptoms", "symptomatic"), [("minimally_symptomatic", True), ("symptomatic", False)])
def test_high_risk_refuses_contradicting_symptom_fields(client: APIClient, symptoms: str, symptomatic: bool) -> None:
    body = {"site": "rib", "max_diameter_mm": 35, "symptoms": symptoms, "symptomatic": symptomatic}
    response = client.post(HIGH_RISK, body, format="json")
    assert response.status_code == 400
    assert "symptoms" in response.json()


def test_high_risk_rejects_an_unknown_symptom_code(client: APIClient) -> None:
    response = client.post(HIGH_RISK, {"site": "rib", "symptoms": "sometimes"}, format="json")
    assert response.status_code == 400
    assert "minimally_symptomatic" in str(response.json()["symptoms"])


def test_high_risk_without_symptoms_keeps_the_contract_answer(client: APIClient) -> None:
    body = {"site": "rib", "max_diameter_mm": 35, "symptomatic": False}
    data = client.post(HIGH_RISK, body, format="json").json()
    assert data["high_risk"] is True and data["criteria_met"] == ["bulky"]
    assert data["symptoms"] == "asymptomatic_or_minimally_symptomatic"
