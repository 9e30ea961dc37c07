"""The audit trail: one row per clinical write, written by the service in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.audit.events import AuditEvent
from apps.cases.vocabulary import choices


class AuditEntry(models.Model):
    """Who did what to which record, when, with the values before and after.

    Rows are only ever inserted (by ``apps.audit.services.audit_record``); the admin shows them
    read-only. ``actor`` is null for work done by the system (a Celery task), which names itself in
    ``actor_label``.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    event = models.CharField(max_length=64, choices=choices(AuditEvent), db_index=True)
    board = models.ForeignKey("accounts.Board", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=("subject_type", "subject_id"), name="audit_subject_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(event__in=[e.value for e in AuditEvent]), name="audit_event_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.event} {self.subject_type}:{self.subject_id}"
