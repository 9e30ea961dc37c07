"""Reads of patients and cases, always scoped to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet

from apps.accounts.models import Board, User
from apps.accounts.scoping import scope_by_board, visible_board_ids
from apps.cases.facts import CaseFacts, LesionFacts, PriorCourseFacts
from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.cases.vocabulary import (
    Alignment,
    CastrationStatus,
    CorticalInvolvement,
    EpiduralCompressionGrade,
    LimbPain,
    PosterolateralInvolvement,
    PrimaryHistology,
    RadiographicType,
    ReceptorStatus,
    Site,
    SpinalPain,
    Subsite,
    SystemicTherapyClass,
    VertebralCollapse,
)


def scope_cases(user: User | AnonymousUser | None) -> QuerySet[Case]:
    return scope_by_board(Case.objects.all(), user, "board_id")


def scope_patients(user: User | AnonymousUser | None) -> QuerySet[Patient]:
    """Patients of the institutions whose boards the user sits on (the hospital's MRN register)."""
    board_ids = visible_board_ids(user)
    if board_ids is None:
        return Patient.objects.all()
    institution_ids = Board.objects.filter(id__in=board_ids).values("institution_id")
    return Patient.objects.filter(institution_id__in=institution_ids)


def case_list(user: User | AnonymousUser | None) -> QuerySet[Case]:
    return (
        scope_cases(user)
        .select_related("board", "patient")
        .annotate(lesion_count=Count("lesions", distinct=True))
    )


def case_detail_queryset(user: User | AnonymousUser | None) -> QuerySet[Case]:
    return scope_cases(user).select_related("board", "patient").prefetch_related("lesions", "prior_radiotherapy")


def _code(enum: type, value: str | None) -> object:
    return None if value is None else enum(value)


def lesion_facts(lesion: Lesion) -> LesionFacts:
    return LesionFacts(
        site=Site(lesion.site),
        subsite=_code(Subsite, lesion.subsite),  # type: ignore[arg-type]
        level_from=lesion.level_from,
        level_to=lesion.level_to,
        radiographic_type=_code(RadiographicType, lesion.radiographic_type),  # type: ignore[arg-type]
        cortical_involvement=_code(CorticalInvolvement, lesion.cortical_involvement),  # type: ignore[arg-type]
        max_diameter_mm=lesion.max_diameter_mm,
        symptomatic=lesion.symptomatic,
        pain=_code(LimbPain, lesion.pain),  # type: ignore[arg-type]
        spinal_pain=_code(SpinalPain, lesion.spinal_pain),  # type: ignore[arg-type]
        alignment=_code(Alignment, lesion.alignment),  # type: ignore[arg-type]
        vertebral_collapse=_code(VertebralCollapse, lesion.vertebral_collapse),  # type: ignore[arg-type]
        posterolateral_involvement=_code(PosterolateralInvolvement, lesion.posterolateral_involvement),  # type: ignore[arg-type]
        epidural_compression_grade=_code(EpiduralCompressionGrade, lesion.epidural_compression_grade),  # type: ignore[arg-type]
        distance_to_spinal_cord_mm=lesion.distance_to_spinal_cord_mm,
        posterior_element_involvement=lesion.posterior_element_involvement,
        extraosseous_soft_tissue=lesion.extraosseous_soft_tissue,
        existing_fracture=lesion.existing_fracture,
        prior_surgery=lesion.prior_surgery,
        prior_radiotherapy=lesion.prior_radiotherapy,
        ref=str(lesion.uuid),
    )


def prior_course_facts(course: PriorRadiotherapyCourse) -> PriorCourseFacts:
    return PriorCourseFacts(
        region=course.region,
        total_dose_gy=course.total_dose_gy,
        fractions=course.fractions,
        date=course.date,
        technique=course.technique,
    )


def case_facts(case: Case) -> CaseFacts:
    """The immutable snapshot every clinical engine reads. Expects lesions and prior courses prefetched."""
    classes = case.systemic_therapy_classes
    return CaseFacts(
        primary_histology=_code(PrimaryHistology, case.primary_histology),  # type: ignore[arg-type]
        er_status=_code(ReceptorStatus, case.er_status),  # type: ignore[arg-type]
        pr_status=_code(ReceptorStatus, case.pr_status),  # type: ignore[arg-type]
        her2_status=_code(ReceptorStatus, case.her2_status),  # type: ignore[arg-type]
        castration_status=_code(CastrationStatus, case.castration_status),  # type: ignore[arg-type]
        egfr_mutation=_code(ReceptorStatus, case.egfr_mutation),  # type: ignore[arg-type]
        alk_rearrangement=_code(ReceptorStatus, case.alk_rearrangement),  # type: ignore[arg-type]
        ecog=case.ecog,
        estimated_survival_months=case.estimated_survival_months,
        primary_diagnosis_date=case.primary_diagnosis_date,
        metastasis_diagnosis_date=case.metastasis_diagnosis_date,
        primary_controlled=case.primary_controlled,
        bone_metastases_count=case.bone_metastases_count,
        visceral_metastases_count=case.visceral_metastases_count,
        brain_metastases=case.brain_metastases,
        history_polymetastatic=case.history_polymetastatic,
        history_oligometastatic_treated=case.history_oligometastatic_treated,
        on_systemic_therapy=case.on_systemic_therapy,
        progressing_lesions_count=case.progressing_lesions_count,
        systemic_therapy_classes=None if classes is None else tuple(SystemicTherapyClass(c) for c in classes),
        lesions=tuple(lesion_facts(lesion) for lesion in case.lesions.all()),
        prior_courses=tuple(prior_course_facts(c) for c in case.prior_radiotherapy.all()),
        date_of_birth=case.patient.date_of_birth,
        as_of=case.updated_at.date() if case.updated_at else None,
        ref=str(case.uuid),
    )


def case_for_engines(case_id: int) -> Case:
    """A case with everything ``case_facts`` reads, in three queries."""
    return (
        Case.objects.select_related("patient", "board")
        .prefetch_related("lesions", "prior_radiotherapy")
        .get(pk=case_id)
    )
