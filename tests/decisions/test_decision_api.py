"""Decisions through the contract's endpoints: drafts, signing by the chair, immutability, amendments."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from apps.audit.models import AuditEntry
from apps.decisions.models import Decision
from apps.meetings.models import Notification
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, Sitting, draft_body, sitting

CONTRACT_FIELDS = {
    "id",
    "version",
    "status",
    "meeting",
    "intent",
    "actions",
    "rationale",
    "consensus",
    "dissent",
    "quorum_met",
    "amends",
    "signed_by",
    "signed_at",
}


def _create(p: Personas, s: Sitting, **overrides: object) -> dict:
    response = p.client(p.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s, **overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _sign(p: Personas, decision_id: int, password: str = PASSWORD, user=None):
    return p.client(user or p.radonc).post(f"/api/v1/decisions/{decision_id}/sign/", {"password": password}, format="json")


def test_create_draft_has_contract_fields_and_snapshot(personas: Personas) -> None:
    s = sitting(personas)
    body = _create(personas, s)
    assert set(body) >= CONTRACT_FIELDS
    assert body["status"] == "draft" and body["version"] == 1 and body["meeting"] == s.meeting.pk
    assert body["amends"] is None and body["signed_by"] is None and body["signed_at"] is None
    assert set(body["based_on"]) >= {"risk", "dose_summaries", "trial_matches", "case_revision"}
    # The case has no systemic therapy recorded: the radiotherapy action carries the "unknown" caution.
    assert body["cautions"][0]["action"] == 0
    assert body["cautions"][0]["missing"] == ["systemic_therapy_classes"]


def test_cautions_for_a_cdk46_inhibitor_with_rt(personas: Personas) -> None:
    s = sitting(personas)
    s.case.systemic_therapy_classes = ["cdk46_inhibitor", "endocrine"]
    s.case.save()
    body = _create(personas, s)
    (caution,) = body["cautions"]
    assert caution["category"] == "avoid"
    assert [c["therapy_class"] for c in caution["cautions"]] == ["cdk46_inhibitor", "endocrine"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"intent": "heroic"}, "intent"),
        ({"consensus": "unanimous"}, "consensus"),
        ({"actions": [{"kind": "surgery", "procedure": "amputation"}]}, "actions"),
        ({"actions": [{"kind": "radiotherapy", "target_lesions": [999999], "regimen": "8Gy/1"}]}, "actions"),
        ({"actions": [{"kind": "radiotherapy", "target_lesions": []}]}, "actions"),
        ({"actions": [{"kind": "teleport"}]}, "actions"),
        ({"dissent": [{"member": "nobody", "reason": "x"}]}, "dissent"),
        ({"dissent": [{"member": "medonc"}]}, "dissent"),
        ({"meeting": None}, "urgent_reason"),
        ({"status": "signed"}, "status"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(personas: Personas, overrides: dict, field: str) -> None:
    s = sitting(personas)
    response = personas.client(personas.surgeon).post(
        f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Decision.objects.exists()


def test_action_errors_are_keyed_by_index(personas: Personas) -> None:
    s = sitting(personas)
    actions = [{"kind": "best_supportive_care"}, {"kind": "surgery", "procedure": "other"}]
    response = personas.client(personas.surgeon).post(
        f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s, actions=actions), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["actions"]) == {"1"}
    assert "detail" in response.json()["actions"]["1"]


def test_second_draft_is_a_409(personas: Personas) -> None:
    s = sitting(personas)
    _create(personas, s)
    again = personas.client(personas.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json")
    assert again.status_code == 409


def test_patch_draft(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    response = personas.client(personas.medonc).patch(
        f"/api/v1/decisions/{decision['id']}/", {"intent": "prophylactic", "rationale": "Revised."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["intent"] == "prophylactic" and response.json()["rationale"] == "Revised."
    assert AuditEntry.objects.filter(event="decision.updated", subject_id=str(decision["id"])).count() == 1


def test_chair_signs_with_password(personas: Personas, django_capture_on_commit_callbacks) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign(personas, decision["id"])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "signed"
    assert body["signed_by"] == {"id": personas.radonc.pk, "username": "radonc"}
    assert body["signed_at"] is not None and body["quorum_met"] is True
    assert body["signature_meaning"] == "approved as the board's decision"
    assert len(body["content_hash"]) == 64
    s.case.refresh_from_db()
    assert s.case.status == "decided"
    assert AuditEntry.objects.filter(event="decision.signed", subject_id=str(decision["id"])).exists()
    # The case owner is told (the meetings app's notification, delivered after commit).
    assert Notification.objects.filter(kind="decision_signed", case_id=s.case.pk, recipient=s.case.created_by).exists()


def test_wrong_password_does_not_sign_and_is_audited(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    response = _sign(personas, decision["id"], password="not-my-password")
    assert response.status_code == 400
    assert "password" in response.json()
    row = Decision.objects.get(pk=decision["id"])
    assert row.status == "draft" and row.signed_at is None
    failed = AuditEntry.objects.get(event="decision.sign_failed", subject_id=str(decision["id"]))
    assert failed.actor == personas.radonc and failed.reason == "wrong password"


def test_only_the_meetings_chair_signs(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    # surgeon chairs the board but not this meeting; the right password does not make them the chair.
    assert _sign(personas, decision["id"], user=personas.surgeon).status_code == 403
    assert _sign(personas, decision["id"], user=personas.administrator).status_code in (403, 404)
    assert Decision.objects.get(pk=decision["id"]).status == "draft"


def test_signing_needs_a_complete_decision(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s, consensus="consensus", dissent=[], rationale="")
    response = _sign(personas, decision["id"])
    assert response.status_code == 400
    assert "rationale" in response.json()


def test_signed_without_quorum_says_so(personas: Personas) -> None:
    s = sitting(personas, quorum=False)
    decision = _create(personas, s)
    body = _sign(personas, decision["id"]).json()
    assert body["status"] == "signed" and body["quorum_met"] is False


def test_urgent_decision_outside_a_meeting_is_signed_by_the_board_chair(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s, meeting=None, urgent_reason="Cord compression: cannot wait for Tuesday.")
    assert decision["meeting"] is None and decision["urgent"] is True
    assert _sign(personas, decision["id"], user=personas.radonc).status_code == 403
    body = _sign(personas, decision["id"], user=personas.surgeon).json()  # the board's chair
    assert body["status"] == "signed" and body["quorum_met"] is None


def test_signed_decision_cannot_change_through_the_api(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    _sign(personas, decision["id"])
    client = personas.client(personas.surgeon)
    url = f"/api/v1/decisions/{decision['id']}/"
    assert client.patch(url, {"rationale": "changed"}, format="json").status_code == 409
    assert client.put(url, draft_body(s), format="json").status_code == 409
    assert client.delete(url).status_code == 409
    assert _sign(personas, decision["id"]).status_code == 409
    assert Decision.objects.get(pk=decision["id"]).rationale == draft_body(s)["rationale"]


def _signed_row(p: Personas) -> Decision:
    s = sitting(p)
    decision = _create(p, s)
    _sign(p, decision["id"])
    return Decision.objects.get(pk=decision["id"])


def test_the_database_refuses_update_of_a_signed_version(personas: Personas) -> None:
    row = _signed_row(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=row.pk).update(rationale="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        row.intent = "curative"
        row.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=row.pk).update(status="draft")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE decisions_decision SET rationale = 'raw sql' WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.rationale != "rewritten" and row.status == "signed"


def test_the_database_refuses_delete_of_a_signed_version(personas: Personas) -> None:
    row = _signed_row(personas)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM decisions_decision WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=row.pk).delete()
    assert Decision.objects.filter(pk=row.pk).exists()


def test_the_database_allows_only_signed_to_superseded(personas: Personas) -> None:
    row = _signed_row(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=row.pk).update(status="superseded", rationale="sneaked in")
    Decision.objects.filter(pk=row.pk).update(status="superseded")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=row.pk).update(status="signed")


def test_the_sqlite_trigger_guards_every_column() -> None:
    """A column added to the model must be added to the trigger's list (or it could change after signing)."""
    from importlib import import_module

    migration = import_module("apps.decisions.migrations.0002_signed_decision_immutable")
    columns = {f.column for f in Decision._meta.concrete_fields} - {"status"}
    assert set(migration.GUARDED_COLUMNS) == columns


