"""The quality report endpoint: JSON and CSV, scoped, validated, constant queries."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.meetings import services as meetings
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, draft_body, sitting


def _decide(p: Personas, implementation: str | None, reason: str | None = None) -> dict:
    s = sitting(p)
    created = p.client(p.surgeon).post(f"/api/v1/cases/{s.case.pk}/decisions/", draft_body(s), format="json").json()
    signed = p.client(p.radonc).post(f"/api/v1/decisions/{created['id']}/sign/", {"password": PASSWORD}, format="json").json()
    meetings.meeting_end(actor=p.radonc, meeting_id=s.meeting.pk)
    if implementation:
        p.client(p.surgeon).post(
            f"/api/v1/decisions/{signed['id']}/follow-up/", {"implementation": implementation, "reason": reason}, format="json"
        )
    return signed


def _url(p: Personas, fmt: str = "") -> str:
    today = timezone.now().date()
    return f"/api/v1/reports/quality/?board={p.board.pk}&from={today.replace(day=1)}&to={today.replace(year=today.year + 1)}{fmt}"


def test_quality_report_json_and_csv(personas: Personas) -> None:
    _decide(personas, "implemented")
    _decide(personas, "not_implemented", "patient_wish")
    client = personas.client(personas.administrator)
    body = client.get(_url(personas)).json()
    assert body["decisions"] == 2
    assert body["implementation"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    assert body["non_implementation_reasons"] == {"patient_wish": 1}
    assert body["trial_referrals"] == 2
    assert body["attendance_by_specialty"]["surgeon"]["rate"] == 1.0
    response = client.get(_url(personas, "&format=csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    implementation = next(r for r in rows if r["indicator"] == "implementation_rate")
    assert (implementation["numerator"], implementation["denominator"], implementation["value"]) == ("1", "2", "0.5000")


def test_quality_report_validation_and_access(personas: Personas) -> None:
    admin = personas.client(personas.administrator)
    assert "to" in admin.get(f"/api/v1/reports/quality/?board={personas.board.pk}&from=2026-05-01&to=2026-04-01").json()
    assert "from" in admin.get(f"/api/v1/reports/quality/?board={personas.board.pk}&to=2026-04-01").json()
    assert admin.get("/api/v1/reports/quality/?board=999999&from=2026-01-01&to=2026-02-01").status_code == 404
    assert personas.client(personas.surgeon).get(_url(personas)).status_code == 403
    assert personas.client(personas.other_member).get(_url(personas)).status_code == 403


def test_quality_report_queries_do_not_grow(personas: Personas) -> None:
    _decide(personas, "implemented")
    client = personas.client(personas.administrator)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(personas)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    _decide(personas, "modified", "physician_decision")
    _decide(personas, None)
    assert count() == few
