"""Planned radiotherapy courses of a case and their stored dose summaries.

A ``RadiotherapyPlan`` is a course the board plans for a case: a catalogue regimen (``regimen_code``) or
custom dose levels (``levels``), the technique, the alpha/beta for BED/EQD2, and organ-at-risk metrics
(``oar_metrics``: structure -> metric code -> Gy). ``revision`` grows with every change.

A ``DoseSummary`` is the dose engine's ``build_dose_summary`` of a plan (with the case's prior courses),
keyed by the digest of its inputs (engine version included): recomputing unchanged inputs reuses the row.
Exactly one row per plan is ``is_current`` (a partial unique constraint); the others are history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.cases.models import Case, Lesion, RadiotherapyTechnique


class RadiotherapyPlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="radiotherapy_plans")
    target_lesions = models.ManyToManyField(Lesion, blank=True, related_name="radiotherapy_plans")
    name = models.CharField(max_length=200, blank=True, default="")
    regimen_code = models.CharField(
        max_length=64, blank=True, default="", help_text="A catalogue regimen code, or blank for custom levels."
    )
    levels = models.JSONField(
        default=list, blank=True, help_text='Custom levels: [{"fractions", "total_dose_gy", "label"?}, ...].'
    )
    technique = models.CharField(
        max_length=16, choices=RadiotherapyTechnique.choices, default=RadiotherapyTechnique.CONVENTIONAL
    )
    alpha_beta = models.FloatField(default=10.0)
    region = models.CharField(
        max_length=120, blank=True, default="", help_text="Prior courses to this region count (blank: all)."
    )
    oar_metrics = models.JSONField(
        default=dict, blank=True, help_text='Organ-at-risk metrics: {"structure": {"Dmax": Gy, ...}}.'
    )
    planned_date = models.DateField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("case", "created_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(alpha_beta__gt=0), name="rt_plan_alpha_beta_positive"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="rt_plan_revision_positive"),
            models.CheckConstraint(
                condition=Q(technique__in=RadiotherapyTechnique.values), name="rt_plan_technique_valid"
            ),
        ]

    def __str__(self) -> str:
        what = self.regimen_code or "custom levels"
        return f"Plan {self.pk} of case {self.case_id} ({what})"


class DoseSummary(models.Model):
    plan = models.ForeignKey(RadiotherapyPlan, on_delete=models.CASCADE, related_name="dose_summaries")
    inputs_digest = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=32)
    plan_revision = models.PositiveIntegerField()
    case_revision = models.PositiveIntegerField()
    payload = models.JSONField(help_text="DoseSummary.to_dict(2) of the dose engine")
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ("plan", "-computed_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("plan", "inputs_digest"), name="dose_summary_unique_digest"),
            models.UniqueConstraint(
                fields=("plan",), condition=Q(is_current=True), name="dose_summary_one_current_per_plan"
            ),
        ]

    def __str__(self) -> str:
        state = "current" if self.is_current else "stale"
        return f"Dose summary of plan {self.plan_id} r{self.plan_revision} ({state})"
