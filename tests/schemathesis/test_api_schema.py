"""schemathesis (issue 15): every operation of the OpenAPI schema, called through the WSGI app as a board
member with seeded cases, answers no server error and only responses its schema describes.

Bounded for CI (about 3 minutes on 2 cores): ``SCHEMATHESIS_MAX_EXAMPLES`` (default 3; 3 take about 4 minutes on a shared 2-core machine) examples per
operation, derandomized so a failure is reproducible. Marked ``schemathesis`` and ``services``: it runs in
the PostgreSQL pass (``make test-postgres``) and alone with ``make schemathesis``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from apps.accounts.services import api_token_create
from apps.cases.models import Case
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "3"))
#: Operations that stream or render files rather than JSON, and the token endpoint (throttled separately).
EXCLUDED_PATHS = r"(calendar\.ics|report\.pdf|/events/|/auth/token/)"


@pytest.fixture
def api_schema(db: None, personas: Personas) -> Iterator[Any]:
    case = CaseFactory(board=personas.board, status="submitted")
    LesionFactory(case=case)
    assert Case.objects.exists()
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    # As Django's test client does: the WSGI handler would close the test's connection after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schema.exclude(path_regex=EXCLUDED_PATHS)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.services
@pytest.mark.schemathesis
def test_api_conforms_to_its_schema(api_schema: Any, personas: Personas) -> None:
    # Driven by Hypothesis directly: schemathesis' pytest plugin does not run under this pytest version.
    _, key = api_token_create(user=personas.radonc, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
