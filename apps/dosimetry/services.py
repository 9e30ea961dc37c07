"""The only code that writes radiotherapy plans and dose summaries.

``plan_create`` / ``plan_update`` validate the plan with the dose engine, write it and its audit entry in
one transaction, and queue the summary computation after commit. ``dose_summary_compute`` computes a
plan's summary under a lock on the plan row, from the plan and its case as committed; summaries are keyed
by the digest of their inputs (engine version included), so recomputing unchanged inputs reuses the row
(made current again) and writes nothing new.

Regimens and constraint sets come from the database catalogue (administrators curate it); the engine's
built-in catalogue only seeded it. ``catalogue_entry_changed`` bumps a row's revision after an edit and
queues the recomputation of every plan built on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.authorization import require
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_engine_results, audit_record
from apps.cases.models import Case, Lesion
from apps.cases.rules import prior_course_errors
from apps.cases.selectors import case_facts, cases_for_engines, not_lesions_of_case
from apps.cases.vocabulary import VERTEBRAL_LEVELS, Laterality, Site
from apps.core.background import enqueue
from apps.core.jobs import job_create
from apps.core.models import Job
from apps.dosimetry.engine import (
    DoseInputError,
    DoseSummaryRequest,
    Target,
    build_dose_summary,
    constraint_sets_checked,
    inputs_digest,
)
from apps.dosimetry.engine.bounds import alpha_beta_bound_errors, levels_bound_errors, oar_metric_bound_errors
from apps.dosimetry.models import ConstraintSet, DoseSummary, RadiotherapyPlan, Regimen
from apps.dosimetry.selectors import (
    ConstraintCatalogue,
    constraint_catalogue,
    constraint_set_key,
    regimen_by_code,
    regimen_key,
)

#: Plan fields a caller may set (``target_lesions`` is handled separately).
PLAN_FIELDS: tuple[str, ...] = (
    "name",
    "regimen_code",
    "levels",
    "technique",
    "alpha_beta",
    "region",
    "site",
    "level_from",
    "level_to",
    "laterality",
    "level_targets",
    "oar_metrics",
    "planned_date",
)
#: The plan's structured target (clinical-rules.md §7), validated by the same rules as a prior course's.
TARGET_FIELDS: tuple[str, ...] = ("site", "level_from", "level_to", "laterality")
DECIMALS = 2


def plan_levels(plan: RadiotherapyPlan, regimen: Regimen | None = None) -> list[dict[str, Any]]:
    """The plan's dose levels: its catalogue regimen's (``regimen``, looked up when not given) when
    ``regimen_code`` is set, else the custom ones."""
    if not plan.regimen_code:
        return list(plan.levels or [])
    regimen = regimen or regimen_by_code(plan.regimen_code)
    if regimen is None:
        return []
    return [
        {"fractions": regimen.fractions, "total_dose_gy": level["total_dose_gy"], "label": level.get("target", "")}
        for level in regimen.levels
    ]


def plan_target(plan: RadiotherapyPlan) -> Target | None:
    """The plan's structured target for the engine (None when none of its fields is recorded)."""
    if all(getattr(plan, name) in (None, "") for name in TARGET_FIELDS):
        return None
    return Target(
        site=plan.site or None,
        level_from=plan.level_from or None,
        level_to=plan.level_to or None,
        laterality=plan.laterality or None,
        label=plan.region,
    )


def plan_level_targets(plan: RadiotherapyPlan, levels: list[dict[str, Any]]) -> tuple[str | None, ...]:
    """The structure each dose level prescribes: ``level_targets`` for a catalogue regimen, else each
    custom level's own ``target``; () when none is named."""
    if plan.regimen_code:
        named = [t if isinstance(t, str) and t.strip() else None for t in (plan.level_targets or [])]
    else:
        named = [lv.get("target") if isinstance(lv.get("target"), str) else None for lv in levels]
    return tuple(named) if any(named) else ()


@dataclass(frozen=True)
class PlanRequest:
    """The engine request of a plan and the catalogue rows (``key -> revision``) it was built from."""

    request: DoseSummaryRequest
    catalogue_revisions: dict[str, int]


