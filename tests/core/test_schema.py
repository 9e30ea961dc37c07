"""The OpenAPI schema generates cleanly and is served with its interactive docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client


def test_schema_generates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    text = target.read_text()
    for path in ("/api/v1/cases/", "/api/v1/calculators/mirels/", "/api/v1/cases/{id}/trial-matches/"):
        assert f"{path}:" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(django_user_model: type) -> None:
    client = Client()
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
