"""Audit event codes: every clinical write, sign-in, admin action, read and export names one of these.

The codes live here, not in a database list: any app adds its own members (``decision.signed`` ...)
without an ``audit`` migration. ``audit_record`` refuses a code that is not a member, and the database
checks the shape (``<area>.<verb>``), so a write outside the service is still caught.
"""

from enum import StrEnum


class AuditEvent(StrEnum):
    PATIENT_CREATED = "patient.created"
    PATIENT_UPDATED = "patient.updated"
    CASE_CREATED = "case.created"
    CASE_UPDATED = "case.updated"
    CASE_STATUS_CHANGED = "case.status_changed"
    RISK_ASSESSED = "risk.assessed"
    DOSE_PLAN_CREATED = "dose.plan_created"
    DOSE_PLAN_UPDATED = "dose.plan_updated"
    DOSE_PLAN_DELETED = "dose.plan_deleted"
    DOSE_SUMMARY_COMPUTED = "dose.summary_computed"
    DOSE_IMPORT = "dose.import"
    REGIMEN_CHANGED = "dose.regimen_changed"
    CONSTRAINT_SET_CHANGED = "dose.constraint_set_changed"
    TRIAL_CREATED = "trial.created"
    TRIAL_UPDATED = "trial.updated"
    TRIAL_MATCHED = "trial.matched"
    MATCH_FLAGGED = "trial.match_flagged"
    MATCH_FLAG_RESOLVED = "trial.match_flag_resolved"
    REFERRAL_CREATED = "trial.referral_created"
    REFERRAL_TRANSITIONED = "trial.referral_transitioned"
    RECOMPUTE_REQUESTED = "derived.recompute_requested"
    USER_ACCESS_CHANGED = "access.user_changed"
    MEMBERSHIP_CHANGED = "access.membership_changed"
    BOARD_CHANGED = "access.board_changed"
    MEETING_SERIES_CREATED = "meeting.series_created"
    MEETING_SCHEDULED = "meeting.scheduled"
    MEETING_MOVED = "meeting.moved"
    MEETING_CANCELLED = "meeting.cancelled"
    AGENDA_CHANGED = "meeting.agenda_changed"
    AGENDA_PUBLISHED = "meeting.agenda_published"
    ATTENDANCE_RECORDED = "meeting.attendance_recorded"
    MEETING_PROGRESS = "meeting.progress"
    QUORUM_RULE_CHANGED = "meeting.quorum_rule_changed"
    OPTIONS_COMPUTED = "options.computed"
    # Security events (issues 13 and 15): sign-ins, the admin, reads and exports of patient data.
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    TOKEN_ISSUED = "auth.token_issued"  # noqa: S105 - an event code, not a secret
    ADMIN_ADDED = "admin.added"
    ADMIN_CHANGED = "admin.changed"
    ADMIN_DELETED = "admin.deleted"
    PATIENT_READ = "patient.read"
    CASE_READ = "case.read"
    RECORD_READ = "record.read"
    RECORD_EXPORTED = "record.exported"
    AUDIT_EXPORTED = "audit.exported"
