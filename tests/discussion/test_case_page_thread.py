"""The discussion inline on the case page (issue 13): thread, replies, retractions, highlighted @mentions,
specialty opinions and which specialties have filed, and an htmx form that posts through the services.

Given a case with a thread, when a board member opens the case page, then the thread is on it; when they
post with htmx, then the service saves it and the answer is the swapped thread; the page's query count
does not grow with the thread.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.discussion import services
from apps.discussion.models import Comment
from apps.meetings.models import Notification
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def _browser(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _case(p: Personas):  # type: ignore[no-untyped-def]
    case = CaseFactory(board=p.board, status="submitted", created_by=p.surgeon)
    LesionFactory(case=case)
    return case


def test_case_page_shows_the_thread_inline(personas: Personas) -> None:
    case = _case(personas)
    root = services.comment_post(actor=personas.radonc, case_id=case.pk, body="Is @surgeon happy to **fix first**?")
    services.comment_post(actor=personas.surgeon, case_id=case.pk, body="Yes, fixation then RT.", parent_id=root.pk)
    gone = services.comment_post(actor=personas.medonc, case_id=case.pk, body="Wrong patient, sorry")
    services.comment_retract(actor=personas.medonc, comment_id=gone.pk, reason="posted on the wrong case")
    services.opinion_file(actor=personas.radiologist, case_id=case.pk, assessment="Lytic T9, SINS 11", recommendation="MRI")

    page = _browser(personas.coordinator).get(f"/cases/{case.pk}/").content.decode()

    assert 'id="discussion"' in page
    assert '<span class="mention">@surgeon</span>' in page and "<strong>fix first</strong>" in page
    assert "radiation oncologist" in page  # the author's role at the time of writing, in words
    assert f'id="comment-{root.replies.get().pk}"' in page and "Yes, fixation then RT." in page  # the reply
    assert "Retracted by" in page and "posted on the wrong case" in page and "Wrong patient" not in page
    assert "Lytic T9, SINS 11" in page
    filed = page.split("Filed by:")[1].split("</p>")[0]
    assert "radiologist" in filed and "awaiting:" in filed and "surgeon" in filed.split("awaiting:")[1]
    assert f'hx-post="/cases/{case.pk}/discussion/"' in page and 'hx-target="#discussion"' in page


def test_htmx_comment_from_the_case_page_goes_through_the_service(personas: Personas, django_capture_on_commit_callbacks) -> None:
    case = _case(personas)
    browser = _browser(personas.radonc)
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(f"/cases/{case.pk}/discussion/", {"body": "@medonc any CDK4/6 pause?"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    fragment = answer.content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment  # only the thread, swapped in place
    assert '<span class="mention">@medonc</span>' in fragment
    comment = Comment.objects.get(case=case)
    assert comment.author == personas.radonc and comment.mentions == ["medonc"]
    assert Notification.objects.filter(recipient=personas.medonc, kind="mention", case_id=case.pk).count() == 1
    # A reply, then a refused empty comment: the reason beside the field, nothing saved, the typed text kept.
    reply = browser.post(
        f"/cases/{case.pk}/discussion/", {"body": "Reply here", "parent": str(comment.pk)}, HTTP_HX_REQUEST="true"
    )
    assert reply.status_code == 200 and Comment.objects.get(parent=comment).body == "Reply here"
    refused = browser.post(f"/cases/{case.pk}/discussion/", {"body": "   "}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "write something." in refused.content.decode()
    assert Comment.objects.filter(case=case).count() == 2
    opinion = browser.post(
        f"/cases/{case.pk}/discussion/",
        {"step": "opinion", "assessment": "SINS 11", "recommendation": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "SINS 11</textarea>" in opinion.content.decode()  # what was typed is not lost


def test_other_board_cannot_post_on_the_case_page(personas: Personas) -> None:
    case = _case(personas)
    answer = _browser(personas.other_member).post(f"/cases/{case.pk}/discussion/", {"body": "hi"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 404 and not Comment.objects.exists()


def test_case_page_queries_do_not_grow_with_the_thread(personas: Personas) -> None:
    case = _case(personas)
    browser = _browser(personas.surgeon)
    root = services.comment_post(actor=personas.radonc, case_id=case.pk, body="@surgeon first")
    services.comment_post(actor=personas.surgeon, case_id=case.pk, body="reply", parent_id=root.pk)
    services.opinion_file(actor=personas.radonc, case_id=case.pk, assessment="a", recommendation="b")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(f"/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n, author in enumerate((personas.medonc, personas.radiologist, personas.pathologist, personas.coordinator)):
        top = services.comment_post(actor=author, case_id=case.pk, body=f"@radonc point {n}")
        services.comment_post(actor=personas.surgeon, case_id=case.pk, body="agreed", parent_id=top.pk)
        services.comment_retract(
            actor=personas.surgeon,
            comment_id=services.comment_post(actor=personas.surgeon, case_id=case.pk, body="oops").pk,
            reason="typo",
        )
        if author is not personas.coordinator:
            services.opinion_file(actor=author, case_id=case.pk, assessment="a", recommendation="b")
    assert Comment.objects.filter(case=case).count() == 14
    assert count() == few
