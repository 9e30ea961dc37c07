"""Roles and permissions as enum members, with each role's default grant.

Checks name a ``Permission`` member, never a string, so a typo is an ``AttributeError`` at import time
rather than a permission silently denied (or granted). Plain Python: no Django imports.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's professional role on the tumor board."""

    COORDINATOR = "coordinator"
    SURGEON = "surgeon"
    RADIATION_ONCOLOGIST = "radiation_oncologist"
    MEDICAL_ONCOLOGIST = "medical_oncologist"
    RADIOLOGIST = "radiologist"
    PATHOLOGIST = "pathologist"
    ADMINISTRATOR = "administrator"


class Permission(StrEnum):
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_EDIT = "case.edit"
    CASE_SUBMIT = "case.submit"
    CASE_TRIAGE = "case.triage"  # schedule, move through discussion, close
    PATIENT_VIEW = "patient.view"
    PATIENT_EDIT = "patient.edit"
    DOSE_PLAN_EDIT = "dose.plan.edit"
    REFERRAL_MANAGE = "trial.referral.manage"
    MATCH_FLAG = "trial.match.flag"
    TRIAL_REGISTRY_EDIT = "trial.registry.edit"
    AUDIT_VIEW = "audit.view"
    REPORTS_VIEW = "reports.view"
    RECOMPUTE = "derived.recompute"
    MEETING_VIEW = "meeting.view"
    MEETING_SCHEDULE = "meeting.schedule"  # series, move, cancel, publish, attendance record
    AGENDA_EDIT = "meeting.agenda.edit"  # place, reorder, move, remove agenda items
    MEETING_ATTEND = "meeting.attend"  # RSVP, self check-in, certificate
    MEETING_RUN = "meeting.run"  # meeting mode; only the meeting's own chair, checked on the object
    DISCUSSION_POST = "discussion.post"  # comment, reply, edit or retract one's own comment
    OPINION_FILE = "discussion.opinion.file"  # a specialty's structured pre-meeting opinion
    DECISION_DRAFT = "decision.draft"  # create and edit a draft decision, start an amendment
    DECISION_SIGN = "decision.sign"  # sign; only the meeting's own chair, checked on the object
    FOLLOW_UP_RECORD = "decision.follow_up.record"


CLINICIANS: frozenset[Role] = frozenset(
    {
        Role.SURGEON,
        Role.RADIATION_ONCOLOGIST,
        Role.MEDICAL_ONCOLOGIST,
        Role.RADIOLOGIST,
        Role.PATHOLOGIST,
    }
)

_CLINICAL_BASE: frozenset[Permission] = frozenset(
    {
        Permission.CASE_VIEW,
        Permission.CASE_CREATE,
        Permission.CASE_EDIT,
        Permission.CASE_SUBMIT,
        Permission.PATIENT_VIEW,
        Permission.PATIENT_EDIT,
        Permission.MATCH_FLAG,
        Permission.REFERRAL_MANAGE,
        Permission.MEETING_VIEW,
        Permission.MEETING_ATTEND,
        Permission.MEETING_RUN,
        Permission.DISCUSSION_POST,
        Permission.OPINION_FILE,
        Permission.DECISION_DRAFT,
        Permission.DECISION_SIGN,
        Permission.FOLLOW_UP_RECORD,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COORDINATOR: _CLINICAL_BASE
    | {Permission.CASE_TRIAGE, Permission.RECOMPUTE, Permission.MEETING_SCHEDULE, Permission.AGENDA_EDIT},
    Role.SURGEON: _CLINICAL_BASE,
    Role.RADIATION_ONCOLOGIST: _CLINICAL_BASE | {Permission.DOSE_PLAN_EDIT},
    Role.MEDICAL_ONCOLOGIST: _CLINICAL_BASE,
    Role.RADIOLOGIST: _CLINICAL_BASE,
    Role.PATHOLOGIST: _CLINICAL_BASE,
    # Administrators audit everything and curate the trial registry, but never change clinical content.
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.CASE_VIEW,
            Permission.PATIENT_VIEW,
            Permission.TRIAL_REGISTRY_EDIT,
            Permission.AUDIT_VIEW,
            Permission.REPORTS_VIEW,
            Permission.RECOMPUTE,
            Permission.MEETING_VIEW,
        }
    ),
}


def role_has_permission(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False  # an unknown role grants nothing