def test_drafts_stay_editable_in_the_database(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    Decision.objects.filter(pk=decision["id"]).update(rationale="still a draft")
    assert Decision.objects.get(pk=decision["id"]).rationale == "still a draft"


def test_amendment_chain(personas: Personas) -> None:
    s = sitting(personas)
    first = _create(personas, s)
    _sign(personas, first["id"])
    client = personas.client(personas.surgeon)
    assert client.post(f"/api/v1/decisions/{first['id']}/amend/", {}, format="json").status_code == 400
    amended = client.post(
        f"/api/v1/decisions/{first['id']}/amend/", {"reason": "Wrong lesion side in the RT action."}, format="json"
    )
    assert amended.status_code == 201
    draft = amended.json()
    assert draft["version"] == 2 and draft["amends"] == first["id"] and draft["status"] == "draft"
    assert draft["amendment_reason"] == "Wrong lesion side in the RT action."
    # Before the amendment is signed the first version still stands.
    assert client.get(f"/api/v1/decisions/{first['id']}/").json()["status"] == "signed"
    assert client.post(f"/api/v1/decisions/{first['id']}/amend/", {"reason": "again"}, format="json").status_code == 409
    client.patch(f"/api/v1/decisions/{draft['id']}/", {"rationale": "Corrected."}, format="json")
    assert _sign(personas, draft["id"]).json()["status"] == "signed"
    chain = client.get(f"/api/v1/cases/{s.case.pk}/decisions/").json()
    assert [(d["version"], d["status"], d["amends"]) for d in chain] == [(1, "superseded", None), (2, "signed", first["id"])]
    assert chain[0]["amended_by"] == draft["id"]
    assert client.post(f"/api/v1/decisions/{first['id']}/amend/", {"reason": "x"}, format="json").status_code == 409


def test_another_boards_member_sees_nothing(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    _sign(personas, decision["id"])
    for user in (personas.other_member, personas.outsider):
        client = personas.client(user)
        assert client.get(f"/api/v1/cases/{s.case.pk}/decisions/").status_code == 404
        assert client.post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").status_code == 404
        for suffix in ("", "report.pdf", "fhir/"):
            assert client.get(f"/api/v1/decisions/{decision['id']}/{suffix}").status_code == 404
        assert client.post(f"/api/v1/decisions/{decision['id']}/amend/", {"reason": "x"}, format="json").status_code == 404
        assert (
            client.post(
                f"/api/v1/decisions/{decision['id']}/follow-up/", {"implementation": "implemented"}, format="json"
            ).status_code
            == 404
        )
    assert personas.client(None).get(f"/api/v1/decisions/{decision['id']}/").status_code == 401


def test_reads_are_audited(personas: Personas) -> None:
    s = sitting(personas)
    decision = _create(personas, s)
    personas.client(personas.administrator).get(f"/api/v1/decisions/{decision['id']}/")
    entry = AuditEntry.objects.get(event="decision.read", subject_id=str(decision["id"]))
    assert entry.actor == personas.administrator


def test_administrator_reads_but_cannot_draft(personas: Personas) -> None:
    s = sitting(personas)
    client = personas.client(personas.administrator)
    assert client.get(f"/api/v1/cases/{s.case.pk}/decisions/").status_code == 200
    assert client.post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").status_code == 403


def test_the_admin_cannot_change_or_delete_a_signed_decision(personas: Personas) -> None:
    from django.test import Client

    from tests.factories import UserFactory

    row = _signed_row(personas)
    superuser = UserFactory(username="root", role="administrator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    change = f"/admin/decisions/decision/{row.pk}/change/"
    assert client.post(change, {"rationale": "admin edit"}).status_code == 403
    assert client.post(f"/admin/decisions/decision/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.rationale != "admin edit" and row.status == "signed"
