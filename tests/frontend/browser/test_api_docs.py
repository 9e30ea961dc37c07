"""Swagger UI renders under the site's strict Content-Security-Policy (issue 15): its start-up script is
its own request and its style a static file; the visitor fails on any CSP violation when it closes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from tests.conftest import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(TUMORBOARD_PUBLIC_API_DOCS=False)
def test_swagger_ui_renders_without_csp_violations(personas: Personas, visitor: Any) -> None:
    person = visitor("surgeon")
    person.go("/api/docs/")
    person.page.wait_for_selector(".swagger-ui .information-container .title", timeout=20_000)
    assert "Tumorboard API" in person.page.inner_text(".swagger-ui .information-container")
    person.page.wait_for_selector(".opblock", timeout=20_000)  # the operations came from /api/schema/
    person.shot("api-docs-swagger")
    assert not person.console_errors, person.console_errors
    assert not person.csp_violations()


def test_the_browsable_api_renders_without_csp_violations(personas: Personas, visitor: Any) -> None:
    """DRF's browsable API (a signed-in clinician opening an endpoint in the browser) under the same policy."""
    person = visitor("surgeon")
    person.go("/api/v1/cases/")
    person.page.wait_for_selector(".response-info", timeout=20_000)
    assert '"results"' in person.page.inner_text(".response-info")
    person.shot("browsable-api-cases")
    assert not person.console_errors, person.console_errors
    assert not person.csp_violations()
