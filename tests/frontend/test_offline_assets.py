"""Hospitals run offline networks: nothing a page needs loads from another host, and no inline script or
style is used (the coming CSP is ``script-src 'self'``)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory
from tests.frontend.helpers import logged_in

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def test_api_docs_are_served_from_the_package_not_a_cdn(personas: Personas) -> None:
    html = logged_in(personas.coordinator).get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not EXTERNAL.search(html), "the API docs load something from another host"
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/{case}/", "/login/"])
def test_pages_load_nothing_from_other_hosts_and_have_no_inline_script_or_style(personas: Personas, path: str) -> None:
    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = Client() if path == "/login/" else logged_in(personas.coordinator)
    html = client.get(path.format(case=case.pk)).content.decode()
    assert not EXTERNAL.search(html)
    assert "/static/django_htmx/htmx-2.min.js" in html and finders.find("django_htmx/htmx-2.min.js")
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
        assert script.strip() == "", "inline script"
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
