"""Stored SRE risk assessments of cases.

One ``RiskAssessment`` row per (case, inputs digest): the digest fingerprints every input the engine reads
plus the engine version, so recomputing unchanged inputs reuses the row instead of creating a duplicate.
Exactly one row per case is ``is_current`` (a partial unique constraint); the others are history.
``case_revision`` is the newest case revision the row is known to describe, which tells the case API
whether the assessment is current or stale.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.cases.models import Case, Lesion
from apps.core.fields import PayloadJSONField


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    inputs_digest = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=32)
    case_revision = models.PositiveIntegerField()
    payload = PayloadJSONField(help_text="CaseRiskSummary.to_dict()")
    highest_flag_code = models.CharField(max_length=64, blank=True, default="")
    highest_flag_priority = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ("case", "-computed_at", "-id")
        indexes = [
            models.Index(fields=("highest_flag_priority",), name="risk_assessment_priority_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=("case", "inputs_digest"), name="risk_assessment_unique_digest"),
            models.UniqueConstraint(fields=("case",), condition=Q(is_current=True), name="risk_assessment_one_current_per_case"),
        ]

    def __str__(self) -> str:
        state = "current" if self.is_current else "stale"
        return f"Risk of case {self.case_id} r{self.case_revision} ({state})"


class LesionAssessment(models.Model):
    """One lesion's scores in an assessment, denormalised for querying (e.g. every unstable spine); the
    lesion's full result is ``assessment.payload["lesions"]``."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="lesion_rows")
    lesion = models.ForeignKey(Lesion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lesion_ref = models.CharField(max_length=64)
    mirels_score = models.PositiveSmallIntegerField(null=True, blank=True)
    mirels_category = models.CharField(max_length=32, null=True, blank=True)
    sins_score = models.PositiveSmallIntegerField(null=True, blank=True)
    sins_category = models.CharField(max_length=32, null=True, blank=True)
    escc_high_grade = models.BooleanField(null=True, blank=True)
    high_risk = models.BooleanField(null=True, blank=True)
    # No payload of its own: the lesion's full result is stored once, in the assessment's payload
    # ("lesions"); a copy here doubled the JSON written per lesion (issue 16).

    class Meta:
        ordering = ("assessment", "id")

    def __str__(self) -> str:
        return f"Lesion {self.lesion_ref} of {self.assessment_id}"
