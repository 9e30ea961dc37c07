"""Quality indicators: each definition, its denominator, and 'unknown' for an empty period."""

from __future__ import annotations

import datetime as dt

from apps.decisions.engine.quality import AttendanceRecord, DecisionRecord, DiscussionRecord, quality_report

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _d(case_id: int, implementation: str | None, reason: str | None = None, **kw: object) -> DecisionRecord:
    values: dict = {
        "case_id": case_id,
        "submitted_at": T0,
        "signed_at": T0 + dt.timedelta(days=7),
        "implementation": implementation,
        "reason": reason,
        "treatment_started_on": None,
        "trial_referral": False,
    }
    values.update(kw)
    return DecisionRecord(**values)


def test_empty_period_is_unknown_not_zero() -> None:
    report = quality_report([], [], [])
    assert report.implementation.value is None
    assert report.time_to_decision.median_days is None
    assert report.minutes_per_case is None
    assert report.rediscussion.value is None
    assert report.prospective.value is None


def test_implementation_rate_over_recorded_follow_ups() -> None:
    rows = [
        *(_d(i, "implemented") for i in range(8)),
        _d(8, "modified", "medical_reason"),
        _d(9, "not_implemented", "patient_wish"),
        _d(10, None),
    ]
    report = quality_report(rows, [], [])
    assert (report.implementation.numerator, report.implementation.denominator) == (8, 10)
    assert report.implementation.value == 0.8
    assert report.modified.value == 0.1
    assert report.implementation_states == {"implemented": 8, "modified": 1, "not_implemented": 1, "not_recorded": 1}
    assert report.non_implementation_reasons == {"medical_reason": 1, "patient_wish": 1}
    assert report.to_dict()["implementation_reference"] == [0.84, 0.92]


def test_times_are_medians_from_submission() -> None:
    rows = [_d(1, None, signed_at=T0 + dt.timedelta(days=2)), _d(2, None, signed_at=T0 + dt.timedelta(days=10)), _d(3, None)]
    talks = [
        DiscussionRecord(1, 100, T0, T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=1, minutes=12)),
        DiscussionRecord(1, 101, T0, T0 + dt.timedelta(days=8), T0 + dt.timedelta(days=8, minutes=6)),
        DiscussionRecord(2, 100, T0, T0 + dt.timedelta(days=3), None),
        DiscussionRecord(3, 100, None, None, None),
    ]
    report = quality_report(rows, talks, [])
    assert report.time_to_decision.median_days == 7.0 and report.time_to_decision.cases == 3
    # First discussion of case 1 is day 1 (not day 8); case 2 day 3; case 3 never discussed.
    assert report.time_to_discussion.median_days == 2.0 and report.time_to_discussion.cases == 2
    assert report.minutes_per_case == 9.0 and report.timed_discussions == 2
    assert (report.rediscussion.numerator, report.rediscussion.denominator) == (1, 2)


def test_prospective_share_boundary_is_the_same_day() -> None:
    signed = T0 + dt.timedelta(days=7)
    rows = [
        _d(1, "implemented", treatment_started_on=signed.date()),
        _d(2, "implemented", treatment_started_on=signed.date() - dt.timedelta(days=1)),
        _d(3, "implemented"),
    ]
    report = quality_report(rows, [], [])
    assert (report.prospective.numerator, report.prospective.denominator) == (1, 2)


def test_attendance_by_specialty_and_trials() -> None:
    attendance = [
        AttendanceRecord("surgeon", True),
        AttendanceRecord("surgeon", False),
        AttendanceRecord("radiation_oncologist", True),
    ]
    report = quality_report([_d(1, None, trial_referral=True), _d(2, None)], [], attendance, enrolments=1)
    assert report.attendance_by_specialty["surgeon"].value == 0.5
    assert report.attendance_by_specialty["radiation_oncologist"].value == 1.0
    assert report.trial_referrals == 1 and report.trial_enrolments == 1
