"""The case page shows the prognosis and the treatment options beside the findings, in constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.cases.models import Case
from apps.cases.services import case_create
from apps.options.services import treatment_options_compute
from tests.conftest import Personas
from tests.options.test_options_service import FEMUR, SPINE

pytestmark = pytest.mark.django_db


def _case(p: Personas, mrn: str, lesions: list[dict[str, object]], **data: object) -> Case:
    return case_create(
        actor=p.coordinator,
        board=p.board,
        new_patient={
            "mrn": mrn,
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": dt.date(1958, 1, 2),
            "sex": "female",
        },
        data={"question": "Which treatment?", "primary_histology": "breast", "estimated_survival_months": 24, "ecog": 1, **data},
        lesions=lesions,
    )


def _page(p: Personas, case: Case) -> str:
    client = Client()
    client.force_login(p.coordinator)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_pending_then_the_options_with_regimens_and_sources(personas: Personas) -> None:
    case = _case(personas, "P-1", [SPINE, FEMUR], karnofsky_performance_status=80, vertebral_metastases_count=1)
    page = _page(personas, case)
    assert "Prognosis and treatment options" in page
    assert "being computed" in page
    assert "Revised Tokuhashi" in page

    treatment_options_compute(case_id=case.pk)
    page = _page(personas, case)
    assert "Spine SBRT" in page
    assert 'data-option-code="prophylactic_fixation"' in page
    assert "urgent" in page
    assert "preferred" in page
    assert "24 Gy in 2 fractions (SC24)" in page
    assert "52.8" in page  # BED10 of 24 Gy/2
    assert "NOMS" in page
    assert "000_76782ef81e029740.txt" in page
    assert "Thoracic spine T8" in page


def test_page_says_the_scores_are_spinal_on_a_limb_only_case(personas: Personas) -> None:
    case = _case(personas, "P-2", [FEMUR])
    treatment_options_compute(case_id=case.pk)
    assert "this case has no spinal lesion" in _page(personas, case)


def test_page_queries_do_not_grow_with_lesions(personas: Personas) -> None:
    few = _case(personas, "P-3", [SPINE])
    many = _case(personas, "P-4", [SPINE, FEMUR, {**SPINE, "level_from": "T11"}, {**FEMUR, "subsite": "shaft"}])
    counts = []
    for case in (few, many):
        treatment_options_compute(case_id=case.pk)
        client = Client()
        client.force_login(personas.coordinator)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
