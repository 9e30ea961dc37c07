"""Issue 14: the decision form can start from one of the case's treatment options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from apps.cases import services as case_services
from apps.decisions.models import Decision
from tests.conftest import Personas


def _impending_fracture_case(p: Personas, capture: Callable[..., Any]) -> Any:
    with capture(execute=True):
        case = case_services.case_create(
            actor=p.coordinator,
            board=p.board,
            new_patient={
                "mrn": "OPT-1",
                "given_name": "Ingrid",
                "family_name": "Larsen",
                "date_of_birth": dt.date(1961, 8, 3),
                "sex": "female",
            },
            data={"question": "Fixation?", "primary_histology": "renal_cell", "estimated_survival_months": 30},
            lesions=[
                {
                    "site": "femur",
                    "subsite": "peritrochanteric",
                    "laterality": "left",
                    "pain": "functional",
                    "radiographic_type": "lytic",
                    "cortical_involvement": "gt_two_thirds",
                }
            ],
        )
        case_services.case_transition(actor=p.coordinator, case_id=case.pk, target="submitted")
    return case


def test_case_page_offers_each_option_as_the_start_of_a_decision(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    case = _impending_fracture_case(personas, django_capture_on_commit_callbacks)
    lesion = case.lesions.get()
    client = Client()
    client.force_login(personas.radonc)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/decisions/new/?option=prophylactic_fixation&amp;lesion={lesion.pk}" in page

    form = client.get(f"/cases/{case.pk}/decisions/new/?option=prophylactic_fixation&lesion={lesion.pk}")
    html = form.content.decode()
    assert form.status_code == 200
    assert 'name="started_from_option" value="prophylactic_fixation"' in html
    assert 'name="surgery" value="1" checked' in html
    assert "<option selected>fixation</option>" in html
    assert 'value="postop_20gy_5fx"' in html  # the post-operative RT that follows fixation
    assert "Started from the option" in html


def test_a_decision_saved_from_an_option_records_it(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    case = _impending_fracture_case(personas, django_capture_on_commit_callbacks)
    lesion = case.lesions.get()
    client = Client()
    client.force_login(personas.radonc)
    response = client.post(
        f"/cases/{case.pk}/decisions/new/",
        {
            "started_from_option": "prophylactic_fixation",
            "urgent_reason": "fracture risk",
            "intent": "prophylactic",
            "surgery": "1",
            "surgery_procedure": "fixation",
            "surgery_lesions": [str(lesion.pk)],
            "rationale": "Mirels 12",
            "consensus": "consensus",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    assert Decision.objects.get(case=case).started_from_option == "prophylactic_fixation"


def test_an_unknown_option_leaves_the_form_empty(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    case = _impending_fracture_case(personas, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(personas.radonc)
    html = client.get(f"/cases/{case.pk}/decisions/new/?option=nonsense").content.decode()
    assert 'name="started_from_option" value=""' in html


def test_a_draft_case_is_refused_with_the_reason_shown(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.case_create(
            actor=personas.coordinator,
            board=personas.board,
            new_patient={"mrn": "OPT-2", "given_name": "A", "family_name": "B", "date_of_birth": dt.date(1960, 1, 1)},
            data={"question": "Q?"},
            lesions=[{"site": "rib"}],
        )
    client = Client()
    client.force_login(personas.radonc)
    response = client.post(f"/cases/{case.pk}/decisions/new/", {"intent": "palliative", "best_supportive_care": "1"})
    assert response.status_code == 400
    assert "submit it first" in response.content.decode()
