"""No patient identifiers in URLs, logs or error messages (issue 15).

The demo is seeded and its pages and API are driven as every demo role, with every log record of
``django``, ``django.request``, ``django.server``, ``celery``, ``tumorboard`` and ``apps`` captured at DEBUG;
none may hold a demo patient's name or MRN, and neither may any link or form target of the pages. The
admin's history (``LogEntry``) and any ``str(patient)`` carry the public id, and no admin search box is
keyed on names or MRNs (its search is a GET: the text would reach access logs).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.cases.models import Case, Patient
from apps.meetings.models import Meeting
from tests.conftest import Personas
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

LOGGERS = ("django", "django.request", "django.server", "celery", "tumorboard", "apps")
DEMO_USERS = ("coordinator", "surgeon", "radonc", "medonc", "radiologist", "pathologist", "auditor")
IDENTIFYING_FIELDS = ("mrn", "given_name", "family_name", "date_of_birth")


@pytest.fixture
def demo(db: None, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", cases=6, verbosity=0)


@pytest.fixture
def captured_logs(demo: None) -> Iterator[io.StringIO]:
    """Attached after seeding: the seeding reconfigures logging (Django's setup), dropping handlers."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield buffer
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _identifiers() -> set[str]:
    found: set[str] = set()
    for mrn, given, family in Patient.objects.values_list("mrn", "given_name", "family_name"):
        found |= {mrn, family, f"{given} {family}", f"{family}, {given}"}
    assert len(found) >= 12
    return found


LINK = re.compile(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"')


def _drive(user: User, urls: list[str]) -> list[str]:
    """GET every page and endpoint (plus an unknown id and a bad body); returns every link of the pages."""
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    links: list[str] = []
    for url in urls:
        response = (api if url.startswith("/api/") else page).get(url)
        assert response.status_code < 500, (user.username, url, response.status_code)
        if response.get("Content-Type", "").startswith("text/html"):
            links += LINK.findall(response.content.decode())
    api.get("/api/v1/cases/987654/")  # 404s are logged with their path
    patient = Patient.objects.order_by("pk").first()
    assert patient is not None
    api.post("/api/v1/cases/", {"board": 987654, "patient": patient.pk}, format="json")  # a 400, logged
    page.post("/cases/", {"q": patient.mrn})  # the search text travels in the body
    page.post("/cases/", {"q": patient.family_name})
    return links


def _urls() -> list[str]:
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:3])
    meeting = Meeting.objects.order_by("pk").first()
    urls = ["/", "/cases/", "/meetings/", "/meetings/notifications/", "/registry/trials/", "/audit/", "/reports/"]
    urls += ["/api/v1/cases/", "/api/v1/patients/", "/api/v1/meetings/", "/api/v1/audit/entries/"]
    for pk in case_ids:
        urls += [f"/cases/{pk}/", f"/cases/{pk}/decisions/", f"/cases/{pk}/discussion/", f"/audit/cases/{pk}/"]
        urls += [f"/api/v1/cases/{pk}/", f"/api/v1/cases/{pk}/decisions/", f"/api/v1/cases/{pk}/trial-matches/"]
    if meeting is not None:
        urls += [f"/meetings/{meeting.pk}/", f"/api/v1/meetings/{meeting.pk}/agenda/"]
    return urls


def test_demo_pages_and_api_log_no_patient_name_or_mrn(captured_logs: io.StringIO) -> None:
    identifiers = _identifiers()
    urls = _urls()
    links: list[str] = []
    for username in DEMO_USERS:
        links += _drive(User.objects.get(username=username), urls)
    logged = captured_logs.getvalue()
    assert "Not Found: /api/v1/cases/987654/" in logged  # the capture really holds django.request's records
    assert "Bad Request: /api/v1/cases/" in logged
    leaked = sorted(text for text in identifiers if text in logged)
    assert not leaked, f"patient identifiers in the logs: {leaked}"
    in_links = sorted({link for link in links for text in identifiers if text in link})
    assert not in_links, f"patient identifiers in URLs of the pages: {in_links}"


def test_str_of_a_patient_is_its_public_id(personas: Personas) -> None:
    patient = PatientFactory(mrn="H-9931", given_name="Ottoline", family_name="Quillfeather")
    text = str(patient)
    assert str(patient.uuid) in text
    assert "H-9931" not in text and "Quillfeather" not in text and "Ottoline" not in text


