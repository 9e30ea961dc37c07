"""Unknown and read-only fields in a body are a 400 naming them (issue 15), nested where they were; the
fields the contract documents are still accepted."""

from __future__ import annotations

import pytest

from apps.cases.models import Case
from tests.cases.test_case_api import URL, create_case, new_case_payload
from tests.conftest import Personas
from tests.decisions.helpers import sitting

pytestmark = pytest.mark.django_db


def test_the_contract_case_payload_is_accepted(personas: Personas) -> None:
    payload = new_case_payload(personas.board.pk)
    payload["lesions"][0]["symptomatic"] = True
    body = create_case(personas, lesions=payload["lesions"])
    assert body["lesions"][0]["symptomatic"] is True
    assert body["prior_radiotherapy"][0]["region"] == "L1-L2"


def test_an_unknown_field_is_a_400_and_nothing_is_saved(personas: Personas) -> None:
    response = personas.client(personas.coordinator).post(URL, new_case_payload(personas.board.pk, ecgo=3), format="json")
    assert response.status_code == 400
    assert response.json() == {"ecgo": ["unknown field"]}
    assert not Case.objects.exists()


def test_unknown_fields_are_named_in_nested_items(personas: Personas) -> None:
    payload = new_case_payload(personas.board.pk)
    payload["lesions"][1]["sitee"] = "rib"
    payload["patient"]["nickname"] = "M"
    payload["prior_radiotherapy"][0]["dose"] = 8
    response = personas.client(personas.coordinator).post(URL, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["lesions"]["1"] == {"sitee": ["unknown field"]}
    assert body["patient"] == {"nickname": ["unknown field"]}
    assert body["prior_radiotherapy"]["0"] == {"dose": ["unknown field"]}


def test_a_read_only_field_is_a_400(personas: Personas) -> None:
    created = create_case(personas)
    client = personas.client(personas.coordinator)
    url = f"{URL}{created['id']}/"
    etag = f'"{created["revision"]}"'
    status = client.patch(url, {"status": "decided"}, format="json", HTTP_IF_MATCH=etag)
    assert status.status_code == 400
    assert status.json() == {"status": ["unknown field"]}  # not a field of the update at all
    lesion = dict(created["lesions"][0])  # as read, uuid included
    uuid = client.patch(url, {"lesions": [lesion]}, format="json", HTTP_IF_MATCH=etag)
    assert uuid.status_code == 400
    assert uuid.json() == {"lesions": {"0": {"uuid": ["read-only field"]}}}
    assert Case.objects.get(pk=created["id"]).revision == created["revision"]


def test_other_apps_write_endpoints_refuse_unknown_fields(personas: Personas) -> None:
    s = sitting(personas)
    comment = personas.client(personas.radonc).post(
        f"/api/v1/cases/{s.case.pk}/discussion/", {"body": "RT first", "pinned": True}, format="json"
    )
    assert comment.status_code == 400
    assert comment.json() == {"pinned": ["unknown field"]}
    calculator = personas.client(personas.radonc).post(
        "/api/v1/calculators/tomita/",
        {"primary_growth": "slow", "visceral_metastases": "none", "bone_metastases": "solitary", "extra": 1},
        format="json",
    )
    assert calculator.status_code == 400
    assert calculator.json() == {"extra": ["unknown field"]}
