"""Meeting admin pages are read-only for the auditor and closed to a superuser without the right."""

from __future__ import annotations

from django.test import Client

from tests.conftest import Personas
from tests.factories import UserFactory
from tests.meetings.helpers import meetings_of, weekly_series


def test_auditor_reads_meetings_but_changes_nothing(personas: Personas) -> None:
    (meeting,) = meetings_of(weekly_series(personas, weeks=1))
    auditor = personas.administrator
    auditor.is_staff = True
    auditor.save()
    client = Client()
    client.force_login(auditor)
    assert client.get("/admin/meetings/meeting/").status_code == 200
    assert client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").status_code == 200
    assert client.get("/admin/meetings/meeting/add/").status_code == 403
    assert client.post(f"/admin/meetings/meeting/{meeting.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/meetings/calendartoken/").status_code == 200
    superuser = UserFactory(username="it", role="coordinator", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/admin/meetings/meeting/").status_code == 403
