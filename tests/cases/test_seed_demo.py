"""``seed_demo`` shows a board what the product does: coherent showcase cases covering every section,
and every demo case page and API detail answers without an error (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.cases.demo import SHOWCASES
from apps.cases.models import Case


@pytest.fixture
def demo(db: None, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", cases=6, verbosity=0)


def test_every_demo_case_page_and_detail_answers(demo: None) -> None:
    user = User.objects.get(username="coordinator")
    client = Client()
    client.force_login(user)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    cases = list(Case.objects.all())
    assert len(cases) == 6 + len(SHOWCASES)
    for case in cases:
        assert client.get(f"/cases/{case.pk}/").status_code == 200, case.patient.mrn
        assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200, case.patient.mrn


def test_demo_is_clinically_coherent(demo: None) -> None:
    for case in Case.objects.select_related("patient").prefetch_related("lesions", "prior_radiotherapy"):
        if case.patient.given_name in {"Grace", "Anna", "Chloe", "Elena", "Maria", "Sofia", "Ingrid", "Amara"}:
            assert case.patient.sex == "female", case.patient.mrn
        if "re-irradiation" in case.question.lower():
            assert case.prior_radiotherapy.exists(), case.patient.mrn
        if case.bone_metastases_count is not None:
            assert case.bone_metastases_count >= case.lesions.count(), case.patient.mrn


def test_showcases_cover_every_section(demo: None) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(User.objects.get(username="radonc"))

    def detail(mrn: str) -> dict[str, Any]:
        return api.get(f"/api/v1/cases/{Case.objects.get(patient__mrn=mrn).pk}/").json()

    compression = detail("SHOW-02")["risk"]["summary"]["lesions"][0]["escc"]
    assert compression["high_grade"] is True
    assert "meets the Patchell criteria" in compression["recommendation"]
    fracture = detail("SHOW-03")["risk"]["summary"]["lesions"][0]["mirels"]
    assert fracture["category"] == "impending_fracture"
    reirradiation = detail("SHOW-04")["dose_summaries"]
    assert reirradiation["status"] == "current"
    plan = reirradiation["plans"][0]
    summary = plan.get("summary") or plan
    assert "Sahgal 2012" in summary["spinal_cord_check"]["text"]
    sib = detail("SHOW-05")["dose_summaries"]["plans"][0]
    sib_summary = sib.get("summary") or sib
    assert {c["structure"] for c in sib_summary["constraint_checks"] if c["organ"] == "ptv"} == {"PTV30", "PTV40"}
    matches = api.get(f"/api/v1/cases/{Case.objects.get(patient__mrn='SHOW-01').pk}/trial-matches/").json()
    rows = matches["results"] if isinstance(matches, dict) else matches
    assert any(m["eligibility"] == "eligible" for m in rows)
