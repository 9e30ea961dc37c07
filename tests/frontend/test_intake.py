"""The stepped intake: drafts saved at each step by the case services, errors beside the field in words,
nothing typed lost, the revision check with who changed what, submit."""

from __future__ import annotations

import re
from typing import Any

from apps.cases.models import Case, Patient
from apps.cases.services import case_update
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory, PatientFactory
from tests.frontend.helpers import logged_in


def lesion_post(revision: int, *lesions: dict[str, str], initial: int = 0) -> dict[str, str]:
    data = {
        "revision": str(revision),
        "lesions-TOTAL_FORMS": str(len(lesions)),
        "lesions-INITIAL_FORMS": str(initial),
        "lesions-MIN_NUM_FORMS": "0",
        "lesions-MAX_NUM_FORMS": "1000",
    }
    for i, lesion in enumerate(lesions):
        data.update({f"lesions-{i}-{k}": v for k, v in lesion.items()})
    return data


SPINE = {"site": "thoracic_spine", "level_from": "T11", "level_to": "T12", "spinal_pain": "mechanical", "laterality": "midline"}
FEMUR = {
    "site": "femur",
    "subsite": "peritrochanteric",
    "pain": "functional",
    "cortical_involvement": "gt_two_thirds",
    "radiographic_type": "lytic",
}


