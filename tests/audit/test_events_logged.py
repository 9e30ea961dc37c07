"""What goes to the trail besides the services' writes: sign-ins, failed sign-ins, tokens, admin actions, reads."""

from __future__ import annotations

from django.contrib import admin as django_admin
from django.test import Client, RequestFactory

from apps.accounts.models import Board, User
from apps.accounts.roles import Role
from apps.audit.admin_site import AuditedModelAdmin
from apps.audit.events import AuditEvent
from apps.audit.models import AuditEntry
from apps.audit.verification import verify_chain
from tests.conftest import Personas
from tests.factories import BoardFactory, CaseFactory, InstitutionFactory, PatientFactory, UserFactory

PASSWORD = "pw-for-tests"


def entries(event: AuditEvent) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=event).order_by("sequence"))


def test_a_web_sign_in_and_sign_out_are_logged_with_role_and_ip(personas: Personas) -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    response = client.post("/login/", {"username": "radonc", "password": PASSWORD})
    assert response.status_code == 302
    (login,) = entries(AuditEvent.LOGIN)
    assert (login.actor, login.actor_role, login.ip_address) == (personas.radonc, "radiation_oncologist", "203.0.113.5")
    assert (login.subject_type, login.subject_id) == ("accounts.user", str(personas.radonc.pk))
    client.post("/logout/")
    (logout,) = entries(AuditEvent.LOGOUT)
    assert logout.actor == personas.radonc


