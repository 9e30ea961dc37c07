"""The acceptance of issue 13 in Chromium: a radiation oncologist comments on a case with an @mention (the
mentioned surgeon gets the in-app notification), the chair records the decision in meeting mode and signs
it re-entering the password, and an administrator finds it in the audit log (filtered) and downloads the
PDF, which carries the decision's content (read back with pypdf).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from apps.decisions.models import Decision
from apps.meetings import services as meetings
from apps.meetings.engine.quorum import AttendanceStatus
from tests.conftest import Personas
from tests.frontend.browser.conftest import TEST_PASSWORD
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series

pytestmark = [pytest.mark.browser]

WAIT_MS = 20_000
RATIONALE = "Painful lytic T9 without instability (SINS 6): single 8 Gy fraction, reassess in six weeks."


def test_comment_decide_sign_audit_and_download(personas: Personas, visitor: Any) -> None:
    p = personas
    (meeting,) = meetings_of(weekly_series(p, weeks=1, chair=p.radonc))
    case = submitted_case(p, owner=p.coordinator)
    meetings.agenda_place(actor=p.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    for user in (p.surgeon, p.radonc, p.medonc):
        meetings.attendance_record(
            actor=p.coordinator, meeting_id=meeting.pk, user_id=user.pk, status=AttendanceStatus.PRESENT_IN_PERSON
        )

    # A radiation oncologist comments on the case page itself (htmx, no reload), mentioning the surgeon.
    radonc = visitor("radonc")
    radonc.go(f"/cases/{case.pk}/")
    radonc.page.get_by_label(re.compile(r"^Comment \(Markdown")).fill("@surgeon is **fixation** needed first?")
    radonc.page.get_by_role("button", name="Post comment").click()
    radonc.page.locator("#discussion .comment .mention", has_text="@surgeon").wait_for(timeout=WAIT_MS)
    assert radonc.page.locator("#discussion .comment strong", has_text="fixation").count() == 1

    surgeon = visitor("surgeon")
    surgeon.go("/meetings/notifications/")
    assert surgeon.page.get_by_text(f"radonc mentioned you on case {case.pk}").count() >= 1

    # The chair runs meeting mode, records the decision for the current case and signs it.
    radonc.go(f"/meetings/{meeting.pk}/live/")
    with radonc.page.expect_navigation():
        radonc.page.click("[data-testid=start]")
    radonc.page.locator(f'[data-testid=current-case][data-case="{case.pk}"]').wait_for(timeout=WAIT_MS)
    radonc.page.click("[data-testid=record-decision]")
    radonc.page.wait_for_load_state()
    form = radonc.page.locator("form.decision-form")
    assert form.get_by_label("Meeting").input_value() == str(meeting.pk)  # meeting mode fills in its meeting
    form.get_by_label("palliative").check()
    form.get_by_label("Radiotherapy").check()
    form.get_by_label("Target lesions").select_option(str(case.lesions.get().pk))
    form.get_by_label("Catalogue regimen").fill("8Gy/1")
    form.get_by_label("Technique").select_option("conventional_3d")
    form.get_by_label("Rationale").fill(RATIONALE)
    form.get_by_label("consensus", exact=True).check()
    with radonc.page.expect_navigation():
        form.get_by_role("button", name="Save draft").click()
    decision = Decision.objects.get(case=case)
    assert decision.status == "draft" and radonc.page.url.endswith(f"/decisions/{decision.pk}/")
    # A wrong password signs nothing; the right one signs.
    radonc.page.get_by_label("Password").fill("not-my-password")
    radonc.page.get_by_role("button", name="Sign", exact=True).click()
    radonc.page.wait_for_load_state()
    assert radonc.page.get_by_text("the password is not correct").count() == 1
    assert radonc.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    radonc.console_errors.clear()  # the refused signature's page answered 400, as it should
    decision.refresh_from_db()
    assert decision.status == "draft"
    radonc.page.get_by_label("Password").fill(TEST_PASSWORD)
    with radonc.page.expect_navigation():
        radonc.page.get_by_role("button", name="Sign", exact=True).click()
    decision.refresh_from_db()
    assert decision.status == "signed" and decision.signed_by == p.radonc
    assert radonc.page.get_by_text("Signed by").count() == 1
    assert radonc.console_errors == []

    # An administrator (the auditor) finds the signature in the audit log and downloads the chart's PDF.
    auditor = visitor("auditor")
    auditor.go("/audit/")
    auditor.page.get_by_label("Action").fill("decision.signed")
    auditor.page.get_by_label("Case (id)").fill(str(case.pk))
    with auditor.page.expect_navigation():
        auditor.page.get_by_role("button", name="Filter").click()
    rows = auditor.page.locator("table.audit-log tbody tr")
    assert rows.count() == 1 and "decision.signed" in rows.first.inner_text()
    assert "sign_failed" not in rows.first.inner_text()
    with auditor.page.expect_navigation():
        rows.first.get_by_role("link", name="Open the decision").click()
    assert auditor.page.url.endswith(f"/decisions/{decision.pk}/")
    with auditor.page.expect_download() as download_info:
        auditor.page.get_by_role("link", name="PDF for the chart").click()
    pdf = download_info.value
    with open(pdf.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "single 8 Gy fraction" in flat and "palliative" in flat.lower()
    assert "radonc" in flat or (p.radonc.get_full_name() and p.radonc.get_full_name() in flat)
    assert decision.content_hash in flat.replace(" ", "")
    # The failed attempt and the export are on the trail too.
    events = _events(case.pk)
    assert {"decision.sign_failed", "decision.signed", "decision.exported"} <= events


def _events(case_id: int) -> set[str]:
    from apps.audit.models import AuditEntry

    return set(AuditEntry.objects.filter(case_id=case_id).values_list("event", flat=True))