def test_admin_history_of_a_patient_holds_no_name_or_mrn(personas: Personas) -> None:
    patient = PatientFactory(mrn="H-9932", given_name="Ottoline", family_name="Quillfeather")
    request = RequestFactory().post("/admin/")
    request.user = personas.administrator
    admin.site._registry[Patient].log_change(request, patient, [{"changed": {"fields": ["Sex"]}}])
    entry = LogEntry.objects.get(object_id=str(patient.pk))
    stored = f"{entry.object_repr} {entry.change_message}"
    assert "H-9932" not in stored and "Quillfeather" not in stored and "Ottoline" not in stored


def test_no_admin_search_box_is_keyed_on_patient_identifiers() -> None:
    offending = {
        type(model_admin).__name__: [f for f in model_admin.search_fields if f.split("__")[-1] in IDENTIFYING_FIELDS]
        for model_admin in admin.site._registry.values()
    }
    offending = {name: fields for name, fields in offending.items() if fields}
    assert not offending, f"admin search is a GET (?q= reaches access logs): {offending}"
    # The clinical records have no search box at all (a question, rationale, comment or opinion may name the
    # patient too: the searched text would be in the URL all the same).
    from apps.decisions.models import Decision, FollowUp
    from apps.discussion.models import Comment, Opinion

    for model in (Patient, Case, Decision, FollowUp, Comment, Opinion):
        assert not admin.site._registry[model].search_fields, model.__name__


def test_case_search_is_posted_and_a_search_text_in_the_url_is_ignored(personas: Personas) -> None:
    from tests.factories import CaseFactory

    client = Client()
    client.force_login(personas.coordinator)
    mine = CaseFactory(board=personas.board, patient=PatientFactory(institution=personas.board.institution, mrn="H-5501"))
    other = CaseFactory(board=personas.board)
    html = client.get("/cases/").content.decode()
    assert re.search(r'<form[^>]+id="case-search"[^>]+method="post"', html)
    assert "hx-push-url" not in html
    # A GET ?q= (an old bookmark) is not honoured: the MRN would already be in the logs by then.
    listed = client.get("/cases/?q=H-5501").content.decode()
    assert f"/cases/{other.pk}/" in listed
    posted = client.post("/cases/", {"q": "H-5501"}).content.decode()
    assert f"/cases/{mine.pk}/" in posted and f"/cases/{other.pk}/" not in posted


def _report(sections: list[tuple[str, str]], when: str = "call") -> pytest.TestReport:
    return pytest.TestReport("tests/x.py::test_x", ("x.py", 1, "test_x"), {}, "passed", None, when, sections)  # type: ignore[arg-type]


def test_the_suite_wide_log_scan_finds_demo_mrns_and_names(demo: None) -> None:
    """The scan over every test's captured log (tests/identifier_log_scan.py) finds what it looks for, in
    the forms the demo's patients have, and nothing in clean lines."""
    from tests.identifier_log_scan import leaks_in

    patient = Patient.objects.filter(mrn__startswith="DEMO").order_by("pk").first()
    assert patient is not None
    leaking = [
        ("Captured log call", f"WARNING django.request Bad Request: /api/v1/patients/?q={patient.mrn}"),
        ("Captured stderr setup", f"2026-12-02 INFO apps.cases saved {patient.given_name} {patient.family_name}"),
        ("Captured log teardown", f"INFO tumorboard {patient.family_name}, {patient.given_name} signed"),
    ]
    found = [leak.found for when in ("setup", "call", "teardown") for leak in leaks_in(_report(leaking, when))]
    assert found == [
        f"{patient.given_name} {patient.family_name}",
        patient.mrn,
        f"{patient.family_name}, {patient.given_name}",
    ]
    clean = [("Captured log call", "WARNING django.request Not Found: /api/v1/cases/987654/ DEMO12345 Smithson")]
    assert leaks_in(_report(clean)) == []
    # Captured stdout (the console email backend, a command's output) is not a log.
    assert leaks_in(_report([("Captured stdout call", patient.mrn)])) == []


def test_the_suite_wide_log_scan_is_wired_into_the_suite(pytestconfig: pytest.Config) -> None:
    """The scan's hooks are registered for this run (imported into tests/conftest.py)."""
    from tests import identifier_log_scan

    registered = {impl.function for impl in pytestconfig.hook.pytest_runtest_logreport.get_hookimpls()}
    assert identifier_log_scan.pytest_runtest_logreport in registered
    finishing = {impl.function for impl in pytestconfig.hook.pytest_sessionfinish.get_hookimpls()}
    assert identifier_log_scan.pytest_sessionfinish in finishing
