"""The engines' snapshot of a stored case carries every vocabulary field, codes as enums."""

from __future__ import annotations

import datetime as dt

from apps.cases.facts import CASE_FIELD_NAMES, LESION_FIELD_NAMES
from apps.cases.selectors import case_facts, case_for_engines
from apps.cases.vocabulary import PrimaryHistology, ReceptorStatus, Site, SpinalPain, SystemicTherapyClass
from tests.conftest import Personas
from tests.factories import CaseFactory, LesionFactory


def test_case_facts_round_trip_every_field(personas: Personas) -> None:
    case = CaseFactory(
        board=personas.board,
        primary_histology="breast",
        er_status="positive",
        her2_status="negative",
        ecog=1,
        bone_metastases_count=2,
        visceral_metastases_count=0,
        primary_controlled=True,
        metastasis_diagnosis_date=dt.date(2025, 1, 2),
        systemic_therapy_classes=["endocrine"],
    )
    lesion = LesionFactory(case=case)
    LesionFactory(
        case=case,
        site="thoracic_spine",
        subsite=None,
        pain=None,
        cortical_involvement=None,
        level_from="T4",
        level_to="T5",
        spinal_pain="mechanical",
    )
    facts = case_facts(case_for_engines(case.pk))
    assert facts.primary_histology is PrimaryHistology.BREAST
    assert facts.er_status is ReceptorStatus.POSITIVE and facts.pr_status is None
    assert facts.breast_subtype == "luminal"
    assert facts.metastases_count == 2
    assert facts.systemic_therapy_classes == (SystemicTherapyClass.ENDOCRINE,)
    assert facts.date_of_birth == case.patient.date_of_birth
    assert facts.ref == str(case.uuid)
    femur, spine = facts.lesions
    assert femur.site is Site.FEMUR and femur.ref == str(lesion.uuid)
    assert spine.spinal_pain is SpinalPain.MECHANICAL and (spine.level_from, spine.level_to) == ("T4", "T5")
    for name in CASE_FIELD_NAMES:
        if name not in {"systemic_therapy_classes", "date_of_birth", "as_of"}:
            assert getattr(facts, name) == getattr(case, name), name
    for name in LESION_FIELD_NAMES:
        assert getattr(femur, name) == getattr(lesion, name), name
