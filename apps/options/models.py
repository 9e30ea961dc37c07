"""Stored prognosis and treatment options of cases.

One ``TreatmentOptionsResult`` row per (case, inputs digest), as the risk app stores its assessments: the
digest fingerprints every input the options engine read (the case, the stored risk findings, the active
regimen catalogue, the case's plans, its trial matches) plus the engine version, so recomputing unchanged
inputs reuses the row. Exactly one row per case is ``is_current`` (a partial unique constraint); the others
are history. ``case_revision`` is the newest case revision the row describes; ``dependencies`` records the
fingerprints of the other inputs (risk digest, plans, catalogue) so the case API can tell, in the same
query, that a plan, a catalogue edit or a new risk assessment has made the stored options stale.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.cases.models import Case
from apps.core.fields import PayloadJSONField


class TreatmentOptionsResult(models.Model):
    """The options engine's answer for one case: every lesion's NOMS and options, the case-level options
    and the prognostic scores, as the board saw them when they were computed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="treatment_options_results")
    inputs_digest = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=32)
    case_revision = models.PositiveIntegerField()
    risk_digest = models.CharField(max_length=64, help_text="inputs_digest of the risk assessment the options read.")
    plans_stamp = models.CharField(max_length=64, help_text="count:revision-sum:id-sum of the case's plans.")
    catalogue_stamp = models.CharField(max_length=64, help_text="count:revision-sum of the regimen catalogue.")
    payload = PayloadJSONField(help_text="CaseOptions.stored_dict() of the options engine: to_dict() with each regimen once")
    has_urgent = models.BooleanField(default=False, help_text="An option is urgent (cord compression, impending fracture).")
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ("case", "-computed_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("case", "inputs_digest"), name="options_result_unique_digest"),
            models.UniqueConstraint(fields=("case",), condition=Q(is_current=True), name="options_result_one_current_per_case"),
            models.CheckConstraint(condition=Q(case_revision__gte=1), name="options_result_revision_positive"),
        ]
        indexes = [models.Index(fields=("has_urgent",), name="options_result_urgent_idx")]

    def __str__(self) -> str:
        state = "current" if self.is_current else "history"
        return f"Options of case {self.case_id} r{self.case_revision} ({state})"
