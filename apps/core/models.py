"""Abstract building blocks shared by the clinical models."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    """Every clinical record says when it was made and changed, and by whom.

    ``uuid`` is the public identifier: safe to show in URLs of other systems and in logs, unlike the
    sequential primary key.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """A task to send to the broker, written in the transaction of the change that needs it.

    ``apps.core.background.enqueue`` inserts the row with the caller's writes, so the work is recorded if
    and only if the change commits; after commit it is sent and stamped ``sent_at``. A row the broker did
    not take (broker down, worker host restarting) stays unsent and the periodic sweep sends it again:
    the request that made the change never waits on, or fails because of, the broker.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            # The sweep reads only the unsent rows, oldest first.
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({'sent' if self.sent_at else 'unsent'})"


class Job(models.Model):
    """A visible piece of long-running work: a trial re-match, a dose import, a recompute command.

    Created ``queued`` in the transaction that asks for it; the worker claims it with a conditional UPDATE
    (``queued`` -> ``running``, so a redelivered message never runs it twice), reports ``done``/``total``
    and log lines, and ends ``succeeded`` or ``failed`` with its ``error``. Chunked jobs count their
    chunks too; the last chunk finishes the job. ``heartbeat_at`` moves with every step: the sweep
    re-enqueues a job left ``queued`` or silent in ``running`` too long (its worker died).
    """

    class Kind(models.TextChoices):
        TRIAL_REMATCH = "trial_rematch", "Trial re-match"
        DOSE_IMPORT = "dose_import", "Dose import"
        RECOMPUTE_RISK = "recompute_risk", "Recompute risk assessments"
        RECOMPUTE_DOSE_SUMMARIES = "recompute_dose_summaries", "Recompute dose summaries"
        RECOMPUTE_OPTIONS = "recompute_options", "Recompute treatment options"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    #: The task that runs (or fans out) the job, called with the job's id: what the sweep re-sends.
    task_name = models.CharField(max_length=200, blank=True, default="")
    params = models.JSONField(default=dict, blank=True, help_text="What the job was asked to do.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0, help_text="Stored results written (unchanged ones are not).")
    log = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["kind", "-created_at"], name="job_kind_newest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "failed"]), name="job_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "trial_rematch",
                        "dose_import",
                        "recompute_risk",
                        "recompute_dose_summaries",
                        "recompute_options",
                    ]
                ),
                name="job_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) & models.Q(chunks_done__lte=models.F("chunks_total")),
                name="job_progress_within_total",
            ),
            models.CheckConstraint(condition=~models.Q(status="failed") | ~models.Q(error=""), name="job_failed_says_why"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.status})"

    @property
    def progress_pct(self) -> float:
        """Percent done: of the chunks for a chunked job, else of the items; 100 once finished."""
        if self.status in (self.Status.SUCCEEDED, self.Status.FAILED):
            return 100.0
        if self.chunks_total:
            return round(100.0 * self.chunks_done / self.chunks_total, 1)
        return 0.0 if self.total == 0 else round(100.0 * self.done / self.total, 1)


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for one create (``apps.core.idempotency``): the first response is
    kept and replayed for a repeat, so a POST retried after a lost answer creates one record, not two.

    The key is the caller's, per user; the request it first came with is identified by method, path and
    a SHA-256 of its body, so the same key with another request is refused instead of replayed. Rows older
    than ``IDEMPOTENCY_KEY_TTL_HOURS`` are removed by ``core.sweep_idempotency_keys`` (Celery beat).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2048)
    body_digest = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [models.UniqueConstraint(fields=("user", "key"), name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.response_status})"
