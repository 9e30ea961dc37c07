"""Quality reports per board and period: the records the pure indicators need, read in a fixed number of
queries (``engine.quality``), and their CSV form."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from apps.accounts.authorization import restrict
from apps.accounts.models import Board, User
from apps.decisions.engine.quality import (
    AttendanceRecord,
    DecisionRecord,
    DiscussionRecord,
    QualityReport,
    quality_report,
)
from apps.decisions.engine.recommendation import ActionKind, DecisionStatus
from apps.decisions.models import Decision, FollowUp
from apps.meetings.engine.quorum import PRESENT
from apps.meetings.models import AgendaItem, Attendance, MeetingStatus
from apps.trials.models import ReferralStatus, TrialReferral


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=dt.UTC)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def board_quality(user: User | AnonymousUser | None, *, board: Board, date_from: dt.date, date_to: dt.date) -> QualityReport:
    """The board's indicators for decisions signed, and meetings held, from ``date_from`` to ``date_to`` (UTC days)."""
    start, end = _bounds(date_from, date_to)
    decisions = (
        restrict(Decision.objects.all(), user, "case__board_id")
        .filter(case__board=board, status=DecisionStatus.SIGNED, signed_at__gte=start, signed_at__lt=end)
        .select_related("case")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("created_at", "id")))
    )
    records = []
    for d in decisions:
        follow_ups = list(d.follow_ups.all())
        latest = follow_ups[-1] if follow_ups else None
        started = next((f.treatment_started_on for f in reversed(follow_ups) if f.treatment_started_on), None)
        assert d.signed_at is not None
        records.append(
            DecisionRecord(
                case_id=d.case_id,
                submitted_at=d.case.submitted_at,
                signed_at=d.signed_at,
                implementation=latest.implementation if latest else None,
                reason=latest.reason if latest else None,
                treatment_started_on=started,
                trial_referral=any(a.get("kind") == ActionKind.TRIAL_REFERRAL for a in d.actions),
            )
        )
    items = (
        restrict(AgendaItem.objects.all(), user, "meeting__board_id")
        .filter(meeting__board=board, meeting__starts_at__gte=start, meeting__starts_at__lt=end)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("case")
    )
    discussions = [
        DiscussionRecord(
            case_id=i.case_id,
            meeting_id=i.meeting_id,
            submitted_at=i.case.submitted_at,
            discussed_from=i.discussed_from,
            discussed_to=i.discussed_to,
        )
        for i in items
    ]
    attendance = [
        AttendanceRecord(role=a.user.role, present=a.status in PRESENT)
        for a in restrict(Attendance.objects.all(), user, "meeting__board_id")
        .filter(
            meeting__board=board, meeting__status=MeetingStatus.HELD, meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
        .select_related("user")
    ]
    enrolments = (
        restrict(TrialReferral.objects.all(), user, "case__board_id")
        .filter(case__board=board, status=ReferralStatus.ENROLLED, enrolled_at__gte=start, enrolled_at__lt=end)
        .count()
    )
    return quality_report(records, discussions, attendance, enrolments=enrolments)


def report_csv(report: dict[str, Any], *, board: Board, date_from: dt.date, date_to: dt.date) -> str:
    """One row per indicator: ``indicator, detail, numerator, denominator, value``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["board", "from", "to", "indicator", "detail", "numerator", "denominator", "value"])
    head = [board.name, date_from.isoformat(), date_to.isoformat()]

    def rate(name: str, detail: str, r: dict[str, Any]) -> None:
        writer.writerow([*head, name, detail, r["numerator"], r["denominator"], "" if r["rate"] is None else f"{r['rate']:.4f}"])

    writer.writerow([*head, "decisions", "", "", "", report["decisions"]])
    rate("implementation_rate", "implemented / follow-up recorded", report["implementation"])
    rate("modified_rate", "modified / follow-up recorded", report["modified"])
    for state, count in report["implementation_states"].items():
        writer.writerow([*head, "implementation_state", state, "", "", count])
    for reason, count in report["non_implementation_reasons"].items():
        writer.writerow([*head, "non_implementation_reason", reason, "", "", count])
    for name in ("time_to_discussion", "time_to_decision"):
        value = report[name]
        writer.writerow([*head, f"{name}_median_days", f"{value['cases']} cases", "", "", value["median_days"] or ""])
    rate("prospective_share", "signed on or before treatment start", report["prospective"])
    writer.writerow([*head, "minutes_per_case", f"{report['timed_discussions']} timed", "", "", report["minutes_per_case"] or ""])
    rate("rediscussion_rate", "cases discussed at more than one meeting", report["rediscussion"])
    for role, r in report["attendance_by_specialty"].items():
        rate("attendance", role, r)
    writer.writerow([*head, "trial_referrals", "", "", "", report["trial_referrals"]])
    writer.writerow([*head, "trial_enrolments", "", "", "", report["trial_enrolments"]])
    return out.getvalue()