def open_draft(client: Any, personas: Personas, **extra: str) -> Case:
    response = client.post(
        "/cases/new/",
        {
            "board": personas.board.pk,
            "mrn": "WEB-1",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "date_of_birth": "1960-02-03",
            "sex": "female",
            "question": "Fix the spine?",
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(patient__mrn="WEB-1")


def test_a_coordinator_registers_a_patient_and_submits_a_case_step_by_step(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    assert "Board and patient" in client.get("/cases/new/").content.decode()
    case = open_draft(client, personas)
    assert (case.status, case.revision, case.question, case.patient.family_name) == ("draft", 1, "Fix the spine?", "Lovelace")
    # clinical data
    response = client.post(
        f"/cases/{case.pk}/edit/clinical/",
        {"revision": "1", "primary_histology": "breast", "er_status": "positive", "ecog": "1", "on_systemic_therapy": "false"},
    )
    assert response["Location"] == f"/cases/{case.pk}/edit/lesions/"
    case.refresh_from_db()
    assert (case.primary_histology, case.er_status, case.ecog, case.on_systemic_therapy, case.systemic_therapy_classes) == (
        "breast",
        "positive",
        1,
        False,
        [],
    )
    # two lesions, each with its own fields
    response = client.post(f"/cases/{case.pk}/edit/lesions/", lesion_post(2, SPINE, FEMUR))
    assert response["Location"] == f"/cases/{case.pk}/edit/prior/"
    spine, femur = case.lesions.order_by("pk")
    assert (spine.level_from, spine.level_to, spine.spinal_pain, femur.pain, femur.subsite) == (
        "T11",
        "T12",
        "mechanical",
        "functional",
        "peritrochanteric",
    )
    # prior radiotherapy
    prior = {
        "revision": "3",
        "prior-TOTAL_FORMS": "1",
        "prior-INITIAL_FORMS": "0",
        "prior-MIN_NUM_FORMS": "0",
        "prior-MAX_NUM_FORMS": "1000",
    }
    prior.update(
        {"prior-0-region": "T10", "prior-0-total_dose_gy": "30", "prior-0-fractions": "10", "prior-0-date": "2025-01-01"}
    )
    assert client.post(f"/cases/{case.pk}/edit/prior/", prior)["Location"] == f"/cases/{case.pk}/edit/question/"
    assert case.prior_radiotherapy.get().total_dose_gy == 30
    # question and submit
    response = client.post(
        f"/cases/{case.pk}/edit/question/", {"revision": "4", "question": "Fix T11-T12 and the femur?", "submit": ""}
    )
    assert response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert (case.status, case.question) == ("submitted", "Fix T11-T12 and the femur?")


def test_an_existing_patient_is_found_by_mrn(personas: Personas) -> None:
    patient = PatientFactory(institution=personas.board.institution, mrn="KNOWN-7")
    client = logged_in(personas.coordinator)
    response = client.post("/cases/new/", {"board": personas.board.pk, "mrn": "KNOWN-7", "question": "Irradiate?"})
    assert response.status_code == 302
    assert Case.objects.get().patient == patient and Patient.objects.count() == 1


def test_registering_needs_the_patient_details_and_keeps_what_was_typed(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    response = client.post(
        "/cases/new/", {"board": personas.board.pk, "mrn": "NEW-9", "given_name": "Grace", "question": "Irradiate?"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert "is needed to register a new patient" in html
    assert 'value="Grace"' in html and "Irradiate?" in html


def test_lesion_errors_appear_beside_the_field_in_words_and_nothing_typed_is_lost(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    case = open_draft(client, personas)
    wrong = {**SPINE, "level_from": "L2", "level_to": "L1", "label": "the painful one"}
    response = client.post(f"/cases/{case.pk}/edit/lesions/", lesion_post(1, FEMUR, wrong))
    html = response.content.decode()
    assert response.status_code == 400 and not case.lesions.exists()
    # beside lesion 2's lower level, in words (no raw codes)
    assert "lies above" in html and "thoracic_spine" not in html.split("errorlist", 1)[1].split("</ul>", 1)[0]
    assert 'id="id_lesions-1-level_to_error"' in html
    assert 'value="the painful one"' in html and '<option value="peritrochanteric" selected>' in html


def test_fields_that_do_not_apply_to_the_site_are_hidden_and_not_stored(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    case = open_draft(client, personas)
    # a femur sent with a stale spinal field (e.g. typed before the site changed): the spinal field is dropped
    response = client.post(
        f"/cases/{case.pk}/edit/lesions/", lesion_post(1, {**FEMUR, "spinal_pain": "mechanical", "level_from": "T4"})
    )
    assert response.status_code == 302
    lesion = case.lesions.get()
    assert (lesion.spinal_pain, lesion.level_from, lesion.pain) == (None, None, "functional")
    html = client.get(f"/cases/{case.pk}/edit/lesions/").content.decode()
    assert '<div class="field" data-applies="spine" hidden>' in html and '<div class="field" data-applies="limb">' in html
    assert 'data-group="spine"' in html and 'data-group="limb subsite"' in html


def test_add_another_lesion_keeps_the_lesions_typed(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    case = open_draft(client, personas)
    html = client.post(f"/cases/{case.pk}/edit/lesions/", {**lesion_post(1, SPINE), "add": ""}).content.decode()
    assert "Lesion 2" in html and 'name="lesions-TOTAL_FORMS" value="2"' in html
    assert '<option value="T11" selected>' in html
    assert not case.lesions.exists()


def test_a_conflicting_edit_says_who_changed_what_and_keeps_my_input(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    case = open_draft(client, personas)
    # the surgeon saves ECOG while the coordinator has the clinical step open at revision 1
    case_update(actor=personas.surgeon, case_id=case.pk, data={"ecog": 2}, expected_revision=1)
    response = client.post(f"/cases/{case.pk}/edit/clinical/", {"revision": "1", "primary_histology": "prostate", "ecog": "3"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "surgeon changed ECOG performance status (revision 2)" in html
    assert re.search(r'<option value="prostate"[^>]* selected[ >]', html) and re.search(r'<option value="3" selected>', html)
    case.refresh_from_db()
    assert (case.ecog, case.primary_histology) == (2, None)
    # saving again (now at revision 2) applies the change
    assert 'name="revision" value="2"' in html
    response = client.post(f"/cases/{case.pk}/edit/clinical/", {"revision": "2", "primary_histology": "prostate", "ecog": "3"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.ecog, case.primary_histology) == (3, "prostate")


def test_a_submitted_case_is_edited_through_the_same_steps(personas: Personas) -> None:
    case = CaseFactory(board=personas.board, status="submitted")
    lesion = LesionFactory(case=case)
    client = logged_in(personas.surgeon)
    html = client.get(f"/cases/{case.pk}/edit/lesions/").content.decode()
    assert f'name="lesions-0-id" value="{lesion.pk}"' in html
    data = lesion_post(
        1,
        {"id": str(lesion.pk), "site": "femur", "subsite": "shaft", "pain": "mild", "cortical_involvement": "lt_one_third"},
        initial=1,
    )
    assert client.post(f"/cases/{case.pk}/edit/lesions/", data).status_code == 302
    lesion.refresh_from_db()
    assert (lesion.subsite, lesion.pain, case.lesions.count()) == ("shaft", "mild", 1)


def test_submit_without_lesions_is_refused_in_words(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    case = open_draft(client, personas)
    response = client.post(f"/cases/{case.pk}/submit/", follow=True)
    case.refresh_from_db()
    assert case.status == "draft" and "at least one lesion" in response.content.decode()


def test_intake_is_scoped_and_role_checked(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    assert logged_in(personas.other_member).get(f"/cases/{case.pk}/edit/clinical/").status_code == 404
    assert logged_in(personas.administrator).get("/cases/new/").status_code == 403
    assert logged_in(personas.administrator).get(f"/cases/{case.pk}/edit/clinical/").status_code == 403


def test_intake_steps_run_constant_queries(personas: Personas) -> None:
    from tests.frontend.helpers import assert_constant_queries

    case = CaseFactory(board=personas.board)
    LesionFactory(case=case)
    client = logged_in(personas.coordinator)
    for step in ("clinical", "lesions", "prior", "question"):
        assert_constant_queries(
            lambda s=step: client.get(f"/cases/{case.pk}/edit/{s}/"), lambda: LesionFactory.create_batch(3, case=case)
        )


def test_histology_fields_show_for_their_primary_only_and_are_not_kept_for_another(personas: Personas) -> None:
    client = logged_in(personas.coordinator)
    case = open_draft(client, personas)
    html = client.get(f"/cases/{case.pk}/edit/clinical/").content.decode()
    assert '<div class="field" data-applies="breast" hidden>' in html and 'data-applies="colorectal sarcoma" hidden' in html
    # ER typed, then the primary changed to prostate: the hidden ER is not stored (the rules would refuse it)
    response = client.post(
        f"/cases/{case.pk}/edit/clinical/",
        {"revision": "1", "primary_histology": "prostate", "er_status": "positive", "castration_status": "castration_resistant"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.er_status, case.castration_status) == (None, "castration_resistant")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "castration resistant" in page