def test_a_failed_sign_in_is_logged_without_the_password(personas: Personas) -> None:
    response = Client(REMOTE_ADDR="203.0.113.6").post("/login/", {"username": "radonc", "password": "wrong-password-42"})
    assert response.status_code == 200  # the form again
    (failed,) = entries(AuditEvent.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_label == "radonc" and failed.ip_address == "203.0.113.6"
    assert failed.after == {"account_id": personas.radonc.pk}
    assert "wrong-password-42" not in str(failed.after) + failed.reason
    assert not entries(AuditEvent.LOGIN)
    Client().post("/login/", {"username": "nobody-of-that-name", "password": "x"})
    assert entries(AuditEvent.LOGIN_FAILED)[-1].after == {"account_id": None}


def test_the_token_endpoint_logs_tokens_issued_and_refused(personas: Personas) -> None:
    client = Client(REMOTE_ADDR="198.51.100.20")
    ok = client.post("/api/v1/auth/token/", {"username": "surgeon", "password": PASSWORD}, content_type="application/json")
    assert ok.status_code == 200 and set(ok.json()) == {"token"}
    (issued,) = entries(AuditEvent.TOKEN_ISSUED)
    assert (issued.actor, issued.ip_address) == (personas.surgeon, "198.51.100.20")
    refused = client.post("/api/v1/auth/token/", {"username": "surgeon", "password": "nope"}, content_type="application/json")
    assert refused.status_code == 400
    (failed,) = entries(AuditEvent.LOGIN_FAILED)
    assert failed.actor_label == "surgeon" and failed.ip_address == "198.51.100.20"
    assert len(entries(AuditEvent.TOKEN_ISSUED)) == 1


def test_every_admin_change_is_logged_add_change_and_delete(db: None) -> None:
    staff = UserFactory(username="staff", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    institution = InstitutionFactory(name="North Hospital", code="north")
    client = Client()
    client.force_login(staff)
    add = client.post("/admin/accounts/board/add/", {"name": "Spine board", "institution": institution.pk, "quorum": 3})
    assert add.status_code == 302, add.content[:500]
    board = Board.objects.get(name="Spine board")
    (added,) = entries(AuditEvent.ADMIN_ADDED)
    assert (added.actor, added.subject_type, added.subject_id, added.board_id) == (staff, "accounts.board", str(board.pk), None)
    assert added.after["fields"]["name"] == "Spine board"

    change = client.post(
        f"/admin/accounts/board/{board.pk}/change/", {"name": "Spine board", "institution": institution.pk, "quorum": 4}
    )
    assert change.status_code == 302
    (changed,) = entries(AuditEvent.ADMIN_CHANGED)
    assert changed.after["fields"]["quorum"] == 4
    assert changed.after["change_message"] == [{"changed": {"fields": ["Quorum"]}}]

    # Deletions: main's access admin deletes nothing, so exercise the hook that Django's delete view and
    # its bulk "delete selected" action both call, on the wrapped class.
    other = BoardFactory(name="Spare board", institution=institution)
    request = RequestFactory().post("/admin/")
    request.user = staff
    django_admin.site._registry[Board].log_deletions(request, Board.objects.filter(pk__in=[board.pk, other.pk]))
    deleted = entries(AuditEvent.ADMIN_DELETED)
    assert sorted(e.subject_id for e in deleted) == sorted([str(board.pk), str(other.pk)])
    assert {e.before["name"] for e in deleted} == {"Spine board", "Spare board"}
    assert verify_chain().intact


def test_every_registered_admin_is_audited() -> None:
    unaudited = [
        model._meta.label
        for model, model_admin in django_admin.site._registry.items()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]
    assert unaudited == []


def test_an_admin_role_change_is_logged(db: None) -> None:
    """Issue 15's example: a change of rights through the admin is on the trail."""
    staff = UserFactory(username="staff", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    target = UserFactory(username="target", role=Role.RADIOLOGIST)
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/accounts/user/{target.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update({"username": "target", "role": Role.SURGEON, "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"})
    data.pop("password", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert User.objects.get(pk=target.pk).role == Role.SURGEON
    (changed,) = entries(AuditEvent.ADMIN_CHANGED)
    assert changed.subject_id == str(target.pk) and changed.after["fields"]["role"] == "surgeon"


def test_reads_of_a_case_and_a_patient_are_logged_api_and_page(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    api = personas.client(personas.radiologist)
    assert api.get(f"/api/v1/cases/{case.pk}/", REMOTE_ADDR="192.0.2.10").status_code == 200
    (read,) = entries(AuditEvent.CASE_READ)
    assert (read.actor, read.case_id, read.patient_id, read.board_id) == (
        personas.radiologist,
        case.pk,
        case.patient_id,
        case.board_id,
    )
    assert read.after == {"via": "api"} and read.ip_address == "192.0.2.10"

    page = Client()
    page.force_login(personas.medonc)
    assert page.get(f"/cases/{case.pk}/").status_code == 200
    assert entries(AuditEvent.CASE_READ)[-1].actor == personas.medonc
    assert entries(AuditEvent.CASE_READ)[-1].after == {"via": "case page"}

    assert api.get(f"/api/v1/patients/{case.patient_id}/").status_code == 200
    (patient_read,) = entries(AuditEvent.PATIENT_READ)
    assert patient_read.patient_id == case.patient_id and patient_read.subject_label == f"patient {case.patient_id}"


def test_a_refused_read_is_not_a_read(personas: Personas) -> None:
    case = CaseFactory(board=personas.board)
    assert personas.client(personas.other_member).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    page = Client()
    page.force_login(personas.other_member)
    assert page.get(f"/cases/{case.pk}/").status_code == 404
    assert not entries(AuditEvent.CASE_READ)


def test_no_patient_name_or_mrn_reaches_the_trail_labels(personas: Personas) -> None:
    patient = PatientFactory(family_name="Hopper", mrn="MRN-HOPPER-9", institution=personas.board.institution)
    case = CaseFactory(board=personas.board, patient=patient)
    personas.client(personas.radiologist).get(f"/api/v1/patients/{patient.pk}/")
    personas.client(personas.radiologist).get(f"/api/v1/cases/{case.pk}/")
    labels = " ".join(f"{e.subject_label} {e.actor_label} {e}" for e in AuditEntry.objects.all())
    assert "Hopper" not in labels and "MRN-HOPPER-9" not in labels


def test_the_audit_admin_is_read_only_and_for_auditors_only(personas: Personas) -> None:
    it_staff = UserFactory(username="it", role=Role.COORDINATOR, is_staff=True, is_superuser=True)
    auditor = UserFactory(username="auditor2", role=Role.ADMINISTRATOR, is_staff=True)
    CaseFactory(board=personas.board)
    personas.client(personas.radonc).get(f"/api/v1/cases/{CaseFactory(board=personas.board).pk}/")
    entry = AuditEntry.objects.filter(event=AuditEvent.CASE_READ).get()
    as_auditor = Client()
    as_auditor.force_login(auditor)
    assert as_auditor.get("/admin/audit/auditentry/").status_code == 200
    assert as_auditor.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    assert as_auditor.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    as_it = Client()
    as_it.force_login(it_staff)
    assert as_it.get("/admin/audit/auditentry/").status_code == 403  # access managers are not auditors
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
