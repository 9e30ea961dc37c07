"""Showcase cases for ``seed_demo``: each tells one coherent clinical story, so that a board trying the
product sees every section at work (issue 9's demo findings: no plans, a "Grace" recorded as male, a
re-irradiation question without a prior course).

- SHOW-01, luminal breast, solitary T9 metastasis 20 months after treatment: oligometastatic state, trial
  matches (CLEAR, STEREO-SEIN ...), an SBRT plan with the CDK4/6-inhibitor caution.
- SHOW-02, NSCLC with T5-T6 ESCC grade 3, Frankel C: high-grade compression, a Patchell candidate, urgent.
- SHOW-03, renal cell, left peritrochanteric femur, Mirels 12: impending fracture, post-operative RT plan.
- SHOW-04, castration-resistant prostate, T8 progression after 30 Gy/10 to T7-T9: re-irradiation with the
  Sahgal 2012 checks on a 24 Gy/2 SBRT plan.
- SHOW-05, HER2-positive breast on T-DM1, L2 with epidural disease: the 30/40 Gy SIB in 10 of seed 002 with
  PTV checks per level, and the T-DM1 caution.
- SHOW-06, prostate, minimally symptomatic 26 mm left acetabular lesion: high-risk asymptomatic
  (Gillespie), prophylactic RT.

Written through the services like any case, so they carry audit rows and derived results. Idempotent by MRN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from apps.accounts.models import Board, User
from apps.cases import services
from apps.cases.models import Case, Patient
from apps.cases.workflow import CaseStatus


@dataclass(frozen=True)
class Showcase:
    mrn: str
    patient: dict[str, Any]
    case: dict[str, Any]
    lesions: list[dict[str, Any]]
    prior_courses: list[dict[str, Any]] = field(default_factory=list)
    #: Plans written by the radiation oncologist: (plan fields, indexes of the lesions it treats).
    plans: list[tuple[dict[str, Any], list[int]]] = field(default_factory=list)
    submit: bool = True


SHOWCASES: tuple[Showcase, ...] = (
    Showcase(
        mrn="SHOW-01",
        patient={"given_name": "Grace", "family_name": "Whitfield", "date_of_birth": dt.date(1968, 4, 12), "sex": "female"},
        case={
            "question": "Solitary T9 metastasis 20 months after adjuvant treatment: SBRT to the site, and which trials?",
            "primary_histology": "breast",
            "er_status": "positive",
            "pr_status": "positive",
            "her2_status": "negative",
            "ecog": 0,
            "karnofsky_performance_status": 90,
            "frankel_grade": "E",
            "estimated_survival_months": 48,
            "primary_diagnosis_date": dt.date(2022, 9, 1),
            "primary_treatment_completed_date": dt.date(2023, 3, 15),
            "metastasis_diagnosis_date": dt.date(2024, 11, 20),
            "primary_controlled": True,
            "bone_metastases_count": 1,
            "visceral_metastases_count": 0,
            "extraspinal_bone_metastases_count": 0,
            "vertebral_metastases_count": 1,
            "major_organ_metastases": "none",
            "brain_metastases": False,
            "history_polymetastatic": False,
            "history_oligometastatic_treated": False,
            "on_systemic_therapy": True,
            "systemic_therapy_classes": ["endocrine", "cdk46_inhibitor"],
            "progressing_lesions_count": 0,
        },
        lesions=[
            {
                "site": "thoracic_spine",
                "level_from": "T9",
                "laterality": "midline",
                "label": "T9 vertebral body",
                "symptoms": "minimally_symptomatic",
                "spinal_pain": "occasional_non_mechanical",
                "radiographic_type": "mixed",
                "alignment": "normal",
                "vertebral_collapse": "none",
                "posterolateral_involvement": "none",
                "epidural_compression_grade": "0",
                "distance_to_spinal_cord_mm": 6,
                "max_diameter_mm": 18,
            }
        ],
        plans=[
            (
                {
                    "name": "T9 SBRT 35 Gy/5",
                    "planned_date": dt.date(2026, 12, 14),
                    "regimen_code": "sbrt_spine_35gy_5fx",
                    "technique": "sbrt",
                    "site": "thoracic_spine",
                    "level_from": "T9",
                    "laterality": "midline",
                    "oar_metrics": {"spinal_cord": {"Dmax": 22.0}},
                },
                [0],
            )
        ],
    ),
    Showcase(
        mrn="SHOW-02",
        patient={"given_name": "Tomasz", "family_name": "Kowalski", "date_of_birth": dt.date(1957, 1, 30), "sex": "male"},
        case={
            "question": "New leg weakness with T5-T6 cord compression: decompression and stabilisation, or radiotherapy alone?",
            "urgent": True,
            "primary_histology": "nsclc",
            "egfr_mutation": "negative",
            "alk_rearrangement": "negative",
            "ecog": 2,
            "karnofsky_performance_status": 60,
            "frankel_grade": "C",
            "estimated_survival_months": 7,
            "primary_diagnosis_date": dt.date(2025, 6, 10),
            "metastasis_diagnosis_date": dt.date(2026, 11, 20),
            "primary_controlled": False,
            "bone_metastases_count": 3,
            "visceral_metastases_count": 1,
            "extraspinal_bone_metastases_count": 1,
            "vertebral_metastases_count": 2,
            "major_organ_metastases": "unremovable",
            "brain_metastases": False,
            "on_systemic_therapy": True,
            "systemic_therapy_classes": ["immunotherapy", "chemotherapy"],
        },
        lesions=[
            {
                "site": "thoracic_spine",
                "level_from": "T5",
                "level_to": "T6",
                "laterality": "midline",
                "label": "T5-T6 with epidural extension",
                "prior_radiotherapy": False,
                "prior_surgery": False,
                "symptoms": "symptomatic",
                "spinal_pain": "mechanical",
                "radiographic_type": "lytic",
                "alignment": "normal",
                "vertebral_collapse": "lt50_collapse",
                "posterolateral_involvement": "bilateral",
                "epidural_compression_grade": "3",
                "distance_to_spinal_cord_mm": 0,
                "posterior_element_involvement": True,
                "extraosseous_soft_tissue": True,
                "max_diameter_mm": 38,
            },
            {
                "site": "rib",
                "laterality": "right",
                "label": "right 7th rib",
                "radiographic_type": "lytic",
                "max_diameter_mm": 14,
                "symptoms": "asymptomatic",
            },
        ],
    ),
    Showcase(
        mrn="SHOW-03",
        patient={"given_name": "Ingrid", "family_name": "Larsen", "date_of_birth": dt.date(1961, 8, 3), "sex": "female"},
        case={
            "question": "Functional pain in the left proximal femur, Mirels 12: prophylactic fixation then radiotherapy?",
            "primary_histology": "renal_cell",
            "ecog": 1,
            "karnofsky_performance_status": 80,
            "estimated_survival_months": 30,
            "primary_diagnosis_date": dt.date(2020, 2, 14),
            "primary_treatment_completed_date": dt.date(2020, 4, 1),
            "metastasis_diagnosis_date": dt.date(2026, 10, 5),
            "primary_controlled": True,
            "bone_metastases_count": 2,
            "visceral_metastases_count": 0,
            "extraspinal_bone_metastases_count": 2,
            "vertebral_metastases_count": 0,
            "major_organ_metastases": "none",
            "on_systemic_therapy": True,
            "systemic_therapy_classes": ["tki", "immunotherapy"],
        },
        lesions=[
            {
                "site": "femur",
                "subsite": "peritrochanteric",
                "laterality": "left",
                "label": "left peritrochanteric femur",
                "symptoms": "symptomatic",
                "pain": "functional",
                "radiographic_type": "lytic",
                "cortical_involvement": "gt_two_thirds",
                "max_diameter_mm": 46,
            },
            {
                "site": "pelvis",
                "laterality": "right",
                "label": "right iliac wing",
                "radiographic_type": "lytic",
                "max_diameter_mm": 17,
                "symptoms": "asymptomatic",
            },
        ],
        plans=[
            (
                {
                    "name": "Post-operative left femur 20 Gy/5",
                    "planned_date": dt.date(2026, 12, 14),
                    "regimen_code": "postop_20gy_5fx",
                    "technique": "conventional",
                    "site": "femur",
                    "laterality": "left",
                },
                [0],
            )
        ],
    ),
    Showcase(
        mrn="SHOW-04",
        patient={"given_name": "Henry", "family_name": "Okafor", "date_of_birth": dt.date(1950, 11, 22), "sex": "male"},
        case={
            "question": "Painful progression at T8, treated with 30 Gy/10 to T7-T9 in March 2025: is SBRT re-irradiation safe?",
            "primary_histology": "prostate",
            "castration_status": "castration_resistant",
            "ecog": 1,
            "karnofsky_performance_status": 80,
            "frankel_grade": "E",
            "estimated_survival_months": 20,
            "primary_diagnosis_date": dt.date(2019, 5, 2),
            "metastasis_diagnosis_date": dt.date(2024, 12, 1),
            "primary_controlled": True,
            "bone_metastases_count": 3,
            "visceral_metastases_count": 0,
            "extraspinal_bone_metastases_count": 2,
            "vertebral_metastases_count": 1,
            "major_organ_metastases": "none",
            "on_systemic_therapy": True,
            "systemic_therapy_classes": ["adt", "androgen_receptor_inhibitor"],
        },
        lesions=[
            {
                "site": "thoracic_spine",
                "level_from": "T8",
                "laterality": "midline",
                "label": "T8, in the previous T7-T9 field",
                "symptoms": "symptomatic",
                "spinal_pain": "mechanical",
                "radiographic_type": "blastic",
                "alignment": "normal",
                "vertebral_collapse": "no_collapse_gt50_involved",
                "posterolateral_involvement": "unilateral",
                "epidural_compression_grade": "1a",
                "distance_to_spinal_cord_mm": 3,
                "prior_radiotherapy": True,
                "max_diameter_mm": 21,
            },
            {
                "site": "pelvis",
                "laterality": "left",
                "label": "left ischium",
                "radiographic_type": "blastic",
                "max_diameter_mm": 12,
                "symptoms": "asymptomatic",
            },
            {
                "site": "rib",
                "laterality": "left",
                "label": "left 4th rib",
                "radiographic_type": "blastic",
                "max_diameter_mm": 9,
                "symptoms": "asymptomatic",
            },
        ],
        prior_courses=[
            {
                "region": "T7-T9",
                "site": "thoracic_spine",
                "level_from": "T7",
                "level_to": "T9",
                "laterality": "midline",
                "total_dose_gy": 30.0,
                "fractions": 10,
                "date": dt.date(2025, 3, 20),
                "technique": "conventional",
            }
        ],
        plans=[
            (
                {
                    "name": "T8 re-irradiation SBRT 24 Gy/2",
                    "planned_date": dt.date(2026, 12, 14),
                    "regimen_code": "sbrt_spine_24gy_2fx",
                    "technique": "sbrt",
                    "site": "thoracic_spine",
                    "level_from": "T8",
                    "laterality": "midline",
                    "oar_metrics": {"thecal_sac": {"Dmax": 12.0}, "spinal_cord": {"Dmax": 11.0}},
                },
                [0],
            )
        ],
    ),
    Showcase(
        mrn="SHOW-05",
        patient={"given_name": "Amara", "family_name": "Nwosu", "date_of_birth": dt.date(1974, 6, 9), "sex": "female"},
        case={
            "question": "L2 metastasis with epidural disease on T-DM1: 30/40 Gy SIB in 10 fractions, and how to time T-DM1?",
            "primary_histology": "breast",
            "er_status": "negative",
            "pr_status": "negative",
            "her2_status": "positive",
            "ecog": 1,
            "karnofsky_performance_status": 80,
            "frankel_grade": "E",
            "estimated_survival_months": 26,
            "primary_diagnosis_date": dt.date(2021, 1, 18),
            "primary_treatment_completed_date": dt.date(2021, 8, 30),
            "metastasis_diagnosis_date": dt.date(2025, 2, 11),
            "primary_controlled": True,
            "bone_metastases_count": 4,
            "visceral_metastases_count": 1,
            "extraspinal_bone_metastases_count": 3,
            "vertebral_metastases_count": 1,
            "major_organ_metastases": "removable",
            "on_systemic_therapy": True,
            "systemic_therapy_classes": ["tdm1"],
        },
        lesions=[
            {
                "site": "lumbar_spine",
                "level_from": "L2",
                "laterality": "midline",
                "label": "L2 with epidural extension",
                "symptoms": "symptomatic",
                "spinal_pain": "mechanical",
                "radiographic_type": "lytic",
                "alignment": "normal",
                "vertebral_collapse": "lt50_collapse",
                "posterolateral_involvement": "unilateral",
                "epidural_compression_grade": "1c",
                "distance_to_spinal_cord_mm": 1,
                "max_diameter_mm": 30,
            },
            {
                "site": "femur",
                "subsite": "shaft",
                "laterality": "right",
                "label": "right femoral shaft",
                "pain": "mild",
                "radiographic_type": "mixed",
                "cortical_involvement": "lt_one_third",
                "max_diameter_mm": 11,
                "symptoms": "minimally_symptomatic",
            },
            {"site": "rib", "laterality": "left", "radiographic_type": "mixed", "max_diameter_mm": 8, "symptoms": "asymptomatic"},
            {
                "site": "sternum",
                "laterality": "midline",
                "radiographic_type": "mixed",
                "max_diameter_mm": 10,
                "symptoms": "asymptomatic",
            },
        ],
        plans=[
            (
                {
                    "name": "L2 SIB 30/40 Gy in 10",
                    "planned_date": dt.date(2026, 12, 14),
                    "regimen_code": "sib_30_40gy_10fx",
                    "technique": "imrt",
                    "site": "lumbar_spine",
                    "level_from": "L2",
                    "laterality": "midline",
                    "level_targets": ["PTV30", "PTV40"],
                    "oar_metrics": {
                        "PTV30": {"D98%": 28.6, "D2%": 31.4},
                        "PTV40": {"D98%": 37.9, "D2%": 42.1},
                        "spinal_cord": {"Dmax": 31.5},
                        "cauda_equina": {"Dmax": 36.0},
                        "kidney": {"Dmean": 6.2},
                    },
                },
                [0],
            )
        ],
    ),
    Showcase(
        mrn="SHOW-06",
        patient={"given_name": "Rafael", "family_name": "Garcia", "date_of_birth": dt.date(1955, 3, 17), "sex": "male"},
        case={
            "question": "Minimally symptomatic 26 mm left acetabular metastasis among six sites: prophylactic radiotherapy?",
            "primary_histology": "prostate",
            "castration_status": "castration_resistant",
            "ecog": 1,
            "karnofsky_performance_status": 80,
            "estimated_survival_months": 24,
            "primary_diagnosis_date": dt.date(2018, 10, 4),
            "metastasis_diagnosis_date": dt.date(2025, 9, 9),
            "primary_controlled": True,
            "bone_metastases_count": 6,
            "visceral_metastases_count": 0,
            "on_systemic_therapy": True,
            "systemic_therapy_classes": ["adt", "androgen_receptor_inhibitor"],
        },
        lesions=[
            {
                "site": "pelvis",
                "subsite": "acetabulum",
                "laterality": "left",
                "label": "left acetabulum",
                "radiographic_type": "blastic",
                "max_diameter_mm": 26,
                "symptoms": "minimally_symptomatic",
            },
            {
                "site": "rib",
                "laterality": "right",
                "radiographic_type": "blastic",
                "max_diameter_mm": 7,
                "symptoms": "asymptomatic",
            },
        ],
    ),
)


def seed_showcases(*, board: Board, coordinator: User, radiation_oncologist: User) -> int:
    """Create the showcase cases that are missing; returns how many were created."""
    from apps.dosimetry.services import plan_create

    created = 0
    for show in SHOWCASES:
        if Patient.objects.filter(institution_id=board.institution_id, mrn=show.mrn).exists():
            continue
        case: Case = services.case_create(
            actor=coordinator,
            board=board,
            new_patient={"mrn": show.mrn, **show.patient},
            data=show.case,
            lesions=show.lesions,
            prior_courses=show.prior_courses,
        )
        lesions = list(case.lesions.order_by("pk"))
        for plan, targets in show.plans:
            plan_create(actor=radiation_oncologist, case=case, data=plan, target_lesions=[lesions[i] for i in targets])
        if show.submit:
            services.case_transition(actor=coordinator, case_id=case.pk, target=CaseStatus.SUBMITTED)
        created += 1
    return created
