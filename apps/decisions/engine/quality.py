"""Quality indicators of a board over a period (issue 13), computed from small plain records.

Plain Python (no Django). Each indicator states its denominator; a period with no data answers ``None``
("unknown"), never 0 %. The published implementation rates of tumor-board recommendations are 84-92 %
(issue 13's reference range; ``REFERENCE_IMPLEMENTATION_RATE``).

Definitions:
- implementation rate: decisions (one per case: its current signed version) whose latest follow-up says
  ``implemented``, over those with a follow-up recorded; ``modified`` is reported beside it, and the
  reasons for ``not_implemented`` and ``modified`` are counted.
- time to discussion / to decision: days from the case's submission to the start of its first discussion
  at a meeting / to the signature (medians, with the number of cases).
- prospective share: cases whose decision was signed on or before the day treatment started, over cases
  with a treatment start recorded.
- minutes per case: the mean length of the discussions that were timed (meeting mode).
- re-discussion rate: cases discussed at more than one meeting in the period, over cases discussed.
- attendance by specialty: members present (in person or remote) over members invited, per role.
- trial referrals: decisions with a ``trial_referral`` action; enrolments: referrals that reached
  ``enrolled``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

REFERENCE_IMPLEMENTATION_RATE: tuple[float, float] = (0.84, 0.92)


@dataclass(frozen=True)
class DecisionRecord:
    case_id: int
    submitted_at: dt.datetime | None
    signed_at: dt.datetime
    implementation: str | None  # latest follow-up, None when none was recorded
    reason: str | None
    treatment_started_on: dt.date | None
    trial_referral: bool


@dataclass(frozen=True)
class DiscussionRecord:
    case_id: int
    meeting_id: int
    submitted_at: dt.datetime | None
    discussed_from: dt.datetime | None
    discussed_to: dt.datetime | None


@dataclass(frozen=True)
class AttendanceRecord:
    role: str
    present: bool


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def to_dict(self) -> dict[str, object]:
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.value}


@dataclass(frozen=True)
class Duration:
    cases: int
    median_days: float | None

    def to_dict(self) -> dict[str, object]:
        return {"cases": self.cases, "median_days": self.median_days}


@dataclass(frozen=True)
class QualityReport:
    decisions: int
    implementation: Rate
    modified: Rate
    implementation_states: dict[str, int]
    non_implementation_reasons: dict[str, int]
    time_to_discussion: Duration
    time_to_decision: Duration
    prospective: Rate
    minutes_per_case: float | None
    timed_discussions: int
    rediscussion: Rate
    attendance_by_specialty: dict[str, Rate] = field(default_factory=dict)
    trial_referrals: int = 0
    trial_enrolments: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "decisions": self.decisions,
            "implementation": self.implementation.to_dict(),
            "implementation_reference": list(REFERENCE_IMPLEMENTATION_RATE),
            "modified": self.modified.to_dict(),
            "implementation_states": self.implementation_states,
            "non_implementation_reasons": self.non_implementation_reasons,
            "time_to_discussion": self.time_to_discussion.to_dict(),
            "time_to_decision": self.time_to_decision.to_dict(),
            "prospective": self.prospective.to_dict(),
            "minutes_per_case": self.minutes_per_case,
            "timed_discussions": self.timed_discussions,
            "rediscussion": self.rediscussion.to_dict(),
            "attendance_by_specialty": {role: rate.to_dict() for role, rate in sorted(self.attendance_by_specialty.items())},
            "trial_referrals": self.trial_referrals,
            "trial_enrolments": self.trial_enrolments,
        }


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def quality_report(
    decisions: Iterable[DecisionRecord],
    discussions: Iterable[DiscussionRecord],
    attendance: Iterable[AttendanceRecord],
    *,
    enrolments: int = 0,
) -> QualityReport:
    rows = list(decisions)
    talks = list(discussions)
    recorded = [d for d in rows if d.implementation is not None]
    states = Counter(d.implementation for d in recorded)
    reasons = Counter(d.reason or "not given" for d in recorded if d.implementation in ("not_implemented", "modified"))
    first_discussion: dict[int, DiscussionRecord] = {}
    for talk in talks:
        if talk.discussed_from is None:
            continue
        earlier = first_discussion.get(talk.case_id)
        if earlier is None or (earlier.discussed_from is not None and talk.discussed_from < earlier.discussed_from):
            first_discussion[talk.case_id] = talk
    to_discussion = [
        _days(t.submitted_at, t.discussed_from)
        for t in first_discussion.values()
        if t.submitted_at is not None and t.discussed_from is not None
    ]
    to_decision = [_days(d.submitted_at, d.signed_at) for d in rows if d.submitted_at is not None]
    with_start = [d for d in rows if d.treatment_started_on is not None]
    prospective = sum(
        1 for d in with_start if d.treatment_started_on is not None and d.signed_at.date() <= d.treatment_started_on
    )
    timed = [
        (t.discussed_to - t.discussed_from).total_seconds() / 60
        for t in talks
        if t.discussed_from is not None and t.discussed_to is not None
    ]
    meetings_per_case = Counter()  # type: Counter[int]
    for case_id, _meeting in {(t.case_id, t.meeting_id) for t in talks if t.discussed_from is not None}:
        meetings_per_case[case_id] += 1
    by_role: dict[str, list[bool]] = {}
    for a in attendance:
        by_role.setdefault(a.role, []).append(a.present)
    return QualityReport(
        decisions=len(rows),
        implementation=Rate(states.get("implemented", 0), len(recorded)),
        modified=Rate(states.get("modified", 0), len(recorded)),
        implementation_states={s: states.get(s, 0) for s in ("implemented", "modified", "not_implemented")}
        | {"not_recorded": len(rows) - len(recorded)},
        non_implementation_reasons=dict(sorted(reasons.items())),
        time_to_discussion=Duration(len(to_discussion), _median(to_discussion)),
        time_to_decision=Duration(len(to_decision), _median(to_decision)),
        prospective=Rate(prospective, len(with_start)),
        minutes_per_case=round(statistics.fmean(timed), 1) if timed else None,
        timed_discussions=len(timed),
        rediscussion=Rate(sum(1 for n in meetings_per_case.values() if n > 1), len(meetings_per_case)),
        attendance_by_specialty={role: Rate(sum(flags), len(flags)) for role, flags in by_role.items()},
        trial_referrals=sum(1 for d in rows if d.trial_referral),
        trial_enrolments=enrolments,
    )
