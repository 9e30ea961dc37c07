"""Quorum: the default rule (one surgeon, one radiation oncologist, one medical oncologist) and board rules."""

from __future__ import annotations

import pytest

from apps.meetings.engine.quorum import AttendanceStatus, Attendee, evaluate_quorum

P, R, A, E = (
    AttendanceStatus.PRESENT_IN_PERSON,
    AttendanceStatus.PRESENT_REMOTE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


def people(*pairs: tuple[str, AttendanceStatus | None]) -> list[Attendee]:
    return [Attendee(role, status) for role, status in pairs]


def test_default_rule_met_in_person_or_remote() -> None:
    result = evaluate_quorum(people(("surgeon", P), ("radiation_oncologist", R), ("medical_oncologist", P), ("coordinator", P)))
    assert result.met and result.missing == {}
    assert result.required == {"medical_oncologist": 1, "radiation_oncologist": 1, "surgeon": 1}


@pytest.mark.parametrize("status", [A, E, None])
def test_a_member_not_present_does_not_count(status: AttendanceStatus | None) -> None:
    result = evaluate_quorum(people(("surgeon", P), ("radiation_oncologist", status), ("medical_oncologist", P)))
    assert not result.met
    assert result.missing == {"radiation_oncologist": 1}


def test_other_roles_do_not_stand_in() -> None:
    result = evaluate_quorum(
        people(("surgeon", P), ("surgeon", P), ("radiologist", P), ("pathologist", P), ("medical_oncologist", P))
    )
    assert not result.met and result.missing == {"radiation_oncologist": 1}


def test_nobody_recorded_is_not_a_quorum() -> None:
    result = evaluate_quorum([])
    assert not result.met and result.missing == {"medical_oncologist": 1, "radiation_oncologist": 1, "surgeon": 1}


def test_board_rule_with_minimums() -> None:
    rule = {"surgeon": 2, "radiologist": 1}
    assert not evaluate_quorum(people(("surgeon", P), ("radiologist", R)), rule).met
    result = evaluate_quorum(people(("surgeon", P), ("surgeon", R), ("radiologist", R)), rule)
    assert result.met and result.present == {"radiologist": 1, "surgeon": 2}
    assert evaluate_quorum(people(("surgeon", P)), rule).missing == {"radiologist": 1, "surgeon": 1}
