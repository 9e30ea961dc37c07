"""Input robustness (issue 15): deep JSON, NUL characters and oversized bodies never reach a view or the
database; each answers a 400 naming the field or a 413, with a JSON body for the API and a page for the
browser (docs/security/input-and-concurrency.md)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from rest_framework.test import APIClient

from apps.cases.models import Case, Patient
from apps.dosimetry.models import DoseImportJob
from apps.dosimetry.services import plan_create
from tests.cases.test_case_api import URL, new_case_payload
from tests.conftest import Personas
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("url", [URL, "/api/v1/calculators/dose/", "/api/v1/calculators/sins/"])
def test_json_nested_1000_deep_answers_400_naming_the_body(personas: Personas, url: str) -> None:
    response = personas.client(personas.coordinator).post(url, _deep(1000), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"body": ["nested too deep (max 32 levels)."]}


def test_json_nested_100_000_deep_answers_400_not_a_recursion_error(personas: Personas) -> None:
    response = personas.client(personas.coordinator).post(URL, _deep(100_000), content_type="application/json")
    assert response.status_code == 400
    assert "nested too deep" in response.json()["body"][0]


def test_anonymous_token_endpoint_refuses_deep_json() -> None:
    body = '{"username": ' + _deep(1000) + ', "password": "x"}'
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"body": ["nested too deep (max 32 levels)."]}


def test_nul_in_a_json_value_answers_400_naming_the_nested_field(personas: Personas) -> None:
    payload = new_case_payload(personas.board.pk)
    payload["lesions"][1]["site"] = "lumbar\x00spine"
    payload["question"] = "fix\x00it?"
    response = personas.client(personas.coordinator).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["question"] == ["contains a NUL character (\\x00), which is not allowed."]
    assert body["lesions"]["1"]["site"] == ["contains a NUL character (\\x00), which is not allowed."]
    assert not Case.objects.exists()


def test_nul_in_a_json_key_answers_400_naming_the_key(personas: Personas) -> None:
    payload = new_case_payload(personas.board.pk)
    payload["patient"]["mrn\x00"] = "A-1"
    response = personas.client(personas.coordinator).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"patient": {"mrn\\x00": ["this key contains a NUL character (\\x00), which is not allowed."]}}
    assert not Patient.objects.exists()


def test_nul_on_the_anonymous_token_endpoint_answers_400() -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "a\x00b", "password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"username": ["contains a NUL character (\\x00), which is not allowed."]}


@pytest.mark.parametrize("query", ["search=Jo%00nes", "ordering=%00", "board%00=1"])
def test_nul_in_a_query_parameter_answers_400_naming_it(personas: Personas, query: str) -> None:
    response = personas.client(personas.coordinator).get(f"/api/v1/patients/?{query}")
    assert response.status_code == 400
    (name, reasons), *_ = response.json().items()
    assert name in {"search", "ordering", "board\\x00"}
    assert "NUL" in reasons[0]


def test_nul_in_a_query_parameter_of_a_page_answers_an_html_400(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.coordinator)
    response = client.get("/cases/?q=Jo%00nes")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"q: contains a NUL character" in response.content


def test_nul_in_the_path_answers_400_naming_it(personas: Personas) -> None:
    """A NUL in the URL path is refused before any view (a path reaches logs, lookups and redirects)."""
    api = personas.client(personas.coordinator).get("/api/v1/cases/1%00/")
    assert api.status_code == 400
    assert api.json() == {"path": ["contains a NUL character (\\x00), which is not allowed."]}
    client = Client()
    client.force_login(personas.coordinator)
    page = client.get("/cases/%00/")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert b"path: contains a NUL character" in page.content


def test_nul_in_a_form_field_answers_400(personas: Personas) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "radonc\x00", "password": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"username": ["contains a NUL character (\\x00), which is not allowed."]}
    urlencoded = APIClient().post(
        "/api/v1/auth/token/", "username=radonc%00&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert urlencoded.status_code == 400
    assert urlencoded.json() == {"username": ["contains a NUL character (\\x00), which is not allowed."]}


def test_nan_and_infinity_tokens_are_not_json(personas: Personas) -> None:
    for token in ("NaN", "Infinity", "-Infinity"):
        body = '{"levels": [{"fractions": 5, "total_dose_gy": ' + token + '}], "alpha_beta": 10}'
        response = personas.client(personas.coordinator).post("/api/v1/calculators/dose/", body, content_type="application/json")
        assert response.status_code == 400, token
        assert "body" in response.json()


def test_invalid_json_names_the_body(personas: Personas) -> None:
    response = personas.client(personas.coordinator).post(URL, '{"board": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["body"][0].startswith("is not valid JSON")


def test_a_5_mb_api_body_answers_413_with_json(personas: Personas) -> None:
    body = json.dumps({"question": "x" * (5 * 1024 * 1024)})
    response = personas.client(personas.coordinator).post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"
    assert "1048576 bytes" in response.json()["detail"]
    assert not Case.objects.exists()


def test_a_5_mb_anonymous_body_answers_413_before_authentication() -> None:
    body = json.dumps({"username": "x" * (5 * 1024 * 1024), "password": "x"})
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_5_mb_form_post_to_a_page_answers_an_html_413(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.coordinator)
    response = client.post("/cases/new/", {"question": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"Too large to send" in response.content


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_body_limit_follows_the_setting(personas: Personas) -> None:
    client = personas.client(personas.coordinator)
    assert client.post(URL, {"question": "x" * 900}, format="json").status_code == 400
    assert client.post(URL, {"question": "x" * 1001}, format="json").status_code == 413


@override_settings(UPLOAD_MAX_BODY_SIZE=10_000)
def test_uploads_have_their_own_limit(personas: Personas) -> None:
    big = io.BytesIO(b"structure,dose_gy,volume_cc\n" + b"cord,1,1\n" * 2000)
    big.name = "dvh.csv"
    response = personas.client(personas.radonc).post(
        "/api/v1/radiotherapy-plans/1/imports/", {"kind": "csv_dvh", "csv": big}, format="multipart"
    )
    assert response.status_code == 413
    assert "10000 bytes" in response.json()["detail"]


def _csv_with_nul() -> SimpleUploadedFile:
    # A binary file chosen by mistake: text with a NUL byte in it (valid UTF-8, so only the NUL check stops it).
    return SimpleUploadedFile("dvh.csv", b"structure,dose_gy,volume_cc,cumulative\nspinal\x00cord,0,10,true\n")


NUL_CSV_REASON = "contains NUL characters (\\x00): choose the CSV DVH export, not a binary file."


def test_nul_in_an_uploaded_csv_answers_400_naming_the_file(personas: Personas) -> None:
    plan = plan_create(
        actor=personas.radonc, case=CaseFactory(board=personas.board), data={"levels": [{"fractions": 10, "total_dose_gy": 30}]}
    )
    response = personas.client(personas.radonc).post(
        f"/api/v1/radiotherapy-plans/{plan.pk}/imports/", {"kind": "csv_dvh", "csv": _csv_with_nul()}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["csv"] == [NUL_CSV_REASON]
    assert not DoseImportJob.objects.filter(plan=plan).exists()


def test_nul_in_a_csv_uploaded_on_the_import_page_answers_400_beside_the_field(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    plan = plan_create(actor=personas.radonc, case=case, data={"levels": [{"fractions": 10, "total_dose_gy": 30}]})
    client = Client()
    client.force_login(personas.radonc)
    page = client.post(f"/cases/{case.pk}/plans/{plan.pk}/import/", {"kind": "csv_dvh", "csv": _csv_with_nul()})
    assert page.status_code == 400
    assert page.context["form"].errors["csv"] == [NUL_CSV_REASON]
    assert not DoseImportJob.objects.filter(plan=plan).exists()
