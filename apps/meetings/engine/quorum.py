"""Quorum of a board meeting: which specialties must be present for a decision.

The default rule is the board's own (issue 12): at least one surgeon, one radiation oncologist and one
medical oncologist present, in person or remote, i.e. the local (surgery, radiotherapy) and systemic
specialties that a tumor board integrates (source: 003_694939402052979f.txt, "Tumor boards, integrating
systemic therapies with local interventions"). A board may set its own minimums per professional role.
Excused and absent members do not count; neither does a member with no attendance recorded. Before
anyone is recorded the answer is a definite ``met=False`` listing the missing roles: the rule is
evaluated on who is known to be present.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class AttendanceStatus(StrEnum):
    PRESENT_IN_PERSON = "present_in_person"
    PRESENT_REMOTE = "present_remote"
    ABSENT = "absent"
    EXCUSED = "excused"


PRESENT: frozenset[AttendanceStatus] = frozenset({AttendanceStatus.PRESENT_IN_PERSON, AttendanceStatus.PRESENT_REMOTE})

#: Role codes as in ``apps.accounts.roles.Role`` (kept as plain codes so this module stays standalone).
DEFAULT_QUORUM: Mapping[str, int] = {"surgeon": 1, "radiation_oncologist": 1, "medical_oncologist": 1}


@dataclass(frozen=True)
class Attendee:
    role: str
    status: AttendanceStatus | None


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    required: dict[str, int]
    present: dict[str, int]
    missing: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {"met": self.met, "required": self.required, "present": self.present, "missing": self.missing}


def evaluate_quorum(attendees: Iterable[Attendee], required: Mapping[str, int] | None = None) -> QuorumResult:
    """Whether every required role has at least its minimum of members present."""
    rule = dict(required or DEFAULT_QUORUM)
    present = Counter(a.role for a in attendees if a.status in PRESENT)
    missing = {role: need - present[role] for role, need in sorted(rule.items()) if present[role] < need}
    return QuorumResult(
        met=not missing,
        required=dict(sorted(rule.items())),
        present=dict(sorted(present.items())),
        missing=missing,
    )
