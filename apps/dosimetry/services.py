"""The only code that writes radiotherapy plans and dose summaries.

``plan_create`` / ``plan_update`` validate the plan with the dose engine, write it and its audit entry in
one transaction, and queue the summary computation after commit. ``dose_summary_compute`` computes a
plan's summary under a lock on the plan row, from the plan and its case as committed; summaries are keyed
by the digest of their inputs (engine version included), so recomputing unchanged inputs reuses the row
(made current again) and writes nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record
from apps.cases.models import Case, Lesion
from apps.cases.selectors import case_facts
from apps.dosimetry.engine import (
    REGIMENS_BY_CODE,
    DoseInputError,
    DoseSummaryRequest,
    build_dose_summary,
    inputs_digest,
)
from apps.dosimetry.models import DoseSummary, RadiotherapyPlan

#: Plan fields a caller may set (``target_lesions`` is handled separately).
PLAN_FIELDS: tuple[str, ...] = (
    "name",
    "regimen_code",
    "levels",
    "technique",
    "alpha_beta",
    "region",
    "oar_metrics",
    "planned_date",
)
DECIMALS = 2


def plan_levels(plan: RadiotherapyPlan) -> list[dict[str, Any]]:
    """The plan's dose levels: the catalogue regimen's when ``regimen_code`` is set, else the custom ones."""
    if plan.regimen_code:
        regimen = REGIMENS_BY_CODE[plan.regimen_code]
        return [
            {"fractions": level.fractions, "total_dose_gy": level.total_dose_gy, "label": level.label}
            for level in regimen.dose_levels()
        ]
    return list(plan.levels or [])


def summary_request(plan: RadiotherapyPlan, case: Case | None = None) -> DoseSummaryRequest:
    """The dose engine's request for ``plan`` with the prior courses of its case (prefetched or not)."""
    facts = case_facts(case or plan.case)
    return DoseSummaryRequest(
        levels=plan_levels(plan),
        alpha_beta=plan.alpha_beta,
        prior_courses=facts.prior_courses,
        region=plan.region or None,
        structures=plan.oar_metrics or {},
        planned_date=plan.planned_date,
    )


def _validate(plan: RadiotherapyPlan) -> None:
    """Raise a field-keyed ``ValidationError`` (a 400 in the API) for a plan the engine cannot compute."""
    if plan.regimen_code and plan.regimen_code not in REGIMENS_BY_CODE:
        allowed = ", ".join(sorted(REGIMENS_BY_CODE))
        raise ValidationError({"regimen_code": [f'"{plan.regimen_code}" is not a valid code. Allowed: {allowed}.']})
    if plan.regimen_code and plan.levels:
        raise ValidationError({"levels": ["Give either regimen_code or custom levels, not both."]})
    if not plan.regimen_code and not plan.levels:
        raise ValidationError({"regimen_code": ["Give a regimen_code or custom levels."]})
    try:
        inputs_digest(
            DoseSummaryRequest(
                levels=plan_levels(plan),
                alpha_beta=plan.alpha_beta,
                region=plan.region or None,
                structures=plan.oar_metrics or {},
                planned_date=plan.planned_date,
            )
        )
    except DoseInputError as exc:
        raise ValidationError(exc.as_dict()) from exc


def _set_targets(plan: RadiotherapyPlan, lesions: Iterable[Lesion] | None) -> None:
    if lesions is None:
        return
    chosen = list(lesions)
    foreign = [lesion.pk for lesion in chosen if lesion.case_id != plan.case_id]
    if foreign:
        raise ValidationError({"target_lesions": [f"Lesions {foreign} do not belong to this case."]})
    plan.target_lesions.set(chosen)


def _snapshot(plan: RadiotherapyPlan) -> dict[str, Any]:
    data = {name: getattr(plan, name) for name in PLAN_FIELDS}
    data["revision"] = plan.revision
    return data


def _enqueue(plan_id: int) -> None:
    from apps.dosimetry.tasks import compute_plan_summary

    transaction.on_commit(lambda: compute_plan_summary.delay(plan_id))


