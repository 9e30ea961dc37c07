"""The only code that writes patients, cases, lesions and prior courses.

Each service runs in one transaction, writes its own audit row in that transaction, and records one
``cases.case_changed`` outbox message (``apps.core.background.enqueue``) in it: sent after commit, it
fans out to every app's receiver in the worker, so derived-result tasks never read uncommitted data, a
rolled-back edit triggers nothing, and a broker down at commit delays the work but never fails the edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone

from apps.accounts.authorization import require
from apps.accounts.models import Board, User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import AuditRecord, audit_record, audit_record_many, snapshot
from apps.cases.fields import Entity, names
from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.cases.rules import case_errors, lesion_errors, normalise_lesion, prior_course_errors
from apps.cases.selectors import facts_stamp, hold_written_relations
from apps.cases.signals import case_changed  # noqa: F401 - re-exported: receivers connected before the move
from apps.cases.workflow import EDITABLE_STATUSES, CaseStatus, ReReviewNotAllowed, check_re_review, check_transition
from apps.core.background import enqueue
from apps.core.errors import InvalidInput

#: The fields a service writes, in column order: the field table's (``apps.cases.fields``).
LESION_FIELDS: tuple[str, ...] = names(Entity.LESION)
PRIOR_COURSE_FIELDS: tuple[str, ...] = names(Entity.PRIOR_COURSE)
CASE_CLINICAL_FIELDS: tuple[str, ...] = names(Entity.CASE)


#: Relations are resolved by the caller (scoped lookups) and backed by foreign keys; ``clean_fields`` skips
#: them so that validation costs no query. Cross-field rules are ``apps.cases.rules`` (in words) and the
#: CHECK constraints (the backstop); ``full_clean`` re-ran every constraint as a query (230 per case).
_RELATIONS: list[str] = ["board", "patient", "case", "created_by", "institution"]


class StaleRevision(Exception):
    """The caller edited a version of the case that is no longer the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"The case is at revision {current}, not {expected}: reload it and apply your change again.")
        self.expected = expected
        self.current = current


def _raise_if(errors: Mapping[str, Any]) -> None:
    if errors:
        raise InvalidInput(errors)


def _validate_nested(
    *,
    case_data: Mapping[str, Any],
    lesions: Sequence[Mapping[str, Any]] | None,
    prior_courses: Sequence[Mapping[str, Any]] | None,
    patient: Patient,
) -> None:
    today = timezone.localdate()
    errors: dict[str, Any] = dict(case_errors(case_data, date_of_birth=patient.date_of_birth, today=today))
    if lesions is not None:
        # Nested errors are keyed by the item's index, as DRF reports nested list errors.
        per_lesion = {str(i): e for i, lesion in enumerate(lesions) if (e := lesion_errors(lesion))}
        if per_lesion:
            errors["lesions"] = per_lesion
    if prior_courses is not None:
        per_course = {
            str(i): e
            for i, c in enumerate(prior_courses)
            if (e := prior_course_errors(c, date_of_birth=patient.date_of_birth, today=today))
        }
        if per_course:
            errors["prior_radiotherapy"] = per_course
    _raise_if(errors)


def _announce(case: Case) -> None:
    # One message per change, whatever the number of consumers: the worker fans it out.
    enqueue("cases.case_changed", case.pk, case.revision)


@transaction.atomic
def patient_create(*, actor: User, board: Board, data: Mapping[str, Any]) -> Patient:
    """Register a patient in the MRN register of the board's institution."""
    require(actor, Permission.PATIENT_EDIT, board.pk)
    patient, entry = _register_patient(actor=actor, board=board, data=data)
    audit_record_many([entry])
    return patient


def _register_patient(*, actor: User, board: Board, data: Mapping[str, Any]) -> tuple[Patient, AuditRecord]:
    """``patient_create`` without its permission check, transaction and audit append, for a caller that
    holds the first two and appends the returned entry with its own (one head lock for both)."""
    patient = Patient(institution_id=board.institution_id, created_by=actor, **data)
    if Patient.objects.filter(institution_id=board.institution_id, mrn=patient.mrn).exists():
        raise ValidationError({"mrn": [f"MRN {patient.mrn} is already registered at this institution."]})
    if patient.date_of_birth and patient.date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": ["is in the future."]})
    patient.clean_fields(exclude=_RELATIONS)
    patient.save()
    entry = AuditRecord(
        event=AuditEvent.PATIENT_CREATED, actor=actor, subject=patient, board_id=board.pk, after=snapshot(patient)
    )
    return patient, entry


