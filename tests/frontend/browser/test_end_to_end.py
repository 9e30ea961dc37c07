"""The acceptance of issue 11 in Chromium, on PostgreSQL with a real Celery worker: a coordinator registers
a patient and submits a case with a spinal and a femoral lesion through the stepped form; the flags and
their breakdowns appear on the case page without a reload; a radiation oncologist adds a plan and sees its
dose summary; a clinician flags a trial criterion as wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest

from apps.cases.models import Case
from apps.trials.models import MatchFlag
from tests.conftest import Personas
from tests.frontend.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.services]

WAIT_MS = 60_000


def choose(page: Any, label: str, value: str, nth: int = 0) -> None:
    page.get_by_label(label, exact=True).nth(nth).select_option(value)


def test_intake_review_plan_and_flag_in_the_browser(
    personas: Personas, celery_worker_process: None, seeded_registry: None, seeded_catalogue: None, visitor: Any
) -> None:
    coordinator = visitor("coordinator")
    page = coordinator.page

    # Step 1: patient (registered here) and the question
    coordinator.go("/")
    page.get_by_role("link", name="New case").click()
    page.get_by_label("MRN").fill("E2E-001")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Lovelace")
    page.get_by_label("Date of birth").fill("1958-03-01")
    page.get_by_label("Question for the board").fill("Stabilise T11-T12 or irradiate? Fix the femur?")
    coordinator.shot("e2e-1-patient")
    page.get_by_role("button", name="Open the draft and continue").click()
    page.wait_for_url(re.compile(r"/edit/clinical/$"))
    case = Case.objects.get(patient__mrn="E2E-001")

    # Step 2: clinical data
    choose(page, "Primary histology", "breast")
    choose(page, "ECOG performance status", "1")
    page.get_by_label("Estimated survival (months)").fill("12")
    coordinator.shot("e2e-2-clinical")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/edit/lesions/$"))

    # Step 3: a thoracic lesion (SINS and ESCC fields appear, Mirels fields do not) ...
    lesion = page.locator("fieldset[data-lesion]").nth(0)
    lesion.get_by_label("Site").select_option("thoracic_spine")
    assert lesion.get_by_label("Spinal pain (SINS)").is_visible()
    assert not lesion.get_by_label("Limb pain (Mirels)").is_visible()
    lesion.get_by_label("Upper vertebral level").select_option("T11")
    lesion.get_by_label("Lower vertebral level").select_option("T12")
    lesion.get_by_label("Spinal pain (SINS)").select_option("mechanical")
    lesion.get_by_label("Radiographic type").select_option("lytic")
    lesion.get_by_label("Alignment (SINS)").select_option("de_novo_deformity")
    lesion.get_by_label("Vertebral body collapse (SINS)").select_option("gt50_collapse")
    lesion.get_by_label("Posterolateral involvement (SINS)").select_option("bilateral")
    lesion.get_by_label("Epidural spinal cord compression (Bilsky grade)").select_option("3")
    page.get_by_role("button", name="Add another lesion").click()
    # ... and a femoral one (Mirels fields appear, SINS fields do not)
    femur = page.locator("fieldset[data-lesion]").nth(1)
    femur.get_by_label("Site").select_option("femur")
    assert femur.get_by_label("Limb pain (Mirels)").is_visible()
    assert not femur.get_by_label("Spinal pain (SINS)").is_visible()
    femur.get_by_label("Part of the bone").select_option("peritrochanteric")
    femur.get_by_label("Laterality").select_option("left")
    femur.get_by_label("Limb pain (Mirels)").select_option("functional")
    femur.get_by_label("Cortical involvement (Mirels)").select_option("gt_two_thirds")
    femur.get_by_label("Radiographic type").select_option("lytic")
    assert page.locator("fieldset[data-lesion]").nth(0).get_by_label("Upper vertebral level").input_value() == "T11"
    coordinator.shot("e2e-3-lesions")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/edit/prior/$"))

    # Step 4: no prior radiotherapy; step 5: submit
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/edit/question/$"))
    coordinator.shot("e2e-5-question")
    page.get_by_role("button", name="Save and submit to the board").click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    case.refresh_from_db()
    assert case.status == "submitted" and case.lesions.count() == 2

    # The scores come from the worker: the page shows them computing and replaces them without a reload
    page.evaluate("() => { window.__notReloaded = true; }")
    page.get_by_text("Spinal instability (SINS): 16 points, unstable").wait_for(timeout=WAIT_MS)
    page.get_by_text(re.compile(r"Mirels fracture risk: 12 points")).wait_for(timeout=WAIT_MS)
    assert page.evaluate("() => window.__notReloaded === true"), "the page reloaded"
    page.get_by_text("Spinal instability (SINS): 16 points, unstable").click()
    assert page.get_by_role("cell", name="collapse of more than 50%").first.is_visible()
    assert page.get_by_text(re.compile("Fourney DR et al")).first.is_visible()
    coordinator.shot("e2e-6-case-page-flags")
    assert not axe_violations(page)

    # A radiation oncologist adds a plan and sees its dose summary (computed by the worker)
    radonc = visitor("radonc")
    radonc.go(f"/cases/{case.pk}/")
    radonc.page.get_by_role("link", name="Add a plan").click()
    radonc.page.get_by_label("Name").fill("SBRT T11-T12")
    radonc.page.get_by_label("Regimen").select_option("sbrt_spine_24gy_2fx")
    radonc.page.get_by_label("Technique").select_option("sbrt")
    radonc.page.get_by_label("Organ 1", exact=True).select_option("spinal_cord")
    radonc.page.get_by_label("Organ 1: metric").select_option("Dmax")
    radonc.page.get_by_label("Organ 1: dose (Gy)").fill("12")
    radonc.shot("e2e-7-plan-form")
    radonc.page.get_by_role("button", name="Save the plan").click()
    radonc.page.wait_for_url(re.compile(rf"/cases/{case.pk}/"))
    radonc.page.get_by_text("52.8 Gy").first.wait_for(timeout=WAIT_MS)
    radonc.page.get_by_text("pass", exact=True).first.wait_for(timeout=WAIT_MS)
    radonc.shot("e2e-8-dose-summary")

    # A clinician flags a trial criterion as wrong
    medonc = visitor("medonc")
    medonc.go(f"/cases/{case.pk}/#trials")
    medonc.page.get_by_text("Why: criterion by criterion").first.click()
    medonc.page.get_by_text("Flag as wrong").first.click()
    medonc.page.get_by_label("What is wrong?").first.fill("ECOG was 1 at the board, not 2")
    medonc.page.get_by_role("button", name="Flag this criterion").first.click()
    medonc.page.get_by_text(re.compile("flagged for the registry")).wait_for(timeout=WAIT_MS)
    medonc.shot("e2e-9-flagged")
    flag = MatchFlag.objects.get()
    assert flag.created_by == personas.medonc and flag.reason == "ECOG was 1 at the board, not 2" and flag.criterion_code
    for person in (coordinator, radonc, medonc):
        assert not person.console_errors, person.console_errors
