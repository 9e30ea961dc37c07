"""``manage.py seed_demo``: a demo board, one user per role, and realistic synthetic cases.

Idempotent: users, the board and the cases are keyed by username, board name and MRN, so running it
again changes nothing. Cases are written through the services, so they carry audit rows and their
derived results are computed like any other case's.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Board, BoardMembership, Institution, User
from apps.accounts.roles import Role
from apps.cases import services
from apps.cases.demo import seed_showcases
from apps.cases.models import Patient
from apps.cases.workflow import CaseStatus
from apps.decisions.demo import seed_decisions
from apps.meetings.demo import seed_meetings

DEMO_USERS: tuple[tuple[str, Role, str, str], ...] = (
    ("coordinator", Role.COORDINATOR, "Clara", "Coordinator"),
    ("surgeon", Role.SURGEON, "Sam", "Surgeon"),
    ("radonc", Role.RADIATION_ONCOLOGIST, "Rita", "Radiation-Oncologist"),
    ("medonc", Role.MEDICAL_ONCOLOGIST, "Mehdi", "Medical-Oncologist"),
    ("radiologist", Role.RADIOLOGIST, "Ravi", "Radiologist"),
    ("pathologist", Role.PATHOLOGIST, "Paula", "Pathologist"),
    ("auditor", Role.ADMINISTRATOR, "Ada", "Auditor"),
)
BOARD_NAME = "Bone metastasis board, main hospital"

# (histology, extra case fields) covering every breast subtype, both prostate states and NSCLC drivers.
_PROFILES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "breast",
        {
            "er_status": "positive",
            "pr_status": "positive",
            "her2_status": "negative",
            "systemic_therapy_classes": ["endocrine", "cdk46_inhibitor"],
        },
    ),
    (
        "breast",
        {
            "er_status": "negative",
            "pr_status": "negative",
            "her2_status": "positive",
            "systemic_therapy_classes": ["anti_her2", "tdm1"],
        },
    ),
    (
        "breast",
        {
            "er_status": "negative",
            "pr_status": "negative",
            "her2_status": "negative",
            "systemic_therapy_classes": ["chemotherapy", "parp_inhibitor"],
        },
    ),
    ("prostate", {"castration_status": "hormone_sensitive", "systemic_therapy_classes": ["adt"]}),
    (
        "prostate",
        {"castration_status": "castration_resistant", "systemic_therapy_classes": ["adt", "androgen_receptor_inhibitor"]},
    ),
    ("nsclc", {"egfr_mutation": "positive", "alk_rearrangement": "negative", "systemic_therapy_classes": ["tki"]}),
    (
        "nsclc",
        {
            "egfr_mutation": "negative",
            "alk_rearrangement": "negative",
            "systemic_therapy_classes": ["immunotherapy", "chemotherapy"],
        },
    ),
    ("renal_cell", {"systemic_therapy_classes": ["tki", "immunotherapy"]}),
    ("myeloma", {"systemic_therapy_classes": ["chemotherapy", "bone_modifying_agent"]}),
    ("thyroid", {"systemic_therapy_classes": []}),
    ("melanoma", {"systemic_therapy_classes": ["immunotherapy"]}),
    ("colorectal", {"systemic_therapy_classes": ["chemotherapy"]}),
    ("lymphoma", {"systemic_therapy_classes": ["chemotherapy"]}),
    ("unknown_primary", {}),
)

# Limb lesions spanning every Mirels category, spinal lesions spanning every SINS category.
_LIMB_LESIONS: tuple[dict[str, Any], ...] = (
    {
        "site": "femur",
        "subsite": "peritrochanteric",
        "pain": "functional",
        "radiographic_type": "lytic",
        "cortical_involvement": "gt_two_thirds",
        "max_diameter_mm": 42,
    },  # Mirels 12
    {
        "site": "femur",
        "subsite": "shaft",
        "pain": "moderate",
        "radiographic_type": "mixed",
        "cortical_involvement": "one_third_to_two_thirds",
        "max_diameter_mm": 25,
    },  # Mirels 8
    {
        "site": "humerus",
        "subsite": "shaft",
        "pain": "moderate",
        "radiographic_type": "lytic",
        "cortical_involvement": "one_third_to_two_thirds",
        "max_diameter_mm": 18,
    },  # Mirels 8
    {
        "site": "tibia",
        "subsite": "proximal",
        "pain": "mild",
        "radiographic_type": "blastic",
        "cortical_involvement": "lt_one_third",
        "max_diameter_mm": 12,
    },  # Mirels 5
    {
        "site": "femur",
        "subsite": "femoral_neck",
        "pain": "functional",
        "radiographic_type": "mixed",
        "cortical_involvement": "one_third_to_two_thirds",
        "max_diameter_mm": 30,
    },  # Mirels 10
    {
        "site": "radius",
        "subsite": "distal",
        "pain": "none",
        "radiographic_type": "lytic",
        "cortical_involvement": "lt_one_third",
        "max_diameter_mm": 9,
    },  # Mirels 6
)
_SPINE_LESIONS: tuple[dict[str, Any], ...] = (
    {
        "site": "thoracic_spine",
        "level_from": "T6",
        "spinal_pain": "none",
        "radiographic_type": "blastic",
        "alignment": "normal",
        "vertebral_collapse": "none",
        "posterolateral_involvement": "none",
        "epidural_compression_grade": "0",
        "max_diameter_mm": 15,
    },  # SINS 1: stable
    {
        "site": "lumbar_spine",
        "level_from": "L1",
        "spinal_pain": "mechanical",
        "radiographic_type": "lytic",
        "alignment": "normal",
        "vertebral_collapse": "lt50_collapse",
        "posterolateral_involvement": "unilateral",
        "epidural_compression_grade": "1b",
        "max_diameter_mm": 28,
    },  # SINS 11: indeterminate
    {
        "site": "cervical_spine",
        "level_from": "C7",
        "spinal_pain": "mechanical",
        "radiographic_type": "lytic",
        "alignment": "subluxation_translation",
        "vertebral_collapse": "gt50_collapse",
        "posterolateral_involvement": "bilateral",
        "epidural_compression_grade": "2",
        "distance_to_spinal_cord_mm": 0,
        "max_diameter_mm": 35,
    },  # SINS 18: unstable
    {
        "site": "lumbar_spine",
        "level_from": "L3",
        "spinal_pain": "occasional_non_mechanical",
        "radiographic_type": "mixed",
        "alignment": "de_novo_deformity",
        "vertebral_collapse": "no_collapse_gt50_involved",
        "posterolateral_involvement": "unilateral",
        "epidural_compression_grade": "1a",
        "max_diameter_mm": 22,
    },  # 8
    {
        "site": "thoracic_spine",
        "level_from": "T11",
        "level_to": "T12",
        "spinal_pain": "mechanical",
        "radiographic_type": "lytic",
        "alignment": "de_novo_deformity",
        "vertebral_collapse": "gt50_collapse",
        "posterolateral_involvement": "bilateral",
        "epidural_compression_grade": "3",
        "distance_to_spinal_cord_mm": 0,
        "posterior_element_involvement": True,
        "max_diameter_mm": 40,
    },  # SINS 16
    {
        "site": "sacrum",
        "level_from": "S2",
        "spinal_pain": "none",
        "radiographic_type": "blastic",
        "alignment": "normal",
        "vertebral_collapse": "none",
        "posterolateral_involvement": "none",
        "epidural_compression_grade": "0",
        "max_diameter_mm": 14,
    },  # SINS 0
)
_OTHER_LESIONS: tuple[dict[str, Any], ...] = (
    {"site": "pelvis", "subsite": "acetabulum", "radiographic_type": "lytic", "max_diameter_mm": 31, "symptomatic": False},
    {"site": "rib", "radiographic_type": "blastic", "max_diameter_mm": 11, "symptomatic": False},
    {"site": "scapula", "subsite": "glenoid", "radiographic_type": "mixed", "max_diameter_mm": 19, "symptomatic": False},
    {"site": "skull", "radiographic_type": "lytic", "max_diameter_mm": 16},
)
_QUESTIONS = (
    "Prophylactic fixation before radiotherapy, or radiotherapy alone?",
    "Is SBRT appropriate for this oligometastatic presentation?",
    "Spinal stability: surgical consultation needed before radiotherapy?",
    "Trial options for metastasis-directed therapy?",
)
#: Asked only of a case that has a prior course to the lesion's region.
_REIRRADIATION_QUESTION = "Re-irradiation feasible after the previous palliative course to this level?"
#: The demo patients' names and MRNs (``DEMO0001``...), public: the test suite scans every log it captures
#: for them (tests/identifier_log_scan.py).
GIVEN_NAMES = {
    "female": ("Anna", "Chloe", "Elena", "Grace", "Maria", "Sofia"),
    "male": ("Ben", "David", "Farid", "Hugo", "Jonas", "Karim"),
}
FAMILY_NAMES = ("Smith", "Okafor", "Nguyen", "Garcia", "Müller", "Rossi", "Kowalski")
MRN_PREFIX = "DEMO"


class Command(BaseCommand):
    help = "Create the demo board, one user per role and at least 40 synthetic cases (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=42, help="How many demo cases to ensure (default 42).")

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            institution, _ = Institution.objects.get_or_create(code="main", defaults={"name": "Main hospital"})
            board, _ = Board.objects.get_or_create(institution=institution, name=BOARD_NAME)
            users: dict[str, User] = {}
            for username, role, first, last in DEMO_USERS:
                user, user_created = User.objects.get_or_create(
                    username=username, defaults={"role": role, "first_name": first, "last_name": last}
                )
                if user_created or not user.check_password(password):
                    user.set_password(password)
                    user.save()
                users[username] = user
                if role != Role.ADMINISTRATOR:
                    BoardMembership.objects.get_or_create(board=board, user=user, defaults={"is_chair": username == "surgeon"})
            # The auditor reads the admin (is_staff) but is no superuser: administrators audit and curate the
            # registries and never change clinical content or anyone's access (issue 10).
            auditor = users["auditor"]
            if not auditor.is_staff or auditor.is_superuser:
                auditor.is_staff = True
                auditor.is_superuser = False
                auditor.save(update_fields=["is_staff", "is_superuser"])

        showcases = seed_showcases(board=board, coordinator=users["coordinator"], radiation_oncologist=users["radonc"])
        created = 0
        for index in range(options["cases"]):
            mrn = f"{MRN_PREFIX}{index:04d}"
            if Patient.objects.filter(institution=institution, mrn=mrn).exists():
                continue
            self._create_case(index, mrn, board, users["coordinator"])
            created += 1
        self.stdout.write(seed_meetings(board, users))
        self.stdout.write(seed_decisions(board, users, password))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: board '{board.name}', users {', '.join(users)} (password from DEMO_PASSWORD), "
                f"{showcases} new showcase case(s), {created} new synthetic case(s)."
            )
        )

    def _create_case(self, index: int, mrn: str, board: Board, coordinator: User) -> None:
        rng = random.Random(index)  # noqa: S311 - synthetic demo data, deterministic per case
        histology, extra = _PROFILES[index % len(_PROFILES)]
        primary = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 2200))
        # Every third case presents with synchronous metastases (de novo oligometastatic candidates).
        metastasis = primary + dt.timedelta(days=rng.randint(0, 150) if index % 3 == 0 else rng.randint(200, 1500))
        metastasis = min(metastasis, dt.date(2026, 10, 1))
        stated_bone_count = rng.choice((1, 1, 2, 3, 4, 6, 9))
        lesions = [
            dict(_LIMB_LESIONS[index % len(_LIMB_LESIONS)]),
            dict(_SPINE_LESIONS[index % len(_SPINE_LESIONS)]),
        ]
        if index % 2:
            lesions.append(dict(_OTHER_LESIONS[index % len(_OTHER_LESIONS)]))
        lesions = lesions[: max(1, min(len(lesions), stated_bone_count))]
        # A stated count below the lesions described would be flagged as contradicted: keep them coherent.
        bone_count = max(stated_bone_count, len(lesions))
        prior = []
        if index % 4 == 1:
            spine = _SPINE_LESIONS[index % len(_SPINE_LESIONS)]
            prior.append(
                {
                    "region": spine["level_from"],
                    "site": spine["site"],
                    "level_from": spine["level_from"],
                    "level_to": spine.get("level_to"),
                    "total_dose_gy": rng.choice((8.0, 20.0, 30.0)),
                    "fractions": 1,
                    "date": metastasis - dt.timedelta(days=200),
                    "technique": "conventional",
                }
            )
            prior[0]["fractions"] = {8.0: 1, 20.0: 5, 30.0: 10}[prior[0]["total_dose_gy"]]
            if prior[0]["date"] < primary:
                prior[0]["date"] = metastasis
        sex = {"prostate": "male", "breast": "female"}.get(histology) or rng.choice(("female", "male"))
        case = services.case_create(
            actor=coordinator,
            board=board,
            new_patient={
                "mrn": mrn,
                "given_name": rng.choice(GIVEN_NAMES[sex]),
                "family_name": rng.choice(FAMILY_NAMES),
                "date_of_birth": dt.date(1940 + rng.randint(0, 45), rng.randint(1, 12), rng.randint(1, 28)),
                "sex": sex,
            },
            data={
                "question": _REIRRADIATION_QUESTION if prior else _QUESTIONS[index % len(_QUESTIONS)],
                # Urgent as a coordinator would flag it: high-grade epidural compression.
                "urgent": any(lesion.get("epidural_compression_grade") in {"2", "3"} for lesion in lesions),
                "primary_histology": histology,
                **extra,
                "ecog": rng.choice((0, 1, 1, 2, 3)),
                "estimated_survival_months": rng.choice((2, 4, 8, 14, 26, 40)),
                "primary_diagnosis_date": primary,
                "metastasis_diagnosis_date": metastasis,
                "primary_controlled": rng.choice((True, True, False, None)),
                "bone_metastases_count": bone_count,
                "visceral_metastases_count": rng.choice((0, 0, 0, 1, 2)),
                "brain_metastases": False,
                "history_polymetastatic": index % 11 == 5,
                "history_oligometastatic_treated": index % 13 == 6,
                "on_systemic_therapy": bool(extra.get("systemic_therapy_classes")),
                "progressing_lesions_count": rng.choice((0, 1, 2, 4)),
            },
            lesions=lesions,
            prior_courses=prior,
        )
        if index % 5 != 0:
            services.case_transition(actor=coordinator, case_id=case.pk, target=CaseStatus.SUBMITTED)
