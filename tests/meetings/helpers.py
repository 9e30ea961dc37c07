"""Builders for meeting tests: a weekly series through the service, submitted cases, risk flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.accounts.models import User
from apps.cases.models import Case
from apps.meetings import services
from apps.meetings.models import Meeting, MeetingSeries
from apps.risk.models import RiskAssessment
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def weekly_series(
    p: Personas, *, weeks: int = 4, first_in_days: int = 3, chair: User | None = None, **overrides: Any
) -> MeetingSeries:
    """A weekly series starting ``first_in_days`` from today at 07:30 London, ``weeks`` meetings long."""
    first = timezone.localdate() + dt.timedelta(days=first_in_days)
    data: dict[str, Any] = {
        "title": "Bone metastasis board",
        "rule": "FREQ=WEEKLY",
        "first_date": first,
        "start_time": dt.time(7, 30),
        "timezone": "Europe/London",
        "duration_minutes": 60,
        "location": "Seminar room 2",
        "video_url": "https://video.example.org/board",
        "submission_deadline_hours": 48,
        "minutes_per_case": 10,
        "max_cases": None,
        "chair": chair or p.radonc,
        **overrides,
    }
    until = dt.datetime.combine(first + dt.timedelta(weeks=weeks), dt.time(), dt.UTC) - dt.timedelta(days=1)
    return services.series_create(actor=p.coordinator, board=p.board, data=data, until=until)


def meetings_of(series: MeetingSeries) -> list[Meeting]:
    return list(series.meetings.order_by("starts_at"))


def submitted_case(
    p: Personas, *, submitted_at: dt.datetime | None = None, urgent: bool = False, owner: User | None = None
) -> Case:
    case = CaseFactory(
        board=p.board,
        status="submitted",
        submitted_at=submitted_at or timezone.now() - dt.timedelta(days=7),
        urgent=urgent,
        created_by=owner or p.surgeon,
    )
    LesionFactory(case=case)
    return case


def flag_risk(case: Case, *codes: str) -> RiskAssessment:
    return RiskAssessment.objects.create(
        case=case,
        inputs_digest="test-" + "-".join(codes),
        engine_version="test",
        case_revision=case.revision,
        payload={"flags": [{"code": c, "priority": 100} for c in codes]},
        highest_flag_code=codes[0] if codes else "",
        computed_at=timezone.now(),
    )
