"""Planned radiotherapy courses of a case and their stored dose summaries.

A ``RadiotherapyPlan`` is a course the board plans for a case: a catalogue regimen (``regimen_code``) or
custom dose levels (``levels``), the technique, the alpha/beta for BED/EQD2, and organ-at-risk metrics
(``oar_metrics``: structure -> metric code -> Gy). ``revision`` grows with every change.

A ``DoseSummary`` is the dose engine's ``build_dose_summary`` of a plan (with the case's prior courses),
keyed by the digest of its inputs (engine version included): recomputing unchanged inputs reuses the row.
Exactly one row per plan is ``is_current`` (a partial unique constraint); the others are history.
``catalogue_revisions`` records the revision of every catalogue row it used (the regimen and the
constraint sets), so an administrator's edit of one marks the summaries built on it stale.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.cases.constraints import in_enum, structured_target_constraints
from apps.cases.models import Case, Lesion, RadiotherapyTechnique
from apps.cases.vocabulary import SPINAL_SITES, VERTEBRAL_LEVELS, Laterality, Site, choices
from apps.core.fields import PayloadJSONField
from apps.core.models import Job, TimeStampedModel
from apps.dosimetry.engine.bounds import MAX_ALPHA_BETA, MIN_ALPHA_BETA
from apps.dosimetry.engine.catalogue import Intent, RegimenCategory, Technique
from apps.dosimetry.engine.constraints import Direction, LimitUnit, Metric

_SPINAL = sorted(str(site) for site in SPINAL_SITES)


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
    technique = models.CharField(max_length=16, choices=RadiotherapyTechnique.choices, default=RadiotherapyTechnique.CONVENTIONAL)
    alpha_beta = models.FloatField(default=10.0)
    region = models.CharField(
        max_length=120, blank=True, default="", help_text="Free-text label of the treated region (display only)."
    )
    # The structured target re-irradiation overlap is decided on (clinical-rules.md §7): spinal levels,
    # or a site with its side. Null = not recorded: every prior course then reads "overlap unknown".
    site = models.CharField(max_length=32, choices=choices(Site), null=True, blank=True)
    level_from = models.CharField(max_length=8, choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], null=True, blank=True)
    level_to = models.CharField(max_length=8, choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], null=True, blank=True)
    laterality = models.CharField(max_length=16, choices=choices(Laterality), null=True, blank=True)
    level_targets = models.JSONField(
        default=list,
        blank=True,
        help_text="For a catalogue regimen: the structure each dose level prescribes, in the regimen's level order "
        '(e.g. ["PTV_boost", "PTV_elective"]); custom levels carry "target" themselves.',
    )
    oar_metrics = models.JSONField(default=dict, blank=True, help_text='Organ-at-risk metrics: {"structure": {"Dmax": Gy, ...}}.')
    planned_date = models.DateField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("case", "created_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(alpha_beta__gt=0), name="rt_plan_alpha_beta_positive"),
            # The backstop of engine/bounds.py (0.5-50 Gy, the ratios in clinical use with their sources).
            models.CheckConstraint(
                condition=Q(alpha_beta__gte=MIN_ALPHA_BETA, alpha_beta__lte=MAX_ALPHA_BETA), name="rt_plan_alpha_beta_in_bounds"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="rt_plan_revision_positive"),
            models.CheckConstraint(condition=Q(technique__in=RadiotherapyTechnique.values), name="rt_plan_technique_valid"),
            models.CheckConstraint(condition=in_enum("site", Site), name="rt_plan_site_valid"),
            models.CheckConstraint(condition=in_enum("level_from", VERTEBRAL_LEVELS), name="rt_plan_level_from_valid"),
            models.CheckConstraint(condition=in_enum("level_to", VERTEBRAL_LEVELS), name="rt_plan_level_to_valid"),
            models.CheckConstraint(condition=in_enum("laterality", Laterality), name="rt_plan_laterality_valid"),
            models.CheckConstraint(
                condition=Q(level_from__isnull=True, level_to__isnull=True) | Q(site__in=_SPINAL, site__isnull=False),
                name="rt_plan_levels_spine_only",
            ),
            *structured_target_constraints("rt_plan"),
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
    payload = PayloadJSONField(help_text="DoseSummary.to_dict(2) of the dose engine")
    computed_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)
    catalogue_revisions = models.JSONField(
        default=dict,
        blank=True,
        help_text='Catalogue rows used and their revisions: {"regimen:<code>": 2, "constraint_set:<code>": 1}.',
    )

    class Meta:
        ordering = ("plan", "-computed_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("plan", "inputs_digest"), name="dose_summary_unique_digest"),
            models.UniqueConstraint(fields=("plan",), condition=Q(is_current=True), name="dose_summary_one_current_per_plan"),
        ]

    def __str__(self) -> str:
        state = "current" if self.is_current else "stale"
        return f"Dose summary of plan {self.plan_id} r{self.plan_revision} ({state})"


# =========================================================================== catalogue as data
#
# The regimen catalogue and the organ-at-risk constraint sets of ``engine/catalogue.py``, loaded by the
# data migration ``0003_seed_catalogue`` (from the embedded snapshot ``migrations/catalogue_v1.json``) and
# editable by administrators in the Django admin. Codes never change once published: withdraw a regimen by
# clearing ``active``.


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


REGIMEN_CATEGORY_CHOICES = _choices(RegimenCategory)
TECHNIQUE_CHOICES = _choices(Technique)
INTENT_CHOICES = _choices(Intent)
METRIC_CHOICES = _choices(Metric)
LIMIT_UNIT_CHOICES = _choices(LimitUnit)
DIRECTION_CHOICES = _choices(Direction)


def _values(choices: list[tuple[str, str]]) -> list[str]:
    return [value for value, _ in choices]


class Regimen(TimeStampedModel):
    """A catalogue regimen: ``levels`` share ``fractions``; several levels make a SIB."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=24, choices=REGIMEN_CATEGORY_CHOICES)
    fractions = models.PositiveSmallIntegerField()
    levels = models.JSONField(default=list, help_text='Dose levels: [{"total_dose_gy": 30.0, "target": ""}, ...].')
    technique = models.CharField(max_length=24, choices=TECHNIQUE_CHOICES)
    intent = models.CharField(max_length=16, choices=INTENT_CHOICES)
    indications = models.TextField(blank=True, default="", help_text="One indication per line.")
    source = models.TextField(blank=True, default="")
    trial = models.TextField(blank=True, default="")
    cautions = models.JSONField(default=list, blank=True, help_text="List of caution texts.")
    dose_range_gy = models.JSONField(null=True, blank=True, help_text="Published range [low, high] in Gy.")
    range_label = models.CharField(max_length=80, blank=True, default="")
    constraint_set = models.CharField(max_length=80, blank=True, default="", help_text="A constraint set code.")
    active = models.BooleanField(default=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ("category", "fractions", "code")
        constraints = [
            models.CheckConstraint(condition=Q(fractions__gte=1) & Q(fractions__lte=50), name="regimen_fractions_1_50"),
            models.CheckConstraint(condition=Q(category__in=_values(REGIMEN_CATEGORY_CHOICES)), name="regimen_category_valid"),
            models.CheckConstraint(condition=Q(technique__in=_values(TECHNIQUE_CHOICES)), name="regimen_technique_valid"),
            models.CheckConstraint(condition=Q(intent__in=_values(INTENT_CHOICES)), name="regimen_intent_valid"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="regimen_revision_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"

    @property
    def indication_list(self) -> list[str]:
        """``indications`` as a list (one per non-blank line)."""
        return [line.strip() for line in self.indications.splitlines() if line.strip()]


class ConstraintSet(TimeStampedModel):
    """A named list of organ-at-risk constraints used together."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    source = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    fractions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Fraction count the whole set is bound to (blank: any)."
    )
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(condition=Q(revision__gte=1), name="constraint_set_revision_positive"),
            models.CheckConstraint(
                condition=Q(fractions__isnull=True) | (Q(fractions__gte=1) & Q(fractions__lte=50)),
                name="constraint_set_fractions_1_50",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class OrganConstraint(models.Model):
    """One dose constraint of a set (organ, metric, limit, unit, direction, alpha/beta, fractions)."""

    set = models.ForeignKey(ConstraintSet, on_delete=models.CASCADE, related_name="constraints")
    code = models.SlugField(max_length=120)
    organ = models.CharField(max_length=64)
    metric = models.CharField(max_length=16, choices=METRIC_CHOICES)
    limit = models.FloatField()
    unit = models.CharField(max_length=32, choices=LIMIT_UNIT_CHOICES)
    direction = models.CharField(max_length=8, choices=DIRECTION_CHOICES)
    alpha_beta = models.FloatField(null=True, blank=True)
    fractions = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.TextField(blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("set", "id")
        constraints = [
            models.UniqueConstraint(fields=("set", "code"), name="organ_constraint_unique_code_per_set"),
            models.CheckConstraint(condition=Q(limit__gt=0), name="organ_constraint_limit_positive"),
            models.CheckConstraint(
                condition=Q(alpha_beta__isnull=True) | Q(alpha_beta__gt=0),
                name="organ_constraint_alpha_beta_positive",
            ),
            models.CheckConstraint(
                condition=Q(fractions__isnull=True) | (Q(fractions__gte=1) & Q(fractions__lte=50)),
                name="organ_constraint_fractions_1_50",
            ),
            models.CheckConstraint(condition=Q(metric__in=_values(METRIC_CHOICES)), name="organ_constraint_metric_valid"),
            models.CheckConstraint(condition=Q(unit__in=_values(LIMIT_UNIT_CHOICES)), name="organ_constraint_unit_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=_values(DIRECTION_CHOICES)), name="organ_constraint_direction_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.organ} {self.metric} {self.direction} {self.limit:g} {self.unit})"


class DoseImportJob(models.Model):
    """An import of organ-at-risk dose metrics into a plan (CSV DVH or DICOM RT): its inputs and what it
    found. Its progress, log, error and outcome are its ``job`` (the one ``core.Job`` model, kind
    ``dose_import``): the task claims that job with a conditional UPDATE, so a redelivered message never
    runs an import twice, and ``error`` says what was wrong with the file.
    """

    class Kind(models.TextChoices):
        CSV_DVH = "csv_dvh", "CSV DVH export"
        DICOM_RT = "dicom_rt", "DICOM RT Dose + RT Structure Set"

    #: The job's status values (kept here for the API schema and callers).
    Status = Job.Status

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="dose_import")
    plan = models.ForeignKey(RadiotherapyPlan, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    csv_text = models.TextField(blank=True, default="")
    rtdose = models.FileField(upload_to="dose-imports/", blank=True)
    rtstruct = models.FileField(upload_to="dose-imports/", blank=True)
    structures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-id",)
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["csv_dvh", "dicom_rt"]), name="dose_import_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} import for plan {self.plan_id} ({self.job.status})"

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def progress(self) -> int:
        """Percent done (the job counts to 100)."""
        return int(self.job.progress_pct)

    @property
    def error(self) -> str:
        return self.job.error

    @property
    def log(self) -> str:
        return self.job.log
