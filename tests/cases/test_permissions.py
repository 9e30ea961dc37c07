"""Every intake endpoint with every persona: member, other board's member, outsider, administrator, anonymous."""

from __future__ import annotations

import pytest

from apps.cases.models import Case
from tests.cases.test_case_api import URL, create_case, new_case_payload
from tests.conftest import Personas

CLINICAL_ROLES = ("coordinator", "surgeon", "radonc", "medonc", "radiologist", "pathologist")


@pytest.fixture
def case_id(personas: Personas) -> int:
    return int(create_case(personas)["id"])


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/patients/", "/api/v1/boards/"])
def test_anonymous_gets_401(personas: Personas, path: str) -> None:
    assert personas.client(None).get(path).status_code == 401


def test_anonymous_detail_and_write_get_401(personas: Personas, case_id: int) -> None:
    anonymous = personas.client(None)
    assert anonymous.get(f"{URL}{case_id}/").status_code == 401
    assert anonymous.post(URL, new_case_payload(personas.board.pk), format="json").status_code == 401
    assert anonymous.patch(f"{URL}{case_id}/", {"ecog": 1}, format="json").status_code == 401


@pytest.mark.parametrize("role", CLINICAL_ROLES)
def test_every_clinical_member_reads_and_edits_own_board_cases(personas: Personas, case_id: int, role: str) -> None:
    client = personas.client(getattr(personas, role))
    assert client.get(f"{URL}{case_id}/").status_code == 200
    assert [row["id"] for row in client.get(URL).json()["results"]] == [case_id]
    etag = client.get(f"{URL}{case_id}/")["ETag"]
    assert client.patch(f"{URL}{case_id}/", {"ecog": 2}, format="json", HTTP_IF_MATCH=etag).status_code == 200


@pytest.mark.parametrize("persona", ["other_member", "outsider"])
def test_other_boards_case_is_404_everywhere(personas: Personas, case_id: int, persona: str) -> None:
    client = personas.client(getattr(personas, persona))
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{case_id}/").status_code == 404
    assert client.patch(f"{URL}{case_id}/", {"ecog": 2}, format="json").status_code == 404
    assert client.post(f"{URL}{case_id}/submit/").status_code == 404
    assert client.post(f"{URL}{case_id}/transition/scheduled/").status_code == 404
    assert client.get("/api/v1/patients/").json()["results"] == [] if persona == "outsider" else True


@pytest.mark.parametrize("persona", ["other_member", "outsider"])
def test_cannot_create_a_case_on_a_board_one_does_not_sit_on(personas: Personas, persona: str) -> None:
    response = personas.client(getattr(personas, persona)).post(URL, new_case_payload(personas.board.pk), format="json")
    assert response.status_code == 400
    assert "board" in response.json()
    assert Case.objects.count() == 0


def test_cannot_use_a_patient_of_another_institution(personas: Personas, case_id: int) -> None:
    patient_id = Case.objects.get(pk=case_id).patient_id
    response = personas.client(personas.other_member).post(
        URL, new_case_payload(personas.other_board.pk, patient=patient_id), format="json"
    )
    assert response.status_code == 400
    assert "patient" in response.json()


def test_administrator_reads_everything_but_writes_no_clinical_content(personas: Personas, case_id: int) -> None:
    admin = personas.client(personas.administrator)
    assert admin.get(f"{URL}{case_id}/").status_code == 200
    assert len(admin.get("/api/v1/boards/").json()["results"]) == 2
    assert admin.patch(f"{URL}{case_id}/", {"ecog": 2}, format="json").status_code == 403
    assert admin.post(URL, new_case_payload(personas.board.pk), format="json").status_code == 403
    assert admin.post(f"{URL}{case_id}/submit/").status_code == 403


def test_only_coordinators_triage(personas: Personas, case_id: int) -> None:
    personas.client(personas.surgeon).post(f"{URL}{case_id}/submit/")
    for role in ("surgeon", "radonc", "medonc", "radiologist", "pathologist"):
        response = personas.client(getattr(personas, role)).post(f"{URL}{case_id}/transition/scheduled/")
        assert response.status_code == 403
    assert personas.client(personas.coordinator).post(f"{URL}{case_id}/transition/scheduled/").status_code == 200


def test_boards_list_is_scoped(personas: Personas) -> None:
    names = [b["name"] for b in personas.client(personas.surgeon).get("/api/v1/boards/").json()["results"]]
    assert names == [personas.board.name]
    assert personas.client(personas.outsider).get("/api/v1/boards/").json()["results"] == []


def test_patients_register_is_scoped_to_the_institution(personas: Personas, case_id: int) -> None:
    assert len(personas.client(personas.radiologist).get("/api/v1/patients/").json()["results"]) == 1
    assert personas.client(personas.other_member).get("/api/v1/patients/").json()["results"] == []
    patient_id = Case.objects.get(pk=case_id).patient_id
    assert personas.client(personas.other_member).get(f"/api/v1/patients/{patient_id}/").status_code == 404


def test_token_auth_per_contract(personas: Personas) -> None:
    personas.coordinator.set_password("s3cret-pass-word")
    personas.coordinator.save()
    client = personas.client(None)
    response = client.post("/api/v1/auth/token/", {"username": "coordinator", "password": "s3cret-pass-word"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/boards/").status_code == 200
    bad = personas.client(None).post("/api/v1/auth/token/", {"username": "coordinator", "password": "nope"}, format="json")
    assert bad.status_code == 400
