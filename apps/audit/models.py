"""The audit trail: an append-only, hash-chained log of every write, sign-in, admin action, read and export."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone

from apps.audit.chain import GENESIS
from apps.core.fields import PayloadJSONField


class AuditEntry(models.Model):
    """Who did what to which record, when, from where, with the values before and after.

    Rows are only ever inserted, by ``apps.audit.services.audit_record``, and the database refuses UPDATE
    and DELETE (triggers, ``apps.audit.db``). Each row carries ``hash``, SHA-256 over its content and the
    previous row's hash (``prev_hash``), in the order of ``sequence`` (``apps.audit.chain``), so a change
    made behind the trigger's back is found by ``manage.py verify_audit_chain``.

    ``actor`` is null for work done by the system (a Celery task), which names itself in ``actor_label``,
    and for a failed sign-in (``actor_label`` is then the user name that was tried). ``actor_role`` is the
    actor's role when it acted. ``case_id``/``patient_id`` say which case and patient the row concerns
    (derived from the subject), so a case's or a patient's whole trail is one indexed filter; they are
    plain numbers, not foreign keys, so the trail outlives the record.
    """

    sequence = models.BigIntegerField(unique=True, help_text="Position in the hash chain, from 1.")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=32, blank=True)
    event = models.CharField(max_length=64, db_index=True)
    board = models.ForeignKey("accounts.Board", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_label = models.CharField(max_length=200, blank=True)
    before = PayloadJSONField(null=True, blank=True)
    after = PayloadJSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ("-sequence",)
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=("subject_type", "subject_id"), name="audit_subject_idx"),
            models.Index(fields=("actor", "occurred_at"), name="audit_actor_time_idx"),
        ]
        constraints = [
            # The vocabulary is ``AuditEvent`` (checked by the writer); the database checks the shape, so
            # apps can add codes without a migration here.
            models.CheckConstraint(
                condition=models.Q(event__contains=".") & ~models.Q(event__startswith=".") & ~models.Q(event__endswith="."),
                name="audit_event_shape",
            ),
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_positive"),
            models.CheckConstraint(condition=Exact(Length("hash"), 64), name="audit_hash_sha256"),
            models.CheckConstraint(condition=Exact(Length("prev_hash"), 64), name="audit_prev_hash_sha256"),
            # One successor per entry: two writers can never fork the chain, whatever the locking did.
            models.UniqueConstraint(fields=("prev_hash",), name="audit_prev_hash_unique"),
        ]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}"
        return f"#{self.sequence} {when} {self.actor_label} {self.event} {self.subject_type}:{self.subject_id}"


class AuditChainHead(models.Model):
    """The one row that says where the chain ends: locked by every append, so appends are serialised.

    A trigger moves it to each inserted entry (``apps.audit.db``). It also witnesses the chain's length
    and last hash, so entries deleted from the end are detected.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = "audit chain head"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row"),
            models.CheckConstraint(condition=models.Q(sequence__gte=0), name="audit_chain_head_sequence_non_negative"),
        ]

    def __str__(self) -> str:
        return f"audit chain head at {self.sequence}"