def _write_lesions(case: Case, lesions: Sequence[Mapping[str, Any]], actor: User, *, new_case: bool = False) -> list[Lesion]:
    """Replace the case's lesions with ``lesions``: an item with an ``id`` updates that lesion, one
    without creates a lesion, and a stored lesion left out of the list is removed. Returns the lesions
    written, in the order given."""
    existing = {} if new_case else {lesion.pk: lesion for lesion in case.lesions.select_for_update().order_by("pk")}
    kept: set[int] = set()
    errors: dict[str, dict[str, list[str]]] = {}
    to_save: list[Lesion] = []
    for index, item in enumerate(lesions):
        data = {k: v for k, v in item.items() if k != "id"}
        lesion_id = item.get("id")
        if lesion_id is not None:
            if lesion_id not in existing:
                errors[str(index)] = {"id": [f"lesion {lesion_id} does not belong to this case."]}
                continue
            lesion = existing[lesion_id]
            kept.add(lesion_id)
            # The item is the whole lesion: a field left out is reset to "not known".
            for field in LESION_FIELDS:
                model_field = Lesion._meta.get_field(field)
                assert isinstance(model_field, Field)
                setattr(lesion, field, data[field] if field in data else model_field.get_default())
        else:
            lesion = Lesion(case=case, created_by=actor, **data)
        to_save.append(lesion)
    if errors:
        raise InvalidInput({"lesions": errors})
    for lesion in to_save:
        lesion.clean_fields(exclude=_RELATIONS)
    if not new_case:
        Lesion.objects.filter(case=case).exclude(pk__in=kept).delete()
    updated = [lesion for lesion in to_save if lesion.pk is not None]
    Lesion.objects.bulk_create([lesion for lesion in to_save if lesion.pk is None])
    if updated:
        now = timezone.now()  # bulk_update does not run auto_now
        for lesion in updated:
            lesion.updated_at = now
        Lesion.objects.bulk_update(updated, [*LESION_FIELDS, "updated_at"])
    return to_save


def _lesion_rows(lesions: Iterable[Lesion]) -> list[dict[str, Any]]:
    return [snapshot(lesion, ("id", *LESION_FIELDS)) for lesion in lesions]


def _course_rows(courses: Iterable[PriorRadiotherapyCourse]) -> list[dict[str, Any]]:
    return [snapshot(course, PRIOR_COURSE_FIELDS) for course in courses]


def _write_prior_courses(
    case: Case, courses: Sequence[Mapping[str, Any]], actor: User, *, new_case: bool = False
) -> list[PriorRadiotherapyCourse]:
    """Prior courses are history: the list given replaces the stored one wholesale. Returns the courses
    written, in the order given."""
    if not new_case:
        PriorRadiotherapyCourse.objects.filter(case=case).delete()
    rows = []
    for data in courses:
        course = PriorRadiotherapyCourse(case=case, created_by=actor, **{k: v for k, v in data.items() if k != "id"})
        course.clean_fields(exclude=_RELATIONS)
        rows.append(course)
    PriorRadiotherapyCourse.objects.bulk_create(rows)
    return rows


