"""Threads, replies, mentions, edit history, retraction and specialty opinions through the API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.meetings.models import Notification
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def _case(p: Personas):
    case = CaseFactory(board=p.board, status="submitted", created_by=p.surgeon)
    LesionFactory(case=case)
    return case


def test_comment_with_mention_notifies_the_member(personas: Personas, django_capture_on_commit_callbacks) -> None:
    case = _case(personas)
    client = personas.client(personas.radonc)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/cases/{case.pk}/discussion/",
            {"body": "@surgeon is the femur **stable**? cc @other_surgeon <script>x</script>"},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["author"]["username"] == "radonc" and body["author_role"] == "radiation_oncologist"
    assert body["mentions"] == ["surgeon"]  # other_surgeon is not on this board
    assert "<strong>stable</strong>" in body["body_html"] and "<script" not in body["body_html"]
    assert Notification.objects.filter(kind="mention", recipient=personas.surgeon, case_id=case.pk).count() == 1
    assert not Notification.objects.filter(recipient=personas.other_member).exists()
    assert AuditEntry.objects.filter(event="discussion.comment_posted").count() == 1


def test_replies_nest_under_their_thread(personas: Personas) -> None:
    case = _case(personas)
    client = personas.client(personas.surgeon)
    root = client.post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "Fixation first?"}, format="json").json()
    reply = (
        personas.client(personas.radonc)
        .post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "Yes, then 8 Gy.", "parent": root["id"]}, format="json")
        .json()
    )
    deeper = client.post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "Agreed.", "parent": reply["id"]}, format="json").json()
    assert deeper["parent"] == root["id"]
    threads = client.get(f"/api/v1/cases/{case.pk}/discussion/").json()
    assert [t["id"] for t in threads] == [root["id"]]
    assert [r["body"] for r in threads[0]["replies"]] == ["Yes, then 8 Gy.", "Agreed."]
    other = _case(personas)
    assert (
        client.post(f"/api/v1/cases/{other.pk}/discussion/", {"body": "x", "parent": root["id"]}, format="json").status_code
        == 400
    )


def test_edit_keeps_history_and_only_the_author_edits(personas: Personas) -> None:
    case = _case(personas)
    client = personas.client(personas.surgeon)
    comment = client.post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "first text"}, format="json").json()
    assert (
        personas.client(personas.radonc)
        .patch(f"/api/v1/comments/{comment['id']}/", {"body": "hijack"}, format="json")
        .status_code
        == 403
    )
    edited = client.patch(f"/api/v1/comments/{comment['id']}/", {"body": "second text"}, format="json").json()
    assert edited["body"] == "second text" and edited["edited"] is True
    history = client.get(f"/api/v1/comments/{comment['id']}/history/").json()
    assert [h["body"] for h in history] == ["first text"]
    assert client.patch(f"/api/v1/comments/{comment['id']}/", {"body": " "}, format="json").status_code == 400


def test_retraction_is_visible_and_keeps_the_row(personas: Personas) -> None:
    case = _case(personas)
    client = personas.client(personas.surgeon)
    comment = client.post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "wrong patient"}, format="json").json()
    retracted = client.post(
        f"/api/v1/comments/{comment['id']}/retract/", {"reason": "posted on the wrong case"}, format="json"
    ).json()
    assert retracted["retracted"] is True and retracted["body"] is None
    assert retracted["retracted_by"]["username"] == "surgeon" and retracted["retraction_reason"] == "posted on the wrong case"
    (thread,) = client.get(f"/api/v1/cases/{case.pk}/discussion/").json()
    assert thread["retracted"] is True
    assert client.patch(f"/api/v1/comments/{comment['id']}/", {"body": "again"}, format="json").status_code == 400
    assert client.delete(f"/api/v1/comments/{comment['id']}/").status_code == 405


def test_opinions_per_specialty(personas: Personas) -> None:
    case = _case(personas)
    url = f"/api/v1/cases/{case.pk}/opinions/"
    body = {"assessment": "Mirels 10.", "recommendation": "Prophylactic fixation.", "ready_for_discussion": True}
    assert personas.client(personas.surgeon).post(url, body, format="json").status_code == 201
    again = personas.client(personas.surgeon).post(url, {**body, "recommendation": "Fixation, then RT."}, format="json")
    assert again.status_code == 201
    personas.client(personas.radonc).post(
        url, {"assessment": "Painful.", "recommendation": "8 Gy/1 after surgery."}, format="json"
    )
    assert personas.client(personas.coordinator).post(url, body, format="json").status_code == 403
    assert (
        personas.client(personas.surgeon).post(url, {"assessment": "", "recommendation": "x"}, format="json").status_code == 400
    )
    summary = personas.client(personas.medonc).get(url).json()
    assert summary["filed"] == ["radiation_oncologist", "surgeon"]
    assert summary["missing"] == ["medical_oncologist", "pathologist", "radiologist"]
    surgeon = next(o for o in summary["opinions"] if o["specialty"] == "surgeon")
    assert surgeon["recommendation"] == "Fixation, then RT."
    refiled = AuditEntry.objects.get(event="discussion.opinion_filed", subject_id=str(surgeon["id"]), before__isnull=False)
    assert refiled.before["recommendation"] == "Prophylactic fixation."


def test_another_boards_member_sees_nothing(personas: Personas) -> None:
    case = _case(personas)
    comment = personas.client(personas.surgeon).post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "x"}, format="json").json()
    for user in (personas.other_member, personas.outsider):
        client = personas.client(user)
        assert client.get(f"/api/v1/cases/{case.pk}/discussion/").status_code == 404
        assert client.post(f"/api/v1/cases/{case.pk}/discussion/", {"body": "x"}, format="json").status_code == 404
        assert client.get(f"/api/v1/cases/{case.pk}/opinions/").status_code == 404
        assert client.get(f"/api/v1/comments/{comment['id']}/").status_code == 404
        assert client.get(f"/api/v1/comments/{comment['id']}/history/").status_code == 404
        assert client.post(f"/api/v1/comments/{comment['id']}/retract/", {}, format="json").status_code in (403, 404)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_thread_and_opinion_queries_do_not_grow_with_rows(personas: Personas) -> None:
    case = _case(personas)
    client = personas.client(personas.surgeon)
    url = f"/api/v1/cases/{case.pk}/discussion/"
    root = client.post(url, {"body": "one"}, format="json").json()
    client.post(url, {"body": "reply", "parent": root["id"]}, format="json")
    client.post(f"/api/v1/cases/{case.pk}/opinions/", {"assessment": "a", "recommendation": "b"}, format="json")
    few, few_opinions = _count(client, url), _count(client, f"/api/v1/cases/{case.pk}/opinions/")
    for n in range(5):
        r = client.post(url, {"body": f"more {n}"}, format="json").json()
        personas.client(personas.radonc).post(url, {"body": f"reply {n}", "parent": r["id"]}, format="json")
    for user in (personas.radonc, personas.medonc, personas.pathologist):
        personas.client(user).post(
            f"/api/v1/cases/{case.pk}/opinions/", {"assessment": "a", "recommendation": "b"}, format="json"
        )
    assert _count(client, url) == few
    assert _count(client, f"/api/v1/cases/{case.pk}/opinions/") == few_opinions
