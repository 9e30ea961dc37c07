"""Audit event codes: every clinical write names one of these."""

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
    OPTIONS_COMPUTED = "options.computed"