@transaction.atomic
def case_create(
    *,
    actor: User,
    board: Board,
    patient: Patient | None = None,
    new_patient: Mapping[str, Any] | None = None,
    data: Mapping[str, Any],
    lesions: Sequence[Mapping[str, Any]] = (),
    prior_courses: Sequence[Mapping[str, Any]] = (),
) -> Case:
    """Open a draft case on ``board`` for an existing patient or a newly registered one."""
    # A new patient is registered in the same transaction, so both rights are checked at once.
    require(actor, Permission.CASE_CREATE, board.pk, also=(Permission.PATIENT_EDIT,) if new_patient is not None else ())
    lesions = [normalise_lesion(lesion) for lesion in lesions]
    if (patient is None) == (new_patient is None):
        raise ValidationError({"patient": ["give either an existing patient's id or a new patient, not both."]})
    entries: list[AuditRecord] = []
    if patient is None:
        assert new_patient is not None
        patient, patient_entry = _register_patient(actor=actor, board=board, data=new_patient)
        entries.append(patient_entry)
    elif patient.institution_id != board.institution_id:
        raise ValidationError({"patient": ["this patient is registered at another institution than the board's."]})
    _validate_nested(case_data=data, lesions=lesions, prior_courses=prior_courses, patient=patient)
    case = Case(board=board, patient=patient, created_by=actor, **data)
    case.clean_fields(exclude=_RELATIONS)
    case.save()
    written_lesions = _write_lesions(case, lesions, actor, new_case=True)
    written_courses = _write_prior_courses(case, prior_courses, actor, new_case=True)
    entries.append(
        AuditRecord(
            event=AuditEvent.CASE_CREATED,
            actor=actor,
            subject=case,
            board_id=board.pk,
            after={
                **snapshot(case),
                "lesions": _lesion_rows(written_lesions),
                "prior_radiotherapy": _course_rows(written_courses),
            },
        )
    )
    # Appended last, in one go: the chain head is locked from here to commit, so the shorter the better
    # for concurrent submissions (issue 16), and a new patient's entry costs no second lock.
    audit_record_many(entries)
    _announce(case)
    # The caller answers with the case as written: it holds the rows just inserted (issue 16).
    return hold_written_relations(case, lesions=written_lesions, prior_courses=written_courses)


@transaction.atomic
def case_update(
    *,
    actor: User,
    case_id: int,
    data: Mapping[str, Any],
    lesions: Sequence[Mapping[str, Any]] | None = None,
    prior_courses: Sequence[Mapping[str, Any]] | None = None,
    expected_revision: int | None = None,
) -> Case:
    """Change a case's clinical content. ``lesions`` / ``prior_courses`` of None leave those untouched.

    The row is locked first and the revision re-checked under the lock, so two editors cannot both
    apply a change to the same revision; any invalid field aborts the whole change.
    """
    case = Case.objects.select_for_update().select_related("patient").get(pk=case_id)
    require(actor, Permission.CASE_EDIT, case.board_id)
    if expected_revision is not None and expected_revision != case.revision:
        raise StaleRevision(expected_revision, case.revision)
    if case.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": [f"a {case.status} case can no longer be edited."]})
    unknown = set(data) - set(CASE_CLINICAL_FIELDS)
    if unknown:
        raise ValidationError({field: ["cannot be changed here."] for field in sorted(unknown)})
    if lesions is None and prior_courses is None and all(getattr(case, f) == v for f, v in data.items()):
        # Nothing changes (an empty PATCH, or the values it already has): no write, no new revision, so
        # the ETag other editors hold stays valid and no recomputation is queued.
        return case
    if lesions is not None:
        lesions = [normalise_lesion(lesion) for lesion in lesions]
    merged = {field: getattr(case, field) for field in CASE_CLINICAL_FIELDS} | dict(data)
    _validate_nested(case_data=merged, lesions=lesions, prior_courses=prior_courses, patient=case.patient)
    before: dict[str, Any] = snapshot(case, CASE_CLINICAL_FIELDS)
    after_extra: dict[str, Any] = {}
    if lesions is not None:
        before["lesions"] = [snapshot(lesion, ("id", *LESION_FIELDS)) for lesion in case.lesions.order_by("pk")]
    if prior_courses is not None:
        before["prior_radiotherapy"] = [snapshot(c, PRIOR_COURSE_FIELDS) for c in case.prior_radiotherapy.all()]
    for field, value in data.items():
        setattr(case, field, value)
    case.revision += 1
    case.clean_fields(exclude=_RELATIONS)
    case.save()
    if lesions is not None:
        after_extra["lesions"] = _lesion_rows(_write_lesions(case, lesions, actor))
    if prior_courses is not None:
        after_extra["prior_radiotherapy"] = _course_rows(_write_prior_courses(case, prior_courses, actor))
    audit_record(
        actor=actor,
        event=AuditEvent.CASE_UPDATED,
        subject=case,
        board_id=case.board_id,
        before=before,
        after={**snapshot(case, (*CASE_CLINICAL_FIELDS, "revision")), **after_extra},
    )
    _announce(case)
    return case


