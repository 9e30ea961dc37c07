"""Per-case discussion: threaded comments with their edit history and retractions, and each specialty's
structured pre-meeting opinion.

A comment is never deleted: a retraction keeps the row (and its history) and shows that it was retracted,
by whom and why. Each edit stores the previous text as a ``CommentRevision`` first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.roles import CLINICIANS, Role
from apps.cases.models import Case
from apps.cases.vocabulary import choices
from apps.core.models import TimeStampedModel


class Comment(TimeStampedModel):
    """One contribution to a case's thread; a reply names its parent (one level, as clinicians reply)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: The author's role when they wrote it (roles can change; the thread shows who spoke as what).
    author_role = models.CharField(max_length=32, choices=choices(Role))
    body = models.TextField(help_text="Markdown source (a small subset).")
    body_html = models.TextField(help_text="Sanitised HTML rendered from body.")
    mentions = models.JSONField(default=list, blank=True, help_text="Usernames of the board members mentioned.")
    edited_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    retraction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("case", "created_at", "id")
        indexes = [models.Index(fields=("case", "created_at"), name="comment_case_time_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(author_role__in=[r.value for r in Role]), name="comment_author_role_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_present"),
            models.CheckConstraint(
                condition=Q(retracted_at__isnull=True) | Q(retracted_by__isnull=False), name="comment_retraction_names_who"
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on case {self.case_id}"


class CommentRevision(models.Model):
    """The text of a comment before one of its edits (edits are kept as history)."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="revisions")
    body = models.TextField()
    body_html = models.TextField()
    written_at = models.DateTimeField(help_text="When this text was written (the comment's creation or previous edit).")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("comment", "replaced_at", "id")

    def __str__(self) -> str:
        return f"revision of comment {self.comment_id} at {self.replaced_at:%Y-%m-%d %H:%M}"


class Opinion(TimeStampedModel):
    """A specialty's short structured pre-meeting opinion on a case (one per specialty; re-filing replaces it,
    the audit trail keeps the earlier text)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="opinions")
    specialty = models.CharField(max_length=32, choices=[(r.value, r.value.replace("_", " ")) for r in sorted(CLINICIANS)])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessment = models.TextField(help_text="The specialty's reading of the case.")
    recommendation = models.TextField(help_text="What the specialty proposes.")
    #: Whether the specialty considers the case ready for discussion (e.g. imaging complete).
    ready_for_discussion = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ("case", "specialty")
        constraints = [
            models.UniqueConstraint(fields=("case", "specialty"), name="opinion_once_per_specialty"),
            models.CheckConstraint(
                condition=Q(specialty__in=sorted(r.value for r in CLINICIANS)), name="opinion_specialty_valid"
            ),
            models.CheckConstraint(condition=~Q(assessment="") & ~Q(recommendation=""), name="opinion_is_filled"),
        ]

    def __str__(self) -> str:
        return f"{self.specialty} opinion on case {self.case_id}"