def summary_request(
    plan: RadiotherapyPlan,
    case: Case | None = None,
    *,
    catalogue: ConstraintCatalogue | None = None,
    regimens: Mapping[str, Regimen] | None = None,
) -> PlanRequest:
    """The dose engine's request for ``plan`` with the prior courses of its case (prefetched or not), its
    regimen, and the constraint sets of the database catalogue (the engine picks the ones that fit the
    fraction count; the regimen's own set is added). A chunk passes the catalogue and its regimens read
    once. Raises ``DoseInputError`` for a plan the engine cannot compute (``_validate`` keeps those out)."""
    facts = case_facts(case or plan.case)
    catalogue = catalogue if catalogue is not None else constraint_catalogue()
    if not plan.regimen_code:
        regimen = None
    elif regimens is not None:
        regimen = regimens.get(plan.regimen_code)
    else:
        regimen = regimen_by_code(plan.regimen_code)
    levels = plan_levels(plan, regimen)
    request = DoseSummaryRequest(
        levels=levels,
        alpha_beta=plan.alpha_beta,
        prior_courses=facts.prior_courses,
        region=plan.region or None,
        target=plan_target(plan),
        level_targets=plan_level_targets(plan, levels),
        technique=plan.technique or None,
        systemic_therapy_classes=facts.systemic_therapy_classes,
        structures=plan.oar_metrics or {},
        planned_date=plan.planned_date,
        constraint_catalogue=catalogue.sets,
        additional_constraint_sets=(regimen.constraint_set,) if regimen and regimen.constraint_set else (),
    )
    # The revisions of exactly the rows the engine reads: its own choice of sets, and the regimen.
    revisions = {constraint_set_key(code): catalogue.revisions[code] for code in constraint_sets_checked(request)}
    if regimen is not None:
        revisions[regimen_key(regimen.code)] = regimen.revision
    return PlanRequest(request=request, catalogue_revisions=revisions)


def _validate(plan: RadiotherapyPlan) -> None:
    """Raise a field-keyed ``ValidationError`` (a 400 in the API) for a plan the engine cannot compute."""
    # Clinical bounds (engine/bounds.py): an absurd plan is refused here, so it never fails in the worker.
    bounded = (
        levels_bound_errors(plan.levels) + alpha_beta_bound_errors(plan.alpha_beta) + oar_metric_bound_errors(plan.oar_metrics)
    )
    if bounded:
        raise ValidationError(DoseInputError(errors=bounded).as_dict())
    if plan.regimen_code and plan.levels:
        raise ValidationError({"levels": ["Give either regimen_code or custom levels, not both."]})
    if not plan.regimen_code and not plan.levels:
        raise ValidationError({"regimen_code": ["Give a regimen_code or custom levels."]})
    regimen = None
    if plan.regimen_code:
        regimen = regimen_by_code(plan.regimen_code)
        if regimen is None or not regimen.active:
            allowed = ", ".join(Regimen.objects.filter(active=True).order_by("code").values_list("code", flat=True))
            raise ValidationError(
                {"regimen_code": [f'"{plan.regimen_code}" is not an active catalogue regimen. Allowed: {allowed}.']}
            )
    codes = {"site": [s.value for s in Site], "laterality": [lat.value for lat in Laterality]}
    codes["level_from"] = codes["level_to"] = list(VERTEBRAL_LEVELS)
    bad = {
        name: [f'"{getattr(plan, name)}" is not a valid code. Allowed: {", ".join(allowed)}.']
        for name, allowed in codes.items()
        if getattr(plan, name) not in (None, "", *allowed)
    }
    if bad:
        raise ValidationError(bad)
    # The target in the clinic's words, by the rule prior courses follow (cases.rules).
    target_errors = prior_course_errors(
        {name: getattr(plan, name) or None for name in TARGET_FIELDS}, date_of_birth=None, today=date.max
    )
    if target_errors:
        raise ValidationError(target_errors)
    if plan.regimen_code and plan.level_targets and regimen is not None and len(plan.level_targets) != len(regimen.levels):
        raise ValidationError(
            {"level_targets": [f"Name one target per dose level of {regimen.code} ({len(regimen.levels)}), or none."]}
        )
    levels = plan_levels(plan, regimen)
    try:
        inputs_digest(
            DoseSummaryRequest(
                levels=levels,
                alpha_beta=plan.alpha_beta,
                region=plan.region or None,
                target=plan_target(plan),
                level_targets=plan_level_targets(plan, levels),
                structures=plan.oar_metrics or {},
                planned_date=plan.planned_date,
            )
        )
    except DoseInputError as exc:
        raise ValidationError({_api_field(name): reasons for name, reasons in exc.as_dict().items()}) from exc


