"""The registry admin pages render (read-only) for staff."""

from __future__ import annotations

from typing import cast

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.trials import services
from apps.trials.models import Trial
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db


def test_admin_pages_render(personas: Personas) -> None:
    services.case_match_trials(make_breast_case(personas).pk)
    staff = cast(User, UserFactory(username="staff", is_staff=True, is_superuser=True))
    client = Client()
    client.force_login(staff)
    trial = Trial.objects.get(identifier="NCT03862911")
    for url in (
        "/admin/trials/trial/",
        "/admin/trials/trial/?status__exact=recruiting",
        f"/admin/trials/trial/{trial.pk}/change/",
        "/admin/trials/trialversion/",
        "/admin/trials/trialmatch/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/trials/trial/add/").status_code == 403
