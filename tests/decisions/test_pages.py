"""Decision, discussion and quality pages: the flow through forms, other boards get 404, constant queries."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.decisions.models import Decision
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, sitting


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_record_sign_amend_and_follow_up_through_the_pages(personas: Personas) -> None:
    s = sitting(personas)
    chair = _browser(personas.radonc)
    form = chair.get(f"/cases/{s.case.pk}/decisions/new/?meeting={s.meeting.pk}")
    assert form.status_code == 200 and b"Best supportive care" in form.content
    bad = chair.post(f"/cases/{s.case.pk}/decisions/new/", {"meeting": s.meeting.pk, "intent": "palliative", "rt": "1"})
    assert bad.status_code == 400 and b"Check the actions" in bad.content
    created = chair.post(
        f"/cases/{s.case.pk}/decisions/new/",
        {
            "meeting": s.meeting.pk,
            "intent": "palliative",
            "rt": "1",
            "rt_lesions": [s.lesion.pk],
            "rt_total_dose_gy": "8",
            "rt_fractions": "1",
            "trial_referral": "1",
            "trial_referral_trial": "NCT03862911",
            "rationale": "Painful femoral lesion, limited prognosis.",
            "consensus": "majority",
            "dissent": "medonc: would add a bone-modifying agent",
        },
    )
    assert created.status_code == 302
    decision = Decision.objects.get(case=s.case)
    assert decision.actions[0] == {"kind": "radiotherapy", "target_lesions": [s.lesion.pk], "total_dose_gy": 8.0, "fractions": 1}
    assert decision.dissent == [{"member": "medonc", "reason": "would add a bone-modifying agent"}]
    page = chair.get(f"/decisions/{decision.pk}/")
    assert b'type="password"' in page.content  # the sign dialog re-enters the password
    wrong = chair.post(f"/decisions/{decision.pk}/", {"step": "sign", "password": "nope"})
    assert wrong.status_code == 400 and b"password" in wrong.content
    assert chair.post(f"/decisions/{decision.pk}/", {"step": "sign", "password": PASSWORD}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == "signed"
    surgeon = _browser(personas.surgeon)
    amended = surgeon.post(f"/decisions/{decision.pk}/", {"step": "amend", "reason": "Add denosumab."})
    assert amended.status_code == 302
    chain = surgeon.get(f"/cases/{s.case.pk}/decisions/").content.decode()
    assert "Version 1" in chain and "Version 2" in chain and "amends version 1: Add denosumab." in chain
    follow = surgeon.post(f"/decisions/{decision.pk}/", {"step": "follow_up", "implementation": "not_implemented"})
    assert follow.status_code == 400
    assert surgeon.post(f"/decisions/{decision.pk}/", {"step": "follow_up", "implementation": "implemented"}).status_code == 302
    assert b"implemented" in surgeon.get(f"/decisions/{decision.pk}/").content


def test_discussion_page_posts_and_shows_the_thread(personas: Personas) -> None:
    s = sitting(personas)
    radonc = _browser(personas.radonc)
    assert (
        radonc.post(f"/cases/{s.case.pk}/discussion/", {"body": "@surgeon **fix first**? <script>x</script>"}).status_code == 302
    )
    assert radonc.post(f"/cases/{s.case.pk}/discussion/", {"body": " "}).status_code == 400
    page = radonc.get(f"/cases/{s.case.pk}/discussion/").content.decode()
    assert "<strong>fix first</strong>" in page and "<script>x" not in page and "radiation oncologist" in page  # role in words
    assert "awaiting:" in page


def test_other_board_sees_no_page(personas: Personas) -> None:
    s = sitting(personas)
    draft = Decision.objects.create(case=s.case, version=1, meeting=s.meeting, created_by=personas.surgeon)
    other = _browser(personas.other_member)
    for url in (
        f"/cases/{s.case.pk}/decisions/",
        f"/cases/{s.case.pk}/decisions/new/",
        f"/cases/{s.case.pk}/discussion/",
        f"/decisions/{draft.pk}/",
    ):
        assert other.get(url).status_code == 404, url
    assert _browser(personas.surgeon).get("/reports/quality/").status_code == 403


def test_quality_page_renders_svg_charts(personas: Personas) -> None:
    s = sitting(personas)
    page = _browser(personas.administrator).get(f"/reports/quality/?board={s.case.board_id}")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"84" in page.content
    # Charts are server-rendered SVG: the only scripts are the site's own static files (htmx, app.js),
    # none inline and no chart library.
    scripts = re.findall(r"<script[^>]*>", page.content.decode())
    assert all('src="/static/' in tag for tag in scripts), scripts
    assert not any("chart" in tag.lower() for tag in scripts)
    assert _browser(personas.administrator).get("/reports/quality/?from=yesterday").status_code == 400


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_queries_do_not_grow(personas: Personas) -> None:
    from apps.decisions import services
    from apps.discussion import services as discussion

    s = sitting(personas)
    client = _browser(personas.surgeon)
    decision = services.decision_create(
        actor=personas.surgeon,
        case_id=s.case.pk,
        data={
            "meeting": s.meeting.pk,
            "intent": "palliative",
            "actions": [{"kind": "best_supportive_care"}],
            "rationale": "r",
            "consensus": "consensus",
        },
    )
    services.decision_sign(actor=personas.radonc, decision_id=decision.pk, password=PASSWORD)
    discussion.comment_post(actor=personas.surgeon, case_id=s.case.pk, body="one")
    services.follow_up_record(actor=personas.surgeon, decision_id=decision.pk, implementation="implemented")
    # The decision page with one follow-up, then with four.
    few_detail = _count(client, f"/decisions/{decision.pk}/")
    for _ in range(3):
        services.follow_up_record(
            actor=personas.surgeon, decision_id=decision.pk, implementation="modified", reason="medical_reason"
        )
    assert _count(client, f"/decisions/{decision.pk}/") == few_detail
    # The amendment chain and the thread with one row, then with four versions and seven comments.
    urls = [f"/cases/{s.case.pk}/decisions/", f"/cases/{s.case.pk}/discussion/"]
    draft = services.decision_amend(actor=personas.surgeon, decision_id=decision.pk, reason="first")
    current = services.decision_sign(actor=personas.radonc, decision_id=draft.pk, password=PASSWORD)
    few = [_count(client, u) for u in urls]
    for n in range(3):
        draft = services.decision_amend(actor=personas.surgeon, decision_id=current.pk, reason=f"r{n}")
        current = services.decision_sign(actor=personas.radonc, decision_id=draft.pk, password=PASSWORD)
        root = discussion.comment_post(actor=personas.radonc, case_id=s.case.pk, body=f"@surgeon {n}")
        discussion.comment_post(actor=personas.surgeon, case_id=s.case.pk, body="reply", parent_id=root.pk)
    assert [_count(client, u) for u in urls] == few
