"""The admin: administrators audit and curate; they change no clinical content, no derived result and
nobody's access there, and nothing bypasses the services' audit rows (issues 10 and 15)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import BoardMembership, User
from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.cases.models import Case
from tests.conftest import Personas
from tests.factories import CaseFactory, UserFactory


@pytest.fixture
def auditor(personas: Personas) -> User:
    user = personas.administrator
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def it_staff(db: None) -> User:
    return UserFactory(username="it", role=Role.COORDINATOR, is_staff=True, is_superuser=True)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_auditor_reads_clinical_records_but_cannot_change_or_delete_them(personas: Personas, auditor: User) -> None:
    case = CaseFactory(board=personas.board, question="Fix the femur?")
    client = _client(auditor)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200  # the view-only page
    response = client.post(f"/admin/cases/case/{case.pk}/change/", {"question": "changed", "status": "submitted"})
    assert response.status_code == 403
    assert client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/cases/case/add/").status_code == 403
    case.refresh_from_db()
    assert case.question == "Fix the femur?"
    assert Case.objects.filter(pk=case.pk).exists()


def test_derived_results_offer_no_delete(personas: Personas, auditor: User) -> None:
    from apps.risk.services import risk_assess_case

    case = CaseFactory(board=personas.board)
    risk_assess_case(case_id=case.pk)
    from apps.risk.models import RiskAssessment

    assessment = RiskAssessment.objects.get(case=case)
    client = _client(auditor)
    assert client.get(f"/admin/risk/riskassessment/{assessment.pk}/change/").status_code == 200
    assert client.post(f"/admin/risk/riskassessment/{assessment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RiskAssessment.objects.filter(pk=assessment.pk).exists()


def test_no_admin_page_shows_api_tokens(it_staff: User) -> None:
    client = _client(it_staff)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert b"authtoken" not in client.get("/admin/").content


def test_superuser_flag_does_not_open_clinical_content(personas: Personas, it_staff: User) -> None:
    """IT staff manage access; they hold no role permission to change clinical records either."""
    case = CaseFactory(board=personas.board, question="Q?")
    response = _client(it_staff).post(f"/admin/cases/case/{case.pk}/change/", {"question": "changed"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.question == "Q?"


def test_auditor_cannot_change_its_own_role_or_memberships(personas: Personas, auditor: User) -> None:
    client = _client(auditor)
    response = client.post(
        f"/admin/accounts/user/{auditor.pk}/change/",
        {"username": auditor.username, "role": Role.SURGEON, "is_active": "on", "is_staff": "on"},
    )
    assert response.status_code == 403
    add = client.post("/admin/accounts/boardmembership/add/", {"board": personas.board.pk, "user": auditor.pk})
    assert add.status_code == 403
    auditor.refresh_from_db()
    assert auditor.role == Role.ADMINISTRATOR
    assert not BoardMembership.objects.filter(user=auditor).exists()


def test_access_manager_changes_another_users_role_with_an_audit_row(personas: Personas, it_staff: User) -> None:
    target = personas.surgeon
    response = _client(it_staff).post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "username": target.username,
            "role": Role.MEDICAL_ONCOLOGIST,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert target.role == Role.MEDICAL_ONCOLOGIST
    entry = AuditEntry.objects.get(event="access.user_changed", subject_id=str(target.pk))
    assert entry.actor == it_staff
    assert entry.before["role"] == Role.SURGEON
    assert entry.after["role"] == Role.MEDICAL_ONCOLOGIST


def test_access_manager_cannot_change_their_own_access(it_staff: User) -> None:
    response = _client(it_staff).post(
        f"/admin/accounts/user/{it_staff.pk}/change/",
        {"username": it_staff.username, "role": Role.SURGEON, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    it_staff.refresh_from_db()
    assert it_staff.role == Role.COORDINATOR


def test_membership_added_by_access_manager_is_audited(personas: Personas, it_staff: User) -> None:
    response = _client(it_staff).post(
        "/admin/accounts/boardmembership/add/", {"board": personas.other_board.pk, "user": personas.radonc.pk}
    )
    assert response.status_code == 302
    membership = BoardMembership.objects.get(board=personas.other_board, user=personas.radonc)
    entry = AuditEntry.objects.get(event="access.membership_changed", subject_id=str(membership.pk))
    assert entry.actor == it_staff
    assert entry.board_id == personas.other_board.pk


def test_seed_demo_auditor_is_staff_but_not_superuser(db: None) -> None:
    from django.core.management import call_command

    call_command("seed_demo", cases=1, verbosity=0)
    auditor = User.objects.get(username="auditor")
    assert auditor.is_staff
    assert not auditor.is_superuser


def test_disabling_an_account_in_the_admin_ends_its_sessions_and_revokes_its_tokens(personas: Personas, it_staff: User) -> None:
    """The way IT staff disable an account (the admin's change form) ends the account's sessions and
    revokes its API tokens at once, like any other save of ``is_active = False``."""
    from django.contrib.sessions.models import Session

    from apps.accounts import services
    from apps.accounts.models import ApiToken

    target = personas.medonc
    _, key = services.api_token_create(user=target)
    session = _client(target)
    assert session.get("/").status_code == 200
    response = _client(it_staff).post(
        f"/admin/accounts/user/{target.pk}/change/",
        {"username": target.username, "role": target.role, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )  # "is_active" left out: the box unticked
    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert not target.is_active
    assert not Session.objects.filter(session_key=session.session.session_key).exists()
    assert ApiToken.objects.get(user=target).revoked_because == "account_disabled"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/boards/").status_code == 401
