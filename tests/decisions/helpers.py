"""Builders for decision tests: a meeting in progress chaired by the radiation oncologist, with a case on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.cases.models import Case, Lesion
from apps.meetings import services as meetings
from apps.meetings.engine.quorum import AttendanceStatus
from apps.meetings.models import Meeting
from tests.conftest import Personas
from tests.meetings.helpers import meetings_of, submitted_case, weekly_series

PASSWORD = "pw-for-tests"


@dataclass
class Sitting:
    meeting: Meeting
    case: Case
    lesion: Lesion


def sitting(p: Personas, *, quorum: bool = True, weeks: int = 1) -> Sitting:
    """A meeting chaired by ``radonc``, started, with one submitted case placed on it (and attendance).

    ``weeks`` > 1 adds the series' next meetings (a next agenda for cases coming back)."""
    meeting = meetings_of(weekly_series(p, weeks=weeks, chair=p.radonc))[0]
    case = submitted_case(p)
    meetings.agenda_place(actor=p.coordinator, meeting_id=meeting.pk, case_id=case.pk)
    present = (p.surgeon, p.radonc, p.medonc) if quorum else (p.radonc,)
    for user in present:
        meetings.attendance_record(
            actor=p.coordinator, meeting_id=meeting.pk, user_id=user.pk, status=AttendanceStatus.PRESENT_IN_PERSON
        )
    meetings.meeting_start(actor=p.radonc, meeting_id=meeting.pk)
    meeting.refresh_from_db()
    case.refresh_from_db()
    return Sitting(meeting=meeting, case=case, lesion=case.lesions.get())


def draft_body(s: Sitting, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "meeting": s.meeting.pk,
        "intent": "palliative",
        "actions": [
            {"kind": "radiotherapy", "target_lesions": [s.lesion.pk], "regimen": "8Gy/1", "technique": "conventional_3d"},
            {"kind": "surgery", "procedure": "fixation", "target_lesions": [s.lesion.pk]},
            {"kind": "trial_referral", "trial": "NCT03862911"},
            {"kind": "best_supportive_care"},
        ],
        "rationale": "Impending fracture of the femur (Mirels 10): fixation then single-fraction RT.",
        "consensus": "majority",
        "dissent": [{"member": "medonc", "reason": "Prefers RT alone given the prognosis."}],
    }
    body.update(overrides)
    return body
