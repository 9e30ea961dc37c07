"""Unknown and read-only fields in a body are a 400 naming them (issue 15), nested where they were; the
fields the contract documents are still accepted."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.cases.models import Case
from tests.cases.test_case_api import URL, create_case, new_case_payload
from tests.conftest import Personas
from tests.decisions.helpers import sitting
from tests.security.conftest import World
from tests.security.test_url_walk import project_routes

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


# --- Every write operation of the schema (issue 15) -----------------------------------------------------

#: A key no endpoint takes.
STRAY = "zz_not_a_field"
WRITE_METHODS = ("post", "put", "patch")


def _write_operations() -> list[tuple[str, str, str]]:
    """(method, path template, body format) of every POST/PUT/PATCH of the OpenAPI schema, as the schema
    tests see it (drf-spectacular's generator): a new endpoint is in this list without anyone adding it."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            if method not in WRITE_METHODS:
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            body_format = "multipart" if content and "application/json" not in content else "json"
            operations.append((method, path, body_format))
    return operations


def _built_urls(world: World) -> list[tuple[int, str]]:
    """Every project URL built with board A's objects, with its number of parameters."""
    return [(len(route.params), route.build(world) if route.params else route.build()) for route in project_routes()]


def _url_of(template: str, built: list[tuple[int, str]]) -> str:
    placeholders = template.count("{")
    pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
    matches = [url for count, url in built if count == placeholders and pattern.match(url)]
    assert len(matches) == 1, f"{template}: cannot tell which URL it is ({matches})"
    return matches[0]


def test_every_write_operation_refuses_an_unknown_field(world: World) -> None:
    """Each POST/PUT/PATCH of the schema, sent a body with a stray key by the people allowed to call it,
    answers 400 naming the key (``unknown field``) before it writes anything or checks other fields: an
    endpoint that reads its body without ``StrictFieldsMixin`` / ``refuse_unknown_fields`` fails here."""
    p = world.personas
    people = [p.administrator, p.radonc, p.coordinator, p.surgeon, p.medonc, p.radiologist, p.pathologist]
    clients = []
    for user in people:
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)
    built = _built_urls(world)
    operations = _write_operations()
    assert len(operations) > 40  # the schema really was read
    problems = []
    for method, template, body_format in operations:
        url = _url_of(template, built)
        answers = []
        for client in clients:
            response = getattr(client, method)(url, {STRAY: "1"}, format=body_format)
            answers.append(f"{response.status_code} {response.content[:100]!r}")
            if response.status_code == 400 and response.json().get(STRAY) == ["unknown field"]:
                break
        else:
            problems.append(f"{method.upper()} {template}: {answers[:2]}")
    assert not problems, "these writes do not refuse an unknown field:\n" + "\n".join(problems)
