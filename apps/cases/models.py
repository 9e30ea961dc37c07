"""Patients, the cases they bring to the board, their bone lesions and prior radiotherapy.

Field names and codes are those of ``shared/clinical-rules.md`` §1 and §1b, each declared once in
``apps.cases.fields`` (codes, range, where it applies, label): the columns and their CHECK constraints are
built from that table (``model_field``, ``field_constraints``). ``None`` means "not known":
the clinical engines answer "unknown: needs <field>" rather than guess. Every rule that can be stated
without another table lives in the database as a CHECK constraint, so a bulk update or a script cannot
store an impossible lesion either.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.accounts.models import Board, Institution
from apps.cases.columns import model_field
from apps.cases.constraints import field_constraints, in_enum, structured_target_constraints
from apps.cases.fields import MAX_FRACTIONS, MAX_PARAPLEGIA_HOURS, Entity
from apps.cases.vocabulary import LIMB_SITES, RADIOTHERAPY_TECHNIQUE_LABELS, SPINAL_SITES, Sex, SymptomBurden, choices
from apps.cases.workflow import CaseStatus
from apps.core.models import TimeStampedModel

__all__ = [
    "MAX_FRACTIONS",
    "MAX_PARAPLEGIA_HOURS",
    "Case",
    "Lesion",
    "Patient",
    "PriorRadiotherapyCourse",
    "RadiotherapyTechnique",
]

C, L, P = Entity.CASE, Entity.LESION, Entity.PRIOR_COURSE


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
        # The public id, never the name or MRN: str() ends up in the admin's LogEntry, error messages and
        # log lines (issue 15). Pages show the name where a person needs it, field by field.
        return f"Patient {self.uuid}"


class Case(TimeStampedModel):
    """A patient's question to the board, with the disease facts the board needs to answer it.

    ``revision`` grows with every change to the clinical content (the case, its lesions, its prior
    courses); it is the ETag of the case and tells derived results whether they are current.
    """

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="cases")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    question = model_field(C, "question")
    urgent = model_field(C, "urgent")
    status = models.CharField(max_length=16, choices=choices(CaseStatus), default=CaseStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    #: ``apps.cases.facts.facts_digest`` of the case's facts (its fields, lesions, prior courses, the
    #: patient's date of birth, ``as_of``), valid only while ``facts_stamp`` is still the case's (its
    #: revision, its patient and the later of the case's and the patient's ``updated_at``: every write of
    #: a case, lesion, prior course or patient through the services moves one of them). A re-match chunk
    #: whose cases all carry a valid digest equal to the one its stored matches were computed from loads
    #: no facts (issue 16). Not clinical content: a cache, recorded by
    #: ``apps.cases.services.case_facts_digests_record`` under the engines' case locks.
    facts_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    facts_stamp = models.CharField(max_length=64, blank=True, default="", editable=False)

    # The clinical fields: what each means (codes, range, where it applies, label) is apps.cases.fields.
    primary_histology = model_field(C, "primary_histology", max_length=32)
    er_status = model_field(C, "er_status", max_length=16)
    pr_status = model_field(C, "pr_status", max_length=16)
    her2_status = model_field(C, "her2_status", max_length=16)
    castration_status = model_field(C, "castration_status", max_length=32)
    egfr_mutation = model_field(C, "egfr_mutation", max_length=16)
    alk_rearrangement = model_field(C, "alk_rearrangement", max_length=16)
    ecog = model_field(C, "ecog", verbose_name="ECOG performance status")
    estimated_survival_months = model_field(C, "estimated_survival_months")
    primary_diagnosis_date = model_field(C, "primary_diagnosis_date")
    metastasis_diagnosis_date = model_field(C, "metastasis_diagnosis_date")
    primary_controlled = model_field(C, "primary_controlled")
    bone_metastases_count = model_field(C, "bone_metastases_count")
    visceral_metastases_count = model_field(C, "visceral_metastases_count")
    brain_metastases = model_field(C, "brain_metastases")
    history_polymetastatic = model_field(C, "history_polymetastatic")
    history_oligometastatic_treated = model_field(C, "history_oligometastatic_treated")
    on_systemic_therapy = model_field(C, "on_systemic_therapy")
    progressing_lesions_count = model_field(C, "progressing_lesions_count")
    #: A list of SystemicTherapyClass codes; null = not known, [] = none.
    systemic_therapy_classes = model_field(C, "systemic_therapy_classes")
    # Added 2026-12 (clinical-rules.md §1b): the prognostic scores (§10) and the Patchell criteria (§4).
    primary_subsite = model_field(C, "primary_subsite", max_length=16)
    karnofsky_performance_status = model_field(C, "karnofsky_performance_status", verbose_name="Karnofsky performance status")
    frankel_grade = model_field(C, "frankel_grade", max_length=1)
    complete_paraplegia_hours = model_field(C, "complete_paraplegia_hours")
    extraspinal_bone_metastases_count = model_field(C, "extraspinal_bone_metastases_count")
    vertebral_metastases_count = model_field(C, "vertebral_metastases_count")
    major_organ_metastases = model_field(C, "major_organ_metastases", max_length=16)
    primary_treatment_completed_date = model_field(C, "primary_treatment_completed_date")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("board", "status"), name="case_board_status_idx"),
            # The case list's order within a board (newest first): the page is read off the index.
            models.Index(fields=("board", "-created_at", "-id"), name="case_board_newest_idx"),
            # The case list page's order (urgent first, then recently changed): read off the index too, now that
            # the scope gives the board ids as values (apps.accounts.scoping).
            models.Index(fields=("board", "-urgent", "-updated_at", "-id"), name="case_board_worklist_idx"),
            models.Index(fields=("primary_histology",), name="case_histology_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=in_enum("status", CaseStatus, nullable=False), name="case_status_valid"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="case_revision_positive"),
            *field_constraints(C),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.status})"


class Lesion(TimeStampedModel):
    """One bone metastasis under discussion (clinical-rules.md §1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lesions")
    label = model_field(L, "label", max_length=120)
    site = model_field(L, "site", max_length=32)
    subsite = model_field(L, "subsite", max_length=32)
    level_from = model_field(L, "level_from", max_length=8)
    level_to = model_field(L, "level_to", max_length=8)
    radiographic_type = model_field(L, "radiographic_type", max_length=16)
    cortical_involvement = model_field(L, "cortical_involvement", max_length=32)
    max_diameter_mm = model_field(L, "max_diameter_mm")
    symptomatic = model_field(L, "symptomatic")
    pain = model_field(L, "pain", max_length=16)
    spinal_pain = model_field(L, "spinal_pain", max_length=32)
    alignment = model_field(L, "alignment", max_length=32)
    vertebral_collapse = model_field(L, "vertebral_collapse", max_length=32)
    posterolateral_involvement = model_field(L, "posterolateral_involvement", max_length=16)
    epidural_compression_grade = model_field(L, "epidural_compression_grade", max_length=4)
    distance_to_spinal_cord_mm = model_field(L, "distance_to_spinal_cord_mm")
    posterior_element_involvement = model_field(L, "posterior_element_involvement")
    extraosseous_soft_tissue = model_field(L, "extraosseous_soft_tissue")
    existing_fracture = model_field(L, "existing_fracture")
    prior_surgery = model_field(L, "prior_surgery")
    prior_radiotherapy = model_field(L, "prior_radiotherapy")
    laterality = model_field(L, "laterality", max_length=16)
    symptoms = model_field(L, "symptoms", max_length=32)

    class Meta:
        ordering = ("case", "id")
        constraints = [
            *field_constraints(L),
            *structured_target_constraints("lesion"),
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


#: The techniques as Django choices (``apps.cases.vocabulary.RadiotherapyTechnique``, the clinic's names).
RadiotherapyTechnique = models.TextChoices(  # type: ignore[call-overload]
    "RadiotherapyTechnique",
    [(code.name, (code.value, text)) for code, text in RADIOTHERAPY_TECHNIQUE_LABELS.items()],
)


class PriorRadiotherapyCourse(TimeStampedModel):
    """A course of radiotherapy the patient already received; it counts towards re-irradiation limits.

    ``region`` is the label people read; the structured target (``site`` with spinal levels, or ``site``
    and ``laterality``) is what re-irradiation overlap is decided on (clinical-rules.md §7). A course
    without a structured target is "overlap unknown", never silently dropped.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="prior_radiotherapy")
    region = model_field(P, "region", max_length=120)
    site = model_field(P, "site", max_length=32)
    level_from = model_field(P, "level_from", max_length=8)
    level_to = model_field(P, "level_to", max_length=8)
    laterality = model_field(P, "laterality", max_length=16)
    total_dose_gy = model_field(P, "total_dose_gy")
    fractions = model_field(P, "fractions")
    date = model_field(P, "date")
    technique = model_field(P, "technique", max_length=16)

    class Meta:
        ordering = ("case", "date", "id")
        constraints = [
            *field_constraints(P),
            *structured_target_constraints("prior_rt"),
        ]

    def __str__(self) -> str:
        return f"{self.total_dose_gy:g} Gy/{self.fractions} to {self.region}"
