"""The registry admin: pages render for staff; administrators add and edit trials through the services
(validated criteria, a new version, an audit row, re-matching on commit); everything else is read-only."""

from __future__ import annotations

import copy
import json
from typing import Any, cast

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.trials import services
from apps.trials.engine import load_seed_trials
from apps.trials.models import Trial, TrialMatch, TrialVersion
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.trials.test_matching import make_breast_case

pytestmark = pytest.mark.django_db

TRIAL = "NCT03862911"


def test_admin_pages_render(personas: Personas, registrar: Client) -> None:
    services.case_match_trials(make_breast_case(personas).pk)
    staff = cast(User, UserFactory(username="staff", is_staff=True, is_superuser=True))
    client = Client()
    client.force_login(staff)
    trial = Trial.objects.get(identifier="NCT03862911")
    for url in (
        "/admin/trials/trial/",
        "/admin/trials/trial/?status__exact=recruiting",
        f"/admin/trials/trial/{trial.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    # Versions and matches are read by those who audit (GuardedAdmin), not by a superuser flag: matches are
    # case data (tests/security/test_admin_walk.py).
    for url in ("/admin/trials/trialversion/", "/admin/trials/trialmatch/"):
        assert registrar.get(url).status_code == 200, url
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/trials/trial/add/").status_code == 403


# --- editing the registry in the admin -------------------------------------------------------------------


def change_url(trial: Trial) -> str:
    return f"/admin/trials/trial/{trial.pk}/change/"


ADD_URL = "/admin/trials/trial/add/"


@pytest.fixture
def registrar(personas: Personas) -> Client:
    """The administrator (registry editor) signed in to the admin; not a superuser."""
    admin_user = personas.administrator
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(admin_user)
    return client


def form_data(client: Client, url: str) -> dict[str, Any]:
    """The admin form as the browser would post it back untouched (fields and inline management forms)."""
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_registrar_edits_criteria_new_version_audit_and_rematch(
    personas: Personas, registrar: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Given a case matched as eligible, when an administrator narrows a criterion in the admin, then the
    trial gets version 2 with that criterion, an audit row names the administrator, and the case is
    re-matched against version 2 after commit."""
    case = make_breast_case(personas)
    services.case_match_trials(case.pk)
    trial = Trial.objects.get(identifier=TRIAL)
    seeded = trial.current_version  # the version the seed migrations left (2 since registry v3)
    assert TrialMatch.objects.get(case=case, trial=trial).eligibility == "eligible"
    data = form_data(registrar, change_url(trial))
    criteria = json.loads(data["criteria"])
    criteria[1]["rule"] = {"field": "metastases_count", "op": "between", "value": [1, 1]}
    data["criteria"] = json.dumps(criteria)
    data["summary"] = "Narrowed to a single metastasis (admin edit)."

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = registrar.post(change_url(trial), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert callbacks, "the re-match is enqueued on commit"
    trial.refresh_from_db()
    assert trial.current_version == seeded + 1
    assert trial.summary == "Narrowed to a single metastasis (admin edit)."
    version = TrialVersion.objects.get(trial=trial, version=seeded + 1)
    assert version.created_by == personas.administrator
    assert version.definition["criteria"][1]["rule"]["value"] == [1, 1]
    assert version.definition["sources"] == services.trial_definition(trial)["sources"]  # kept from v1
    entry = AuditEntry.objects.get(event="trial.updated", subject_id=str(trial.pk))
    assert entry.actor == personas.administrator
    assert entry.before is not None and entry.before["version"] == seeded
    assert entry.after is not None and entry.after["version"] == seeded + 1
    match = TrialMatch.objects.get(case=case, trial=trial)
    assert match.trial_version == version and match.eligibility == "ineligible"


def test_registrar_criteria_typo_is_a_form_error_and_nothing_is_saved(
    registrar: Client, django_capture_on_commit_callbacks: Any
) -> None:
    trial = Trial.objects.get(identifier=TRIAL)
    seeded = trial.current_version
    data = form_data(registrar, change_url(trial))
    criteria = json.loads(data["criteria"])
    criteria[1]["rule"]["field"] = "metastasis_count"
    data["criteria"] = json.dumps(criteria)
    data["summary"] = "This change must not be saved either."

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = registrar.post(change_url(trial), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["criteria"]
    assert "criteria[1].rule.field" in errors["criteria"][0] and "metastases_count" in errors["criteria"][0]
    assert not callbacks
    trial.refresh_from_db()
    assert trial.current_version == seeded and trial.summary != "This change must not be saved either."
    assert TrialVersion.objects.filter(trial=trial).count() == seeded
    assert not AuditEntry.objects.filter(event="trial.updated").exists()


def test_registrar_invalid_json_and_empty_criteria_are_form_errors(registrar: Client) -> None:
    trial = Trial.objects.get(identifier=TRIAL)
    seeded = trial.current_version
    data = form_data(registrar, change_url(trial))
    for bad in ("[{", "[]", '{"code": "x"}'):
        response = registrar.post(change_url(trial), {**data, "criteria": bad})
        assert response.status_code == 200, bad
        assert list(response.context["adminform"].form.errors) == ["criteria"], bad
    assert TrialVersion.objects.filter(trial=trial).count() == seeded


def test_registrar_saving_an_untouched_form_makes_no_version(registrar: Client) -> None:
    trial = Trial.objects.get(identifier=TRIAL)
    seeded = trial.current_version
    response = registrar.post(change_url(trial), form_data(registrar, change_url(trial)))
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.current_version == seeded
    assert not AuditEntry.objects.filter(event="trial.updated").exists()


def test_registrar_identifier_cannot_change(registrar: Client) -> None:
    trial = Trial.objects.get(identifier=TRIAL)
    data = {**form_data(registrar, change_url(trial)), "identifier": "NCT99999999"}
    assert registrar.post(change_url(trial), data).status_code == 302
    assert not Trial.objects.filter(identifier="NCT99999999").exists()
    assert Trial.objects.filter(pk=trial.pk, identifier=TRIAL).exists()


def test_registrar_adds_a_trial_as_version_1(
    registrar: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    seed = copy.deepcopy(next(t for t in load_seed_trials() if t["identifier"] == TRIAL))
    data = {
        **form_data(registrar, ADD_URL),
        "identifier": "NCT00000042",
        "short_name": "ADMIN-TEST",
        "title": "A trial added in the admin",
        "phase": "2",
        "status": "recruiting",
        "sponsor": "",
        "summary": "Added through the admin form.",
        "criteria": json.dumps(seed["criteria"]),
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = registrar.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert len(callbacks) == 1
    trial = Trial.objects.get(identifier="NCT00000042")
    assert trial.current_version == 1 and trial.sponsor is None and trial.phase == "2"
    version = TrialVersion.objects.get(trial=trial)
    assert version.definition["criteria"] == seed["criteria"] and version.created_by == personas.administrator
    assert AuditEntry.objects.get(event="trial.created", subject_id=str(trial.pk)).actor == personas.administrator


def test_registrar_add_with_typo_or_taken_identifier_saves_nothing(registrar: Client) -> None:
    seed = copy.deepcopy(next(t for t in load_seed_trials() if t["identifier"] == TRIAL))
    seed["criteria"][0]["rule"]["field"] = "primary_controled"
    base = {
        **form_data(registrar, ADD_URL),
        "short_name": "ADMIN-TEST",
        "title": "A trial added in the admin",
        "status": "recruiting",
        "summary": "Added through the admin form.",
    }
    typo = registrar.post(ADD_URL, {**base, "identifier": "NCT00000042", "criteria": json.dumps(seed["criteria"])})
    assert typo.status_code == 200
    assert list(typo.context["adminform"].form.errors) == ["criteria"]
    taken = registrar.post(ADD_URL, {**base, "identifier": TRIAL, "criteria": json.dumps(seed["criteria"][1:])})
    assert taken.status_code == 200
    assert "identifier" in taken.context["adminform"].form.errors
    assert not Trial.objects.filter(identifier="NCT00000042").exists()
    assert not AuditEntry.objects.filter(event="trial.created").exists()


def _refused(response: Any) -> bool:
    """403, or (a clinician made staff by mistake: the admin site lets in only auditors and IT staff) sent
    back to the admin's sign-in page."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"].startswith("/admin/login/"))


def test_non_administrators_may_not_add_or_change_trials(personas: Personas, registrar: Client) -> None:
    """Staff without the registry permission get 403 on add and change, even as superusers; nothing saved."""
    trial = Trial.objects.get(identifier=TRIAL)
    seeded = trial.current_version
    data = form_data(registrar, change_url(trial))
    edited = {**data, "summary": "Edited by someone who may not."}
    superuser = cast(User, UserFactory(username="su", role=Role.COORDINATOR, is_staff=True, is_superuser=True))
    clinician = cast(User, UserFactory(username="staff_surgeon", role=Role.SURGEON, is_staff=True))
    for user in (superuser, clinician):
        client = Client()
        client.force_login(user)
        assert _refused(client.post(change_url(trial), edited)), user
        assert _refused(client.post(ADD_URL, {**data, "identifier": "NCT00000043"})), user
        assert _refused(client.get(ADD_URL)), user
    trial.refresh_from_db()
    assert trial.current_version == seeded and trial.summary != "Edited by someone who may not."
    assert not Trial.objects.filter(identifier="NCT00000043").exists()
    assert not AuditEntry.objects.filter(event__in=("trial.created", "trial.updated")).exists()


def test_versions_matches_and_referrals_stay_read_only_for_administrators(personas: Personas, registrar: Client) -> None:
    services.case_match_trials(make_breast_case(personas).pk)
    trial = Trial.objects.get(identifier=TRIAL)
    version = TrialVersion.objects.get(trial=trial, version=trial.current_version)
    match = TrialMatch.objects.filter(trial=trial).first()
    assert match is not None
    for model in ("trialversion", "trialmatch", "trialreferral"):
        assert registrar.get(f"/admin/trials/{model}/add/").status_code == 403, model
    assert registrar.post(f"/admin/trials/trialversion/{version.pk}/change/", {"version": 7}).status_code == 403
    assert registrar.post(f"/admin/trials/trialmatch/{match.pk}/change/", {"eligibility": "eligible"}).status_code == 403
    assert registrar.post(f"/admin/trials/trial/{trial.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Trial.objects.filter(pk=trial.pk).exists()


def test_registrar_sees_the_registry_and_viewers_see_criteria_read_only(personas: Personas, registrar: Client) -> None:
    trial = Trial.objects.get(identifier=TRIAL)
    assert "/admin/trials/trial/" in registrar.get("/admin/").content.decode()
    assert registrar.get("/admin/trials/trial/").status_code == 200
    page = registrar.get(change_url(trial)).content.decode()
    assert '<textarea name="criteria"' in page and "metastases_count" in page

    viewer = Client()
    viewer.force_login(cast(User, UserFactory(username="su", role=Role.COORDINATOR, is_staff=True, is_superuser=True)))
    page = viewer.get(change_url(trial)).content.decode()
    assert '<textarea name="criteria"' not in page
    assert "<pre>" in page and "metastases_count" in page
