"""Every page in a real Chromium at 1280 and 768 px: no serious or critical axe-core violation, a label on
every field, every control reachable by keyboard, nothing wider than the window; a screenshot of each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from apps.cases.models import Case
from apps.cases.services import case_create, case_transition
from apps.dosimetry.models import DoseImportJob
from apps.dosimetry.services import plan_create
from tests.conftest import Personas
from tests.frontend.browser.conftest import WIDTHS, axe_violations, horizontal_overflow, keyboard_unreachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_reviewed_case(personas: Personas) -> Case:
    case = case_create(
        actor=personas.coordinator,
        board=personas.board,
        new_patient={"mrn": "B-1", "given_name": "Ada", "family_name": "Lovelace", "date_of_birth": date(1958, 3, 1)},
        data={
            "question": "Stabilise T11-T12, fix the femur, or irradiate?",
            "primary_histology": "breast",
            "ecog": 1,
            "urgent": True,
        },
        lesions=[
            {
                "site": "thoracic_spine",
                "level_from": "T11",
                "level_to": "T12",
                "spinal_pain": "mechanical",
                "radiographic_type": "lytic",
                "alignment": "de_novo_deformity",
                "vertebral_collapse": "gt50_collapse",
                "posterolateral_involvement": "bilateral",
                "epidural_compression_grade": "3",
            },
            {
                "site": "femur",
                "subsite": "peritrochanteric",
                "pain": "functional",
                "cortical_involvement": "gt_two_thirds",
                "radiographic_type": "lytic",
            },
        ],
        prior_courses=[{"region": "T10", "total_dose_gy": 30, "fractions": 10, "date": date(2025, 1, 1)}],
    )
    case_transition(actor=personas.coordinator, case_id=case.pk, target="submitted")
    plan = plan_create(
        actor=personas.radonc,
        case=case,
        data={
            "name": "SBRT T11-T12",
            "regimen_code": "sbrt_spine_24gy_2fx",
            "region": "T11",
            "oar_metrics": {"spinal_cord": {"Dmax": 12.0}},
        },
    )
    from apps.core.models import Job

    # Dose imports run as core Jobs (issue 10): the status, progress and error live on the job.
    failed = Job.objects.create(kind=Job.Kind.DOSE_IMPORT, status=Job.Status.FAILED, error="line 2: dose_gy is not a number")
    DoseImportJob.objects.create(plan=plan, kind="csv_dvh", csv_text="x", job=failed)
    return case


def pages(case: Case) -> list[tuple[str, str, str]]:
    plan = case.radiotherapy_plans.get()
    job = DoseImportJob.objects.get()
    return [
        ("coordinator", "home-coordinator", "/"),
        ("coordinator", "case-list", "/cases/?status=submitted"),
        ("coordinator", "case-page", f"/cases/{case.pk}/"),
        ("coordinator", "intake-patient", "/cases/new/"),
        ("coordinator", "intake-clinical", f"/cases/{case.pk}/edit/clinical/"),
        ("coordinator", "intake-lesions", f"/cases/{case.pk}/edit/lesions/"),
        ("coordinator", "intake-prior", f"/cases/{case.pk}/edit/prior/"),
        ("coordinator", "intake-question", f"/cases/{case.pk}/edit/question/"),
        ("surgeon", "home-clinician", "/"),
        ("radonc", "plan-new", f"/cases/{case.pk}/plans/new/"),
        ("radonc", "plan-edit", f"/cases/{case.pk}/plans/{plan.pk}/"),
        ("radonc", "plan-import", f"/cases/{case.pk}/plans/{plan.pk}/import/"),
        ("radonc", "import-progress", f"/dose-imports/{job.pk}/"),
        ("auditor", "home-administrator", "/"),
        ("auditor", "registry-trials", "/registry/trials/"),
        ("auditor", "registry-flags", "/registry/match-flags/?state=all"),
        ("auditor", "reports", "/reports/"),
    ]


def check_page(person: Any, name: str, width: int) -> list[str]:
    page = person.page
    problems = []
    # open every breakdown so axe also checks what a click reveals
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    for violation in axe_violations(page):
        targets = [node["target"] for node in violation["nodes"][:3]]
        problems.append(f"{name}@{width}: axe {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map(el => el.name || el.id)"""
    )
    if unlabelled:
        problems.append(f"{name}@{width}: fields without a label: {unlabelled}")
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"{name}@{width}: the page is {overflow}px wider than the window")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")
    if width == WIDTHS[0]:
        unreachable = keyboard_unreachable(page)
        if unreachable:
            problems.append(f"{name}@{width}: not reachable by keyboard: {unreachable[:5]}")
    return problems


def test_every_page_is_accessible_keyboard_reachable_and_fits_1280_and_768(
    personas: Personas, visitor: Any, seeded_registry: None, seeded_catalogue: None
) -> None:
    case = a_reviewed_case(personas)
    problems: list[str] = []
    people: dict[tuple[str, int], Any] = {}
    for width in WIDTHS:
        for username, name, path in pages(case):
            key = (username, width)
            if key not in people:
                people[key] = visitor(username, width)
            person = people[key]
            person.go(path)
            assert person.page.locator("main h1").count() >= 1, f"{name}: no heading"
            person.shot(f"{name}-{width}")
            problems += check_page(person, name, width)
    errors = [e for person in people.values() for e in person.console_errors]
    assert not errors, errors
    assert not problems, "\n".join(problems)


def test_login_page_is_accessible(chromium: Any, live_server: Any) -> None:
    from tests.frontend.browser.conftest import Visitor

    person = Visitor(chromium, live_server.url)
    try:
        person.go("/login/")
        person.shot("login-1280")
        assert not axe_violations(person.page)
        assert not keyboard_unreachable(person.page)
    finally:
        person.close()
