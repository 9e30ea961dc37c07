"""Reads of patients and cases, always scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.authorization import readable_board_ids, restrict
from apps.accounts.models import Board, User
from apps.cases.facts import CASE_FIELD_NAMES, LESION_FIELD_NAMES, CaseFacts, LesionFacts, PriorCourseFacts
from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.cases.vocabulary import (
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
    Site,
    SpinalPain,
    Subsite,
    SymptomBurden,
    SystemicTherapyClass,
    VertebralCollapse,
)


def scope_cases(user: User | AnonymousUser | None) -> QuerySet[Case]:
    return restrict(Case.objects.all(), user, "board_id")


def scope_patients(user: User | AnonymousUser | None) -> QuerySet[Patient]:
    """Patients of the institutions whose boards the user sits on (the hospital's MRN register)."""
    board_ids = readable_board_ids(user)
    if board_ids is None:
        return Patient.objects.all()
    institution_ids = Board.objects.filter(id__in=board_ids).values("institution_id")
    return Patient.objects.filter(institution_id__in=institution_ids)


def hold_written_relations(case: Case, *, lesions: Sequence[Lesion], prior_courses: Sequence[PriorRadiotherapyCourse]) -> Case:
    """``case`` holding the lesions and prior courses just written for it, as ``case_detail_queryset``'s
    prefetch would hold them, so that the answer to a creation does not read them back.

    Reading back the rows this transaction inserted (three queries and their compilation, about a ninth
    of a creation's CPU, issue 16) returns these values: each was cleaned to its field's Python type
    before the insert, and every default is set in Python. They are put in the order of the models'
    ``Meta.ordering``, an unknown date where the database places it (last on PostgreSQL, first on
    SQLite), through the cache Django's own ``prefetch_related`` fills.
    """
    nulls_last = connections[case._state.db or DEFAULT_DB_ALIAS].features.nulls_order_largest
    held: dict[str, list[Any]] = {
        "lesions": sorted(lesions, key=lambda lesion: lesion.pk),
        "prior_radiotherapy": sorted(prior_courses, key=lambda c: ((c.date is None) == nulls_last, c.date or date.min, c.pk)),
    }
    cache: dict[str, QuerySet[Any]] = {}
    for name, rows in held.items():
        queryset = getattr(case, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset
    case._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    return case


def case_list(user: User | AnonymousUser | None) -> QuerySet[Case]:
    """Cases with board, patient and the number of lesions.

    The count is a correlated subquery, evaluated only for the page of rows returned: a JOIN + GROUP BY
    counted the lesions of every case on the board (grouping wide rows, sorting them) before taking a page,
    which grew with the board (issue 16).
    """
    lesions = Lesion.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id").annotate(n=Count("pk")).values("n")
    return (
        scope_cases(user)
        .select_related("board", "patient")
        .annotate(lesion_count=Coalesce(Subquery(lesions, output_field=IntegerField()), 0))
    )


def case_detail_queryset(user: User | AnonymousUser | None) -> QuerySet[Case]:
    return scope_cases(user).select_related("board", "patient").prefetch_related("lesions", "prior_radiotherapy")


#: Fields stored as codes that the engines read as vocabulary enums.
_LESION_ENUMS: dict[str, type[StrEnum]] = {
    "site": Site,
    "subsite": Subsite,
    "radiographic_type": RadiographicType,
    "cortical_involvement": CorticalInvolvement,
    "pain": LimbPain,
    "spinal_pain": SpinalPain,
    "alignment": Alignment,
    "vertebral_collapse": VertebralCollapse,
    "posterolateral_involvement": PosterolateralInvolvement,
    "epidural_compression_grade": EpiduralCompressionGrade,
    "laterality": Laterality,
    "symptoms": SymptomBurden,
}
_CASE_ENUMS: dict[str, type[StrEnum]] = {
    "primary_histology": PrimaryHistology,
    "er_status": ReceptorStatus,
    "pr_status": ReceptorStatus,
    "her2_status": ReceptorStatus,
    "castration_status": CastrationStatus,
    "egfr_mutation": ReceptorStatus,
    "alk_rearrangement": ReceptorStatus,
    "primary_subsite": PrimarySubsite,
    "frankel_grade": FrankelGrade,
    "major_organ_metastases": MajorOrganMetastases,
}
#: CaseFacts fields read straight off the Case row (the rest are assembled below).
_CASE_ROW_FIELDS: tuple[str, ...] = tuple(
    name for name in CASE_FIELD_NAMES if name not in {"systemic_therapy_classes", "date_of_birth", "as_of"}
)


def _coded(row: object, names: tuple[str, ...], enums: dict[str, type[StrEnum]]) -> dict[str, Any]:
    """``{name: value}`` for ``names`` of ``row``, codes turned into their enum (``None`` stays unknown)."""
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name)
        enum = enums.get(name)
        values[name] = enum(value) if enum is not None and value is not None else value
    return values


def lesion_facts(lesion: Lesion) -> LesionFacts:
    return LesionFacts(**_coded(lesion, LESION_FIELD_NAMES, _LESION_ENUMS), ref=str(lesion.uuid))


def prior_course_facts(course: PriorRadiotherapyCourse) -> PriorCourseFacts:
    return PriorCourseFacts(
        region=course.region,
        total_dose_gy=course.total_dose_gy,
        fractions=course.fractions,
        date=course.date,
        technique=course.technique,
        site=Site(course.site) if course.site else None,
        level_from=course.level_from,
        level_to=course.level_to,
        laterality=Laterality(course.laterality) if course.laterality else None,
    )


def case_facts(case: Case) -> CaseFacts:
    """The immutable snapshot every clinical engine reads. Expects lesions and prior courses prefetched."""
    classes = case.systemic_therapy_classes
    return CaseFacts(
        **_coded(case, _CASE_ROW_FIELDS, _CASE_ENUMS),
        systemic_therapy_classes=None if classes is None else tuple(SystemicTherapyClass(c) for c in classes),
        lesions=tuple(lesion_facts(lesion) for lesion in case.lesions.all()),
        prior_courses=tuple(prior_course_facts(c) for c in case.prior_radiotherapy.all()),
        date_of_birth=case.patient.date_of_birth,
        as_of=case.updated_at.date() if case.updated_at else None,
        ref=str(case.uuid),
    )


def cases_for_engines(case_ids: Iterable[int]) -> QuerySet[Case]:
    """Cases with everything ``case_facts`` reads (three queries for any number), in primary-key order."""
    return (
        Case.objects.select_related("patient", "board")
        .prefetch_related("lesions", "prior_radiotherapy")
        .filter(pk__in=list(case_ids))
        .order_by("pk")
    )


def engine_cases(case_ids: Iterable[int]) -> list[tuple[Case, CaseFacts]]:
    """The cases the engines compute, each with its immutable facts, in primary-key order (three
    queries for any number). The one way the engine services (risk, trials, options) load their cases;
    call it under ``lock_cases`` so the facts are those of the revision the result will be stamped with."""
    return [(case, case_facts(case)) for case in cases_for_engines(case_ids)]


def case_for_engines(case_id: int) -> Case:
    """One case with everything ``case_facts`` reads, in three queries."""
    return cases_for_engines([case_id]).get()


def facts_stamp(revision: int, patient_id: int, case_updated_at: datetime, patient_updated_at: datetime) -> str:
    """What a stored facts digest is valid for (``Case.facts_stamp``): the case's revision, its patient and
    the later of the case's and the patient's ``updated_at``."""
    return f"{revision}/{patient_id}/{max(case_updated_at, patient_updated_at).isoformat()}"


def lock_cases_with_facts_digests(case_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """``lock_cases`` that also reads, in the same statement, each locked case's ``(revision, facts
    digest)`` off its row (no lesion, prior course or facts built): ``{case id: (revision, digest)}`` in
    primary-key order. The digest is ``""`` where none is stored or it is no longer valid (the case or
    its patient written since: ``Case.facts_stamp``). Only the case rows are locked, not their patients."""
    rows = (
        Case.objects.select_for_update(of=("self",))
        .filter(pk__in=list(case_ids))
        .order_by("pk")
        .values_list("pk", "revision", "patient_id", "facts_digest", "facts_stamp", "updated_at", "patient__updated_at")
    )
    return {
        pk: (revision, digest if digest and stamp == facts_stamp(revision, patient_id, updated, patient_updated) else "")
        for pk, revision, patient_id, digest, stamp, updated, patient_updated in rows
    }


def lock_cases(case_ids: Iterable[int]) -> list[int]:
    """Lock the given cases (``SELECT ... FOR UPDATE``) in primary-key order and return the ids that still
    exist. Must run inside the caller's transaction. One order for every locker, so two engine chunks, or
    a chunk and a case edit, can never deadlock, and a derived result is never written for an older
    revision than the one a concurrent writer is about to commit."""
    return list(Case.objects.select_for_update().filter(pk__in=list(case_ids)).order_by("pk").values_list("pk", flat=True))


def not_lesions_of_case(ids: Iterable[int]) -> str:
    """The one wording for lesion ids a case does not have (the decisions engine says the same)."""
    return f"not lesions of this case: {', '.join(map(str, ids))}."


def lesions_of_case(case: Case, ids: Iterable[int], *, field: str = "target_lesions") -> list[Lesion]:
    """The case's lesions with these ids, in the order given.

    An id that is not one of this case's lesions gets one answer whether it names another case's lesion,
    another board's, or nothing at all: the error never tells whether another board's lesion exists
    (issue 15). Raises a field-keyed ``ValidationError`` (a 400 in the API)."""
    wanted = list(dict.fromkeys(ids))
    found = {lesion.pk: lesion for lesion in Lesion.objects.filter(case_id=case.pk, pk__in=wanted)}
    missing = [lesion_id for lesion_id in wanted if lesion_id not in found]
    if missing:
        raise ValidationError({field: [not_lesions_of_case(missing)]})
    return [found[lesion_id] for lesion_id in wanted]
