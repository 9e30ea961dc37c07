"""Reading the trail: only for holders of ``Permission.AUDIT_VIEW``, scoped to their boards."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from apps.accounts.authorization import allowed, restrict
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.models import AuditEntry

#: The subject type of a trial referral (its enrolment is a transition of the referral).
REFERRAL_SUBJECT = "trials.trialreferral"


def audit_entries(user: User | AnonymousUser | None) -> QuerySet[AuditEntry]:
    """The entries ``user`` may audit: none without ``AUDIT_VIEW``; administrators every entry (also those
    tied to no board, such as sign-ins); anyone else granted the permission only their boards' entries."""
    if not allowed(user, Permission.AUDIT_VIEW):
        return AuditEntry.objects.none()
    return restrict(AuditEntry.objects.all(), user, "board_id").order_by("-sequence")


def for_patient(queryset: QuerySet[AuditEntry], patient_id: int) -> QuerySet[AuditEntry]:
    """A patient's trail: entries about the patient and about any of the patient's cases (one subquery)."""
    from apps.cases.models import Case

    return queryset.filter(Q(patient_id=patient_id) | Q(case_id__in=Case.objects.filter(patient_id=patient_id).values("pk")))


def for_subject(queryset: QuerySet[AuditEntry], subject_type: str, subject_id: str | int) -> QuerySet[AuditEntry]:
    """One record's trail, e.g. ``("trials.trialreferral", 7)``; the hook for per-decision views
    (``apps/decisions`` passes its own subject type)."""
    return queryset.filter(subject_type=subject_type, subject_id=str(subject_id))


CSV_COLUMNS: tuple[str, ...] = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_role",
    "event",
    "board_id",
    "case_id",
    "patient_id",
    "subject_type",
    "subject_id",
    "subject_label",
    "before",
    "after",
    "reason",
    "ip_address",
    "request_id",
    "prev_hash",
    "hash",
)


def _cell(value: Any) -> str:
    import json

    if value is None:
        return ""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    # A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The entries as CSV lines (header first), streamed."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries:
        values = {**{c: getattr(entry, c, None) for c in CSV_COLUMNS}, "occurred_at": entry.occurred_at.isoformat()}
        yield writer.writerow([_cell(values[c]) for c in CSV_COLUMNS])
