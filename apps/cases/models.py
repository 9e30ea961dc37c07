"""Patients, the cases they bring to the board, their bone lesions and prior radiotherapy.

Field names and codes are those of ``shared/clinical-rules.md`` §1 and §1b. ``None`` means "not known":
the clinical engines answer "unknown: needs <field>" rather than guess. Every rule that can be stated
without another table lives in the database as a CHECK constraint, so a bulk update or a script cannot
store an impossible lesion either.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.accounts.models import Board, Institution
from apps.cases.constraints import in_enum, laterality_fits_site, levels_in_order, levels_touch_site
from apps.cases.vocabulary import (
    KARNOFSKY_VALUES,
    LIMB_SITES,
    PARAPLEGIC_FRANKEL_GRADES,
    PRIMARY_SUBSITES,
    SPINAL_SITES,
    SUBSITES_BY_SITE,
    VERTEBRAL_LEVELS,
    Alignment,
    CastrationStatus,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    FrankelGrade,
    Laterality,
    LimbPain,
    MajorOrganMetastases,
    PosterolateralInvolvement,
    PrimaryHistology,
    PrimarySubsite,
    RadiographicType,
    ReceptorStatus,
    Sex,
    Site,
    SpinalPain,
    Subsite,
    SymptomBurden,
    VertebralCollapse,
    choices,
)
from apps.cases.workflow import CaseStatus
from apps.core.models import TimeStampedModel

MAX_FRACTIONS = 50
#: Ten years: longer than any paraplegia the Patchell criterion (< 48 h) could still concern.
MAX_PARAPLEGIA_HOURS = 24 * 365 * 10


class Patient(TimeStampedModel):
    """A person with bone metastases, identified by the medical record number of their hospital."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=64)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=choices(Sex), default=Sex.UNKNOWN)

    class Meta:
        ordering = ("family_name", "given_name", "id")
        constraints = [
            models.UniqueConstraint(fields=("institution", "mrn"), name="patient_mrn_unique_per_institution"),
            models.CheckConstraint(condition=in_enum("sex", Sex, nullable=False), name="patient_sex_valid"),
            models.CheckConstraint(condition=~Q(mrn=""), name="patient_mrn_present"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"


# Sorted: frozenset order varies between processes, and migrations must not churn.
# A CHECK passes when its condition is NULL, so each branch that permits a value also says the fields it
# compares are known (``__isnull=False``); otherwise an unknown histology would let any receptor through.
_SPINAL = sorted(s.value for s in SPINAL_SITES)


class Case(TimeStampedModel):
    """A patient's question to the board, with the disease facts the board needs to answer it.

    ``revision`` grows with every change to the clinical content (the case, its lesions, its prior
    courses); it is the ETag of the case and tells derived results whether they are current.
    """

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="cases")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    question = models.TextField(help_text="What the board is asked to decide.")
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=choices(CaseStatus), default=CaseStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)

    primary_histology = models.CharField(max_length=32, choices=choices(PrimaryHistology), null=True, blank=True)
    er_status = models.CharField(max_length=16, choices=choices(ReceptorStatus), null=True, blank=True)
    pr_status = models.CharField(max_length=16, choices=choices(ReceptorStatus), null=True, blank=True)
    her2_status = models.CharField(max_length=16, choices=choices(ReceptorStatus), null=True, blank=True)
    castration_status = models.CharField(max_length=32, choices=choices(CastrationStatus), null=True, blank=True)
    egfr_mutation = models.CharField(max_length=16, choices=choices(ReceptorStatus), null=True, blank=True)
    alk_rearrangement = models.CharField(max_length=16, choices=choices(ReceptorStatus), null=True, blank=True)
    ecog = models.PositiveSmallIntegerField("ECOG performance status", null=True, blank=True)
    estimated_survival_months = models.FloatField(null=True, blank=True)
    primary_diagnosis_date = models.DateField(null=True, blank=True)
    metastasis_diagnosis_date = models.DateField(null=True, blank=True)
    primary_controlled = models.BooleanField(null=True, blank=True, default=None)
    bone_metastases_count = models.PositiveSmallIntegerField(null=True, blank=True)
    visceral_metastases_count = models.PositiveSmallIntegerField(null=True, blank=True)
    brain_metastases = models.BooleanField(null=True, blank=True, default=None)
    history_polymetastatic = models.BooleanField(null=True, blank=True, default=None)
    history_oligometastatic_treated = models.BooleanField(null=True, blank=True, default=None)
    on_systemic_therapy = models.BooleanField(null=True, blank=True, default=None)
    progressing_lesions_count = models.PositiveSmallIntegerField(null=True, blank=True)
    #: A list of SystemicTherapyClass codes; null = not known, [] = none.
    systemic_therapy_classes = models.JSONField(null=True, blank=True)
    # Added 2026-12 (clinical-rules.md §1b): the prognostic scores (§10) and the Patchell criteria (§4).
    primary_subsite = models.CharField(max_length=16, choices=choices(PrimarySubsite), null=True, blank=True)
    karnofsky_performance_status = models.PositiveSmallIntegerField("Karnofsky performance status", null=True, blank=True)
    frankel_grade = models.CharField(max_length=1, choices=choices(FrankelGrade), null=True, blank=True)
    complete_paraplegia_hours = models.FloatField(
        null=True, blank=True, help_text="Hours since loss of motor function (Frankel A or B)."
    )
    extraspinal_bone_metastases_count = models.PositiveSmallIntegerField(null=True, blank=True)
    vertebral_metastases_count = models.PositiveSmallIntegerField(null=True, blank=True)
    major_organ_metastases = models.CharField(max_length=16, choices=choices(MajorOrganMetastases), null=True, blank=True)
    primary_treatment_completed_date = models.DateField(
        null=True, blank=True, help_text="End of curative-intent treatment of the primary."
    )

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("board", "status"), name="case_board_status_idx"),
            # The case list's order within a board (newest first): the page is read off the index.
            models.Index(fields=("board", "-created_at", "-id"), name="case_board_newest_idx"),
            models.Index(fields=("primary_histology",), name="case_histology_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=in_enum("status", CaseStatus, nullable=False), name="case_status_valid"),
            models.CheckConstraint(condition=~Q(question=""), name="case_question_present"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="case_revision_positive"),
            models.CheckConstraint(condition=in_enum("primary_histology", PrimaryHistology), name="case_histology_valid"),
            *(
                models.CheckConstraint(condition=in_enum(f, ReceptorStatus), name=f"case_{f}_valid")
                for f in ("er_status", "pr_status", "her2_status", "egfr_mutation", "alk_rearrangement")
            ),
            models.CheckConstraint(condition=in_enum("castration_status", CastrationStatus), name="case_castration_status_valid"),
            # Receptor and driver fields belong to the histology they describe.
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True})
                    | Q(primary_histology=PrimaryHistology.BREAST, primary_histology__isnull=False),
                    name=f"case_{f}_breast_only",
                )
                for f in ("er_status", "pr_status", "her2_status")
            ),
            models.CheckConstraint(
                condition=Q(castration_status__isnull=True)
                | Q(primary_histology=PrimaryHistology.PROSTATE, primary_histology__isnull=False),
                name="case_castration_status_prostate_only",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True})
                    | Q(primary_histology=PrimaryHistology.NSCLC, primary_histology__isnull=False),
                    name=f"case_{f}_nsclc_only",
                )
                for f in ("egfr_mutation", "alk_rearrangement")
            ),
            models.CheckConstraint(condition=Q(ecog__isnull=True) | Q(ecog__lte=4), name="case_ecog_range"),
            models.CheckConstraint(
                condition=Q(estimated_survival_months__isnull=True)
                | Q(estimated_survival_months__gte=0, estimated_survival_months__lte=600),
                name="case_survival_range",
            ),
            models.CheckConstraint(condition=in_enum("primary_subsite", PrimarySubsite), name="case_primary_subsite_valid"),
            models.CheckConstraint(
                condition=Q(primary_subsite__isnull=True)
                | Q(
                    *[
                        Q(
                            primary_histology=histology.value,
                            primary_histology__isnull=False,
                            primary_subsite__in=sorted(sub.value for sub in subsites),
                        )
                        for histology, subsites in sorted(PRIMARY_SUBSITES.items())
                    ],
                    _connector=Q.OR,
                ),
                name="case_primary_subsite_matches_histology",
            ),
            models.CheckConstraint(
                condition=Q(karnofsky_performance_status__isnull=True)
                | Q(karnofsky_performance_status__in=list(KARNOFSKY_VALUES)),
                name="case_karnofsky_valid",
            ),
            models.CheckConstraint(condition=in_enum("frankel_grade", FrankelGrade), name="case_frankel_grade_valid"),
            models.CheckConstraint(
                condition=Q(complete_paraplegia_hours__isnull=True)
                | Q(
                    complete_paraplegia_hours__gte=0,
                    complete_paraplegia_hours__lte=MAX_PARAPLEGIA_HOURS,
                    frankel_grade__in=sorted(g.value for g in PARAPLEGIC_FRANKEL_GRADES),
                    frankel_grade__isnull=False,
                ),
                name="case_paraplegia_hours_frankel_ab",
            ),
            models.CheckConstraint(
                condition=in_enum("major_organ_metastases", MajorOrganMetastases), name="case_major_organ_metastases_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.status})"


class Lesion(TimeStampedModel):
    """One bone metastasis under discussion (clinical-rules.md §1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lesions")
    label = models.CharField(max_length=120, blank=True, help_text="Free description, e.g. 'left femoral neck'.")
    site = models.CharField(max_length=32, choices=choices(Site))
    subsite = models.CharField(max_length=32, choices=choices(Subsite), null=True, blank=True)
    level_from = models.CharField(max_length=8, choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], null=True, blank=True)
    level_to = models.CharField(max_length=8, choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], null=True, blank=True)
    radiographic_type = models.CharField(max_length=16, choices=choices(RadiographicType), null=True, blank=True)
    cortical_involvement = models.CharField(max_length=32, choices=choices(CorticalInvolvement), null=True, blank=True)
    max_diameter_mm = models.FloatField(null=True, blank=True)
    symptomatic = models.BooleanField(null=True, blank=True, default=None)
    pain = models.CharField(max_length=16, choices=choices(LimbPain), null=True, blank=True)
    spinal_pain = models.CharField(max_length=32, choices=choices(SpinalPain), null=True, blank=True)
    alignment = models.CharField(max_length=32, choices=choices(Alignment), null=True, blank=True)
    vertebral_collapse = models.CharField(max_length=32, choices=choices(VertebralCollapse), null=True, blank=True)
    posterolateral_involvement = models.CharField(
        max_length=16, choices=choices(PosterolateralInvolvement), null=True, blank=True
    )
    epidural_compression_grade = models.CharField(max_length=4, choices=choices(EpiduralCompressionGrade), null=True, blank=True)
    distance_to_spinal_cord_mm = models.FloatField(null=True, blank=True)
    posterior_element_involvement = models.BooleanField(null=True, blank=True, default=None)
    extraosseous_soft_tissue = models.BooleanField(null=True, blank=True, default=None)
    existing_fracture = models.BooleanField(null=True, blank=True, default=None)
    prior_surgery = models.BooleanField(null=True, blank=True, default=None)
    prior_radiotherapy = models.BooleanField(null=True, blank=True, default=None)
    laterality = models.CharField(max_length=16, choices=choices(Laterality), null=True, blank=True)
    symptoms = models.CharField(
        max_length=32,
        choices=choices(SymptomBurden),
        null=True,
        blank=True,
        help_text="asymptomatic, minimally symptomatic or symptomatic; kept coherent with `symptomatic`.",
    )

    class Meta:
        ordering = ("case", "id")
        constraints = [
            models.CheckConstraint(condition=in_enum("site", Site, nullable=False), name="lesion_site_valid"),
            models.CheckConstraint(condition=in_enum("subsite", Subsite), name="lesion_subsite_valid"),
            models.CheckConstraint(condition=in_enum("level_from", VERTEBRAL_LEVELS), name="lesion_level_from_valid"),
            models.CheckConstraint(condition=in_enum("level_to", VERTEBRAL_LEVELS), name="lesion_level_to_valid"),
            models.CheckConstraint(
                condition=in_enum("radiographic_type", RadiographicType), name="lesion_radiographic_type_valid"
            ),
            models.CheckConstraint(condition=in_enum("cortical_involvement", CorticalInvolvement), name="lesion_cortical_valid"),
            models.CheckConstraint(condition=in_enum("pain", LimbPain), name="lesion_pain_valid"),
            models.CheckConstraint(condition=in_enum("spinal_pain", SpinalPain), name="lesion_spinal_pain_valid"),
            models.CheckConstraint(condition=in_enum("alignment", Alignment), name="lesion_alignment_valid"),
            models.CheckConstraint(condition=in_enum("vertebral_collapse", VertebralCollapse), name="lesion_collapse_valid"),
            models.CheckConstraint(
                condition=in_enum("posterolateral_involvement", PosterolateralInvolvement),
                name="lesion_posterolateral_valid",
            ),
            models.CheckConstraint(
                condition=in_enum("epidural_compression_grade", EpiduralCompressionGrade), name="lesion_escc_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_diameter_mm__isnull=True) | Q(max_diameter_mm__gt=0, max_diameter_mm__lte=500),
                name="lesion_diameter_range",
            ),
            models.CheckConstraint(
                condition=Q(distance_to_spinal_cord_mm__isnull=True)
                | Q(distance_to_spinal_cord_mm__gte=0, distance_to_spinal_cord_mm__lte=500),
                name="lesion_cord_distance_range",
            ),
            # Spine-only fields (levels, SINS and ESCC components) only on a spinal lesion.
            models.CheckConstraint(
                condition=Q(site__in=_SPINAL)
                | Q(
                    level_from__isnull=True,
                    level_to__isnull=True,
                    spinal_pain__isnull=True,
                    alignment__isnull=True,
                    vertebral_collapse__isnull=True,
                    posterolateral_involvement__isnull=True,
                    epidural_compression_grade__isnull=True,
                ),
                name="lesion_spinal_fields_spine_only",
            ),
            # Mirels' limb pain and cortical involvement do not describe a vertebra.
            models.CheckConstraint(
                condition=~Q(site__in=_SPINAL) | Q(pain__isnull=True, cortical_involvement__isnull=True),
                name="lesion_limb_fields_not_on_spine",
            ),
            models.CheckConstraint(
                condition=Q(level_to__isnull=True) | Q(level_from__isnull=False), name="lesion_level_to_needs_from"
            ),
            models.CheckConstraint(condition=levels_in_order("level_from", "level_to"), name="lesion_levels_in_order"),
            # The levels must touch the spinal region named by the site (no T4-T5 on a lumbar lesion); a
            # span may cross a junction (T12-L1 filed as thoracic or lumbar), see rules.lesion_errors.
            models.CheckConstraint(
                condition=levels_touch_site("site", "level_from", "level_to"), name="lesion_levels_touch_site"
            ),
            models.CheckConstraint(
                condition=Q(subsite__isnull=True)
                | Q(
                    *[Q(site=site, subsite__in=sorted(subs)) for site, subs in sorted(SUBSITES_BY_SITE.items())],
                    _connector=Q.OR,
                ),
                name="lesion_subsite_matches_site",
            ),
            models.CheckConstraint(condition=laterality_fits_site("site", "laterality"), name="lesion_laterality_fits_site"),
            models.CheckConstraint(condition=in_enum("symptoms", SymptomBurden), name="lesion_symptoms_valid"),
            # The contract's bool and the burden say the same thing.
            models.CheckConstraint(
                condition=Q(symptoms__isnull=True)
                | Q(symptoms=SymptomBurden.SYMPTOMATIC.value, symptomatic=True, symptomatic__isnull=False)
                | Q(
                    symptoms__in=[SymptomBurden.ASYMPTOMATIC.value, SymptomBurden.MINIMALLY_SYMPTOMATIC.value],
                    symptomatic=False,
                    symptomatic__isnull=False,
                ),
                name="lesion_symptoms_match_symptomatic",
            ),
        ]

    def __str__(self) -> str:
        where = self.site
        if self.level_from:
            where += f" {self.level_from}" + (f"-{self.level_to}" if self.level_to and self.level_to != self.level_from else "")
        elif self.subsite:
            where += f" ({self.subsite})"
        return f"Lesion {self.pk}: {where}"

    @property
    def is_spinal(self) -> bool:
        return self.site in SPINAL_SITES

    @property
    def is_limb(self) -> bool:
        return self.site in LIMB_SITES


class RadiotherapyTechnique(models.TextChoices):
    CONVENTIONAL = "conventional", "conventional (3D-CRT)"
    IMRT = "imrt", "IMRT / VMAT"
    SBRT = "sbrt", "SBRT"
    SRS = "srs", "radiosurgery"
    OTHER = "other", "other"


class PriorRadiotherapyCourse(TimeStampedModel):
    """A course of radiotherapy the patient already received; it counts towards re-irradiation limits.

    ``region`` is the label people read; the structured target (``site`` with spinal levels, or ``site``
    and ``laterality``) is what re-irradiation overlap is decided on (clinical-rules.md §7). A course
    without a structured target is "overlap unknown", never silently dropped.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="prior_radiotherapy")
    region = models.CharField(max_length=120, help_text="Treated region as a label, e.g. 'T10-L1' or 'left femur'.")
    site = models.CharField(max_length=32, choices=choices(Site), null=True, blank=True)
    level_from = models.CharField(max_length=8, choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], null=True, blank=True)
    level_to = models.CharField(max_length=8, choices=[(lv, lv) for lv in VERTEBRAL_LEVELS], null=True, blank=True)
    laterality = models.CharField(max_length=16, choices=choices(Laterality), null=True, blank=True)
    total_dose_gy = models.FloatField()
    fractions = models.PositiveSmallIntegerField()
    date = models.DateField(null=True, blank=True)
    technique = models.CharField(max_length=16, choices=RadiotherapyTechnique.choices, blank=True)

    class Meta:
        ordering = ("case", "date", "id")
        constraints = [
            models.CheckConstraint(condition=~Q(region=""), name="prior_rt_region_present"),
            models.CheckConstraint(condition=Q(total_dose_gy__gt=0, total_dose_gy__lte=200), name="prior_rt_dose_range"),
            models.CheckConstraint(condition=Q(fractions__gte=1, fractions__lte=MAX_FRACTIONS), name="prior_rt_fractions_range"),
            models.CheckConstraint(
                condition=Q(technique="") | Q(technique__in=RadiotherapyTechnique.values),
                name="prior_rt_technique_valid",
            ),
            models.CheckConstraint(condition=in_enum("site", Site), name="prior_rt_site_valid"),
            models.CheckConstraint(condition=in_enum("level_from", VERTEBRAL_LEVELS), name="prior_rt_level_from_valid"),
            models.CheckConstraint(condition=in_enum("level_to", VERTEBRAL_LEVELS), name="prior_rt_level_to_valid"),
            models.CheckConstraint(
                condition=Q(level_from__isnull=True, level_to__isnull=True) | Q(site__in=_SPINAL, site__isnull=False),
                name="prior_rt_levels_spine_only",
            ),
            models.CheckConstraint(
                condition=Q(level_to__isnull=True) | Q(level_from__isnull=False), name="prior_rt_level_to_needs_from"
            ),
            models.CheckConstraint(condition=levels_in_order("level_from", "level_to"), name="prior_rt_levels_in_order"),
            models.CheckConstraint(
                condition=levels_touch_site("site", "level_from", "level_to"), name="prior_rt_levels_touch_site"
            ),
            models.CheckConstraint(condition=laterality_fits_site("site", "laterality"), name="prior_rt_laterality_fits_site"),
        ]

    def __str__(self) -> str:
        return f"{self.total_dose_gy:g} Gy/{self.fractions} to {self.region}"