@transaction.atomic
def case_re_review(*, actor: User | None, case_id: int, reason: str, system_label: str = "", placed: bool = False) -> Case:
    """Send a decided case back to the agenda (``workflow.check_re_review``): ``scheduled`` when the caller
    places it on a meeting in the same transaction (``placed``), else ``submitted`` (waiting for a place).

    Asked by a clinician of the board who records follow-up (``Permission.FOLLOW_UP_RECORD``), or by the
    system's follow-up rule (``actor=None`` with a ``system_label``). The reason is required and audited;
    the original submission time is kept (the case met its first deadline long ago). Placing it is the
    caller's (``meetings.services.case_return_to_agenda``).
    """
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput({"reason": ["say why the case returns to the agenda (it is shown on the agenda)."]})
    case = Case.objects.select_for_update().get(pk=case_id)
    if actor is None:
        if not system_label:
            raise ValueError("a re-review without an actor names the system rule that asked for it")
    else:
        require(actor, Permission.FOLLOW_UP_RECORD, case.board_id)
    try:
        target = check_re_review(case.status, placed=placed)
    except ReReviewNotAllowed as exc:
        raise InvalidInput({"status": [str(exc)]}) from exc
    before = {"status": case.status}
    case.status = target
    case.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        actor_label=system_label or None,
        event=AuditEvent.CASE_STATUS_CHANGED,
        subject=case,
        board_id=case.board_id,
        before=before,
        after={"status": case.status, "re_review": True},
        reason=reason.strip(),
    )
    return case


@transaction.atomic
def case_transition(*, actor: User, case_id: int, target: CaseStatus | str, reason: str = "") -> Case:
    """Move a case along its life cycle. Submitting is open to any clinical member of the board;
    every other move is the coordinator's (triage)."""
    case = Case.objects.select_for_update().get(pk=case_id)
    target_status = CaseStatus(target)
    submitting = target_status == CaseStatus.SUBMITTED and case.status == CaseStatus.DRAFT
    needed = Permission.CASE_SUBMIT if submitting else Permission.CASE_TRIAGE
    require(actor, needed, case.board_id)
    try:
        check_transition(case.status, target_status)
    except ValueError as exc:
        raise ValidationError({"status": [str(exc)]}) from exc
    if target_status == CaseStatus.SUBMITTED and not case.lesions.exists():
        raise ValidationError({"lesions": ["a case needs at least one lesion before it is submitted."]})
    before = {"status": case.status}
    case.status = target_status
    if target_status == CaseStatus.SUBMITTED and case.submitted_at is None:
        case.submitted_at = timezone.now()
    case.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        event=AuditEvent.CASE_STATUS_CHANGED,
        subject=case,
        board_id=case.board_id,
        before=before,
        after={"status": case.status},
        reason=reason,
    )
    return case


def case_facts_digests_record(cases: Iterable[tuple[Case, str]]) -> int:
    """Store each case's facts digest (``apps.cases.facts.facts_digest`` of the facts the caller built from
    ``case``, loaded with its patient by ``engine_cases``), stamped with the ``updated_at`` it is valid for;
    one UPDATE for the changed ones. Returns how many were written.

    The caller holds the cases' row locks in its transaction (an engine chunk, under ``lock_cases``), so
    the facts are those of the rows as committed. No audit row and no new revision: the digest is a cache
    of what the case already says, not a clinical change, and ``updated_at`` is not touched (the facts'
    ``as_of`` is its date). A write through any service moves ``updated_at`` (or the revision) and so voids
    the stamp; a bulk change of case facts that moves neither (a data migration's ``update()``) must reset
    ``facts_digest`` to ``""``.
    """
    changed: list[Case] = []
    for case, digest in cases:
        stamp = facts_stamp(case.revision, case.patient_id, case.updated_at, case.patient.updated_at)
        if case.facts_digest != digest or case.facts_stamp != stamp:
            case.facts_digest, case.facts_stamp = digest, stamp
            changed.append(case)
    if changed:
        Case.objects.bulk_update(changed, ["facts_digest", "facts_stamp"])
    return len(changed)