def _api_field(name: str) -> str:
    """The engine's ``target.site`` is the plan's ``site``."""
    return name.removeprefix("target.")


def _set_targets(plan: RadiotherapyPlan, lesions: Iterable[Lesion] | None) -> None:
    if lesions is None:
        return
    chosen = list(lesions)
    foreign = [lesion.pk for lesion in chosen if lesion.case_id != plan.case_id]
    if foreign:
        raise ValidationError({"target_lesions": [not_lesions_of_case(foreign)]})
    plan.target_lesions.set(chosen)


def _snapshot(plan: RadiotherapyPlan) -> dict[str, Any]:
    data = {name: getattr(plan, name) for name in PLAN_FIELDS}
    data["revision"] = plan.revision
    return data


def _enqueue(plan_id: int) -> None:
    enqueue("dosimetry.compute_plan_summary", plan_id)


@transaction.atomic
def plan_create(
    *, actor: User | None, case: Case, data: Mapping[str, Any], target_lesions: Iterable[Lesion] | None = None
) -> RadiotherapyPlan:
    """Create a plan on ``case``; its summary is computed after commit."""
    require(actor, Permission.DOSE_PLAN_EDIT, case.board_id)
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    plan = RadiotherapyPlan(case=case, created_by=actor, **data)
    _validate(plan)
    plan.full_clean(exclude=["case", "created_by"])
    plan.save()
    _set_targets(plan, target_lesions)
    audit_record(actor=actor, event=AuditEvent.DOSE_PLAN_CREATED, subject=plan, board_id=case.board_id, after=_snapshot(plan))
    _enqueue(plan.pk)
    return plan


class StalePlan(Exception):
    """The caller edited a revision of the plan that is no longer the current one."""


@transaction.atomic
def plan_update(
    *,
    actor: User | None,
    plan: RadiotherapyPlan,
    data: Mapping[str, Any],
    target_lesions: Iterable[Lesion] | None = None,
    expected_revision: int | None = None,
) -> RadiotherapyPlan:
    """Change a plan (locked); bumps ``revision`` when anything changed and queues a recomputation.

    ``expected_revision`` (the API's ``If-Match``) is re-checked under the row lock: a plan changed since
    the caller read it raises ``StalePlan`` and nothing is written.
    """
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    locked = RadiotherapyPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    require(actor, Permission.DOSE_PLAN_EDIT, locked.case.board_id)
    if expected_revision is not None and expected_revision != locked.revision:
        raise StalePlan(
            f"The plan is at revision {locked.revision}, not {expected_revision}: someone changed it since you "
            "read it. Reload it, redo your change and save again."
        )
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
    computed = dose_summaries_compute(plan_ids=[plan_id])
    if plan_id not in computed:
        raise RadiotherapyPlan.DoesNotExist(f"Plan {plan_id} does not exist.")
    return computed[plan_id]