@transaction.atomic
def plan_create(
    *, actor: User | None, case: Case, data: Mapping[str, Any], target_lesions: Iterable[Lesion] | None = None
) -> RadiotherapyPlan:
    """Create a plan on ``case``; its summary is computed after commit."""
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    plan = RadiotherapyPlan(case=case, created_by=actor, **data)
    _validate(plan)
    plan.full_clean(exclude=["case", "created_by"])
    plan.save()
    _set_targets(plan, target_lesions)
    audit_record(
        actor=actor, event=AuditEvent.DOSE_PLAN_CREATED, subject=plan, board_id=case.board_id, after=_snapshot(plan)
    )
    _enqueue(plan.pk)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: User | None,
    plan: RadiotherapyPlan,
    data: Mapping[str, Any],
    target_lesions: Iterable[Lesion] | None = None,
) -> RadiotherapyPlan:
    """Change a plan (locked); bumps ``revision`` when anything changed and queues a recomputation."""
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    locked = RadiotherapyPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    before = _snapshot(locked)
    for name, value in data.items():
        setattr(locked, name, value)
    before_targets = set(locked.target_lesions.values_list("pk", flat=True))
    targets_changed = target_lesions is not None and {lesion.pk for lesion in target_lesions} != before_targets
    changed = any(before[name] != getattr(locked, name) for name in data) or targets_changed
    if not changed:
        return locked
    _validate(locked)
    locked.full_clean(exclude=["case", "created_by"])
    locked.revision += 1
    locked.save()
    _set_targets(locked, target_lesions)
    audit_record(
        actor=actor,
        event=AuditEvent.DOSE_PLAN_UPDATED,
        subject=locked,
        board_id=locked.case.board_id,
        before=before,
        after=_snapshot(locked),
    )
    _enqueue(locked.pk)
    return locked


@transaction.atomic
def dose_summary_compute(*, plan_id: int) -> DoseSummary:
    """Compute (or reuse) the summary of a plan from its committed state and make it current.

    Idempotent: unchanged inputs reuse the stored row (no new row, no audit entry). Raises
    ``RadiotherapyPlan.DoesNotExist`` for a plan that no longer exists.
    """
    plan = RadiotherapyPlan.objects.select_for_update().get(pk=plan_id)
    case = Case.objects.prefetch_related("lesions", "prior_radiotherapy").get(pk=plan.case_id)
    request = summary_request(plan, case)
    digest = inputs_digest(request)
    rows = list(plan.dose_summaries.filter(is_current=True) | plan.dose_summaries.filter(inputs_digest=digest))
    current = next((row for row in rows if row.is_current), None)
    same = next((row for row in rows if row.inputs_digest == digest), None)
    if current is not None and same is not None and current.pk == same.pk:
        if current.plan_revision < plan.revision or current.case_revision < case.revision:
            current.plan_revision = max(current.plan_revision, plan.revision)
            current.case_revision = max(current.case_revision, case.revision)
            current.save(update_fields=["plan_revision", "case_revision"])
        return current
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    if same is not None:
        same.is_current = True
        same.plan_revision = max(same.plan_revision, plan.revision)
        same.case_revision = max(same.case_revision, case.revision)
        same.save(update_fields=["is_current", "plan_revision", "case_revision"])
        return same
    summary = build_dose_summary(request)
    row = DoseSummary.objects.create(
        plan=plan,
        inputs_digest=digest,
        engine_version=summary.engine_version,
        plan_revision=plan.revision,
        case_revision=case.revision,
        payload=summary.to_dict(DECIMALS),
        computed_at=timezone.now(),
        is_current=True,
    )
    audit_record(
        actor=None,
        actor_label="dose-engine",
        event=AuditEvent.DOSE_SUMMARY_COMPUTED,
        subject=row,
        board_id=case.board_id,
        after={
            "plan_id": plan.pk,
            "case_id": case.pk,
            "plan_revision": plan.revision,
            "case_revision": case.revision,
            "inputs_digest": digest,
            "engine_version": row.engine_version,
        },
    )
    return row
