"""The case page and the coordinator's home link the meetings, discussion and decision workflows."""

from __future__ import annotations

from django.test import Client

from tests.conftest import Personas
from tests.factories import CaseFactory


def test_case_page_links_discussion_and_decision_and_nav_reaches_meetings(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    client = Client()
    client.force_login(personas.coordinator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/discussion/" in page
    assert f"/cases/{case.pk}/decisions/" in page
    assert 'href="/meetings/"' in page
    home = client.get("/").content.decode()
    assert "Board calendar and cases waiting for a place" in home