@transaction.atomic
def dose_summaries_compute(*, plan_ids: Iterable[int]) -> dict[int, DoseSummary]:
    """Compute (or reuse) the summaries of many plans in one transaction with bulk reads and writes (a
    recompute chunk): the plans locked in primary-key order, their cases, the catalogue and the regimens
    read once, the stored rows in one query, new rows and their audit entries in one insert each.

    Idempotent: a plan whose inputs digest is stored reuses that row (re-stamped with the newer
    revisions; no new row, no audit entry). Returns the current row of each plan that still exists.
    """
    plans = list(RadiotherapyPlan.objects.select_for_update().filter(pk__in=list(plan_ids)).order_by("pk"))
    if not plans:
        return {}
    cases = {case.pk: case for case in cases_for_engines({plan.case_id for plan in plans})}
    catalogue = constraint_catalogue()
    regimens = {r.code: r for r in Regimen.objects.filter(code__in={p.regimen_code for p in plans if p.regimen_code})}
    built = {plan.pk: summary_request(plan, cases[plan.case_id], catalogue=catalogue, regimens=regimens) for plan in plans}
    digests = {plan_id: inputs_digest(item.request) for plan_id, item in built.items()}
    current: dict[int, DoseSummary] = {}
    matching: dict[int, DoseSummary] = {}
    for row in DoseSummary.objects.filter(plan_id__in=built).filter(
        Q(is_current=True) | Q(inputs_digest__in=set(digests.values()))
    ):
        if row.is_current:
            current[row.plan_id] = row
        if row.inputs_digest == digests[row.plan_id]:
            matching[row.plan_id] = row

    now = timezone.now()
    result: dict[int, DoseSummary] = {}
    demote: list[int] = []
    refreshed: list[DoseSummary] = []
    created: list[DoseSummary] = []
    for plan in plans:
        case, item = cases[plan.case_id], built[plan.pk]
        old, same = current.get(plan.pk), matching.get(plan.pk)
        if old is not None and old is not same:
            demote.append(old.pk)
        if same is not None:
            # Same inputs, same figures: re-stamp the row with the revisions it now describes.
            same.is_current = True
            same.plan_revision = max(same.plan_revision, plan.revision)
            same.case_revision = max(same.case_revision, case.revision)
            same.catalogue_revisions = item.catalogue_revisions
            refreshed.append(same)
            result[plan.pk] = same
            continue
        summary = build_dose_summary(item.request)
        row = DoseSummary(
            plan=plan,
            inputs_digest=digests[plan.pk],
            engine_version=summary.engine_version,
            plan_revision=plan.revision,
            case_revision=case.revision,
            catalogue_revisions=item.catalogue_revisions,
            payload=summary.to_dict(DECIMALS),
            computed_at=now,
            is_current=True,
        )
        created.append(row)
        result[plan.pk] = row

    # Demote first: the partial unique constraint allows one current row per plan at any moment.
    if demote:
        DoseSummary.objects.filter(pk__in=demote).update(is_current=False)
    if refreshed:
        DoseSummary.objects.bulk_update(refreshed, ["is_current", "plan_revision", "case_revision", "catalogue_revisions"])
    if created:
        DoseSummary.objects.bulk_create(created)
        audit_engine_results(
            engine="dose-engine",
            event=AuditEvent.DOSE_SUMMARY_COMPUTED,
            results=[
                (
                    row,
                    cases[row.plan.case_id].board_id,
                    {
                        "plan_id": row.plan_id,
                        "case_id": row.plan.case_id,
                        "plan_revision": row.plan_revision,
                        "case_revision": row.case_revision,
                        "inputs_digest": row.inputs_digest,
                        "engine_version": row.engine_version,
                        "catalogue_revisions": row.catalogue_revisions,
                    },
                )
                for row in created
            ],
        )
    return result


CatalogueKind = Literal["regimen", "constraint_set"]


def plans_built_on(*, kind: CatalogueKind, code: str) -> list[int]:
    """Ids of the plans whose dose summary depends on the catalogue row ``kind``/``code``: plans of that
    regimen, or whose current summary checked that constraint set (or whose regimen names it)."""
    if kind == "regimen":
        return list(RadiotherapyPlan.objects.filter(regimen_code=code).order_by("pk").values_list("pk", flat=True))
    by_summary = DoseSummary.objects.filter(is_current=True, catalogue_revisions__has_key=constraint_set_key(code))
    by_regimen = Regimen.objects.filter(constraint_set=code).values("code")
    ids = set(by_summary.values_list("plan_id", flat=True))
    ids.update(RadiotherapyPlan.objects.filter(regimen_code__in=by_regimen).values_list("pk", flat=True))
    return sorted(ids)


@transaction.atomic
def catalogue_entry_changed(*, kind: CatalogueKind, code: str) -> int | None:
    """Record that an administrator edited a regimen or a constraint set: bump its revision (the dose
    summaries built on the old one read as ``stale``) and, after commit, recompute those plans.

    The edit itself and its audit row are written by the caller in the same transaction. Returns the new
    revision, or None when the row was deleted (its dependents are recomputed all the same).
    """
    model: type[Regimen] | type[ConstraintSet] = Regimen if kind == "regimen" else ConstraintSet
    model.objects.filter(code=code).update(revision=F("revision") + 1)
    revision = model.objects.filter(code=code).values_list("revision", flat=True).first()
    catalogue_recompute_job_create(kind=kind, code=code)
    return revision


def catalogue_recompute_job_create(*, kind: CatalogueKind, code: str) -> Job:
    """Record the visible job that recomputes, after commit, exactly the plans built on ``kind``/``code``."""
    return job_create(
        kind=Job.Kind.RECOMPUTE_DOSE_SUMMARIES,
        task_name="dosimetry.recompute",
        params={"catalogue_kind": kind, "code": code, "reason": f"{kind} {code} changed"},
    )
