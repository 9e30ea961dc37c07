"""The case page shows what a re-irradiation plan's dose summary decided (issue 9): each prior course's
overlap (an undecidable one as "overlap unknown"), the cord verdict and its rule, the first-course cord
limits as context, and the systemic-therapy cautions for the plan's technique."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from apps.cases.models import PriorRadiotherapyCourse
from apps.dosimetry.services import dose_summary_compute, plan_create
from tests.conftest import Personas
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_case_page_shows_overlap_cord_verdict_and_cautions(personas: Personas) -> None:
    # given a T-DM1 case with a prior T7-T9 course, one recorded as free text only, and an SBRT plan to T8
    case = CaseFactory(board=personas.board, on_systemic_therapy=True, systemic_therapy_classes=["tdm1"])
    PriorRadiotherapyCourse.objects.create(
        case=case,
        region="T7-T9",
        site="thoracic_spine",
        level_from="T7",
        level_to="T9",
        total_dose_gy=30,
        fractions=10,
        date=date(2026, 3, 1),
    )
    PriorRadiotherapyCourse.objects.create(case=case, region="old pelvic field", total_dose_gy=8, fractions=1)
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={
            "name": "T8 SBRT",
            "levels": [{"fractions": 2, "total_dose_gy": 24}],
            "technique": "sbrt",
            "region": "T8",
            "site": "thoracic_spine",
            "level_from": "T8",
            "oar_metrics": {"spinal_cord": {"Dmax": 14.0}},
            "planned_date": date(2026, 11, 23),
        },
    )
    dose_summary_compute(plan_id=plan.pk)
    client = Client()
    client.force_login(personas.radonc)
    # when the board opens the case page
    html = client.get(f"/cases/{case.pk}/").content.decode()
    # then each prior course says whether it reached the target
    assert "T7-T9 · 30.0 Gy / 10 (1 Mar 2026): <strong>overlaps</strong>" in html
    assert "old pelvic field · 8.0 Gy / 1: <strong>overlap unknown</strong>" in html
    # and the cord verdict is the failing Sahgal rule, the first-course limit shown as context only
    assert 'Spinal cord: <span class="badge check-fail">fail</span>' in html
    assert "sahgal_2012_reirradiation" in html
    assert "First-course cord limits" in html
    # and T-DM1 with SBRT is a caution
    assert "caution-caution" in html and "T-DM1" in html
