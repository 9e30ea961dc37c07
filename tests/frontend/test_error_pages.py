"""Error pages on the design system: 403 says which rule refused, 404 reveals nothing, 400/500 stand alone."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.views import defaults

from tests.conftest import Personas
from tests.factories import CaseFactory
from tests.frontend.helpers import logged_in

pytestmark = pytest.mark.django_db


def test_a_page_off_the_users_boards_is_the_same_404_as_an_unknown_one(personas: Personas) -> None:
    foreign = CaseFactory(board=personas.other_board)
    client = logged_in(personas.surgeon)
    unknown = client.get("/cases/999999/")
    other = client.get(f"/cases/{foreign.pk}/")
    assert unknown.status_code == other.status_code == 404
    body = other.content.decode()
    assert "Page not found" in body and "frontend/app.css" in body and "aria-current" not in body.split("<main")[1]
    masked = [re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', "", r.content.decode()) for r in (unknown, other)]
    assert masked[0] == masked[1]  # nothing tells another board's case from one that does not exist


def test_a_refusal_names_the_rule_and_says_nothing_changed(personas: Personas) -> None:
    response = logged_in(personas.surgeon).get("/audit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You may not do this" in body and "Nothing was changed" in body and "frontend/app.css" in body


@pytest.mark.parametrize(
    ("view", "status", "title"),
    [(defaults.server_error, 500, "Something went wrong"), (defaults.bad_request, 400, "Bad request")],
)
def test_the_server_error_pages_render_without_a_request_context(view: object, status: int, title: str) -> None:
    request = RequestFactory().get("/cases/")
    response = view(request, exception=Exception("boom")) if view is defaults.bad_request else view(request)  # type: ignore[operator]
    assert response.status_code == status
    body = response.content.decode()
    assert title in body and "frontend/app.css" in body and "boom" not in body


def test_a_disallowed_host_gets_the_400_page_not_a_server_error(db: None) -> None:
    from django.test import Client

    response = Client(raise_request_exception=False).get("/cases/", HTTP_HOST="attacker.example")
    assert response.status_code == 400 and "Bad request" in response.content.decode()
