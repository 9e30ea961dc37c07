"""Read side of the dosimetry app: plans of a case, the ``dose_summaries`` section of the case API, and
the regimen catalogue / constraint sets as the dose engine sees them (the copies administrators curate)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    CharField,
    Exists,
    Expression,
    F,
    FilteredRelation,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast

from apps.cases.derived import DerivedStatus, pending_section
from apps.cases.models import Case, Lesion
from apps.core.compiled import CompiledRead
from apps.core.rawjson import RawJSON
from apps.dosimetry.engine import ENGINE_VERSION, Constraint, Direction, LimitUnit, Metric
from apps.dosimetry.engine import ConstraintSet as EngineConstraintSet
from apps.dosimetry.models import ConstraintSet, DoseSummary, OrganConstraint, RadiotherapyPlan, Regimen

#: Prefixes of the keys of ``DoseSummary.catalogue_revisions``.
REGIMEN_KEY = "regimen:"
CONSTRAINT_SET_KEY = "constraint_set:"


def regimen_key(code: str) -> str:
    return f"{REGIMEN_KEY}{code}"


def constraint_set_key(code: str) -> str:
    return f"{CONSTRAINT_SET_KEY}{code}"


def _engine_constraint(row: OrganConstraint) -> Constraint:
    return Constraint(
        code=row.code,
        organ=row.organ,
        metric=Metric(row.metric),
        limit=row.limit,
        unit=LimitUnit(row.unit),
        direction=Direction(row.direction),
        source=row.source,
        alpha_beta=row.alpha_beta,
        fractions=row.fractions,
        note=row.note,
    )


@dataclass(frozen=True)
class ConstraintCatalogue:
    """The constraint sets of the database as engine objects, with each set's revision."""

    sets: Mapping[str, EngineConstraintSet]
    revisions: Mapping[str, int]


def constraint_catalogue() -> ConstraintCatalogue:
    """Every constraint set (two queries): what the dose engine checks plans against."""
    rows = ConstraintSet.objects.order_by("code").prefetch_related(
        Prefetch("constraints", queryset=OrganConstraint.objects.order_by("id"))
    )
    sets: dict[str, EngineConstraintSet] = {}
    revisions: dict[str, int] = {}
    for row in rows:
        sets[row.code] = EngineConstraintSet(
            code=row.code,
            name=row.name,
            constraints=tuple(_engine_constraint(c) for c in row.constraints.all()),
            source=row.source,
            description=row.description,
        )
        revisions[row.code] = row.revision
    return ConstraintCatalogue(sets=sets, revisions=revisions)


def regimen_by_code(code: str) -> Regimen | None:
    """The catalogue regimen ``code`` (active or withdrawn), or None."""
    return Regimen.objects.filter(code=code).first()


def catalogue_revisions_in_force() -> dict[str, int]:
    """``{"regimen:<code>": revision, "constraint_set:<code>": revision}`` for every row (one query).

    Both halves drop their model's default ordering (``order_by()``): SQLite refuses an ORDER BY inside
    a compound statement, and the union's order does not matter for a dict.
    """
    regimens = (
        Regimen.objects.order_by()
        .annotate(kind=Value(REGIMEN_KEY, output_field=CharField()))
        .values_list("kind", "code", "revision")
    )
    sets = (
        ConstraintSet.objects.order_by()
        .annotate(kind=Value(CONSTRAINT_SET_KEY, output_field=CharField()))
        .values_list("kind", "code", "revision")
    )
    return {f"{kind}{code}": revision for kind, code, revision in regimens.union(sets, all=True)}


def catalogue_is_stale(summary: DoseSummary, in_force: Mapping[str, int]) -> bool:
    """True when a catalogue row the summary used was edited (or removed) since it was computed."""
    return any(in_force.get(key) != revision for key, revision in (summary.catalogue_revisions or {}).items())


def case_plans(case: Case, *, raw: bool = False) -> QuerySet[RadiotherapyPlan]:
    """The case's plans with their current summary (``current_summaries``) and target lesions prefetched.
    With ``raw`` each summary's payload is read as text only (``payload_json``), not decoded."""
    summaries = DoseSummary.objects.filter(is_current=True)
    if raw:
        summaries = summaries.defer("payload").annotate(payload_json=Cast("payload", TextField()))
    return (
        RadiotherapyPlan.objects.filter(case=case)
        .prefetch_related(
            # Only the uuid is shown (``target_lesions``): not the whole lesion row again.
            Prefetch("target_lesions", queryset=Lesion.objects.only("id", "uuid")),
            Prefetch("dose_summaries", queryset=summaries, to_attr="current_summaries"),
        )
        .order_by("created_at", "id")
    )


def plan_status(plan: RadiotherapyPlan, summary: DoseSummary | None, case: Case, in_force: Mapping[str, int]) -> DerivedStatus:
    """``pending`` without a summary; ``stale`` when the plan, the case, the engine or a catalogue row it
    used (``in_force``: :func:`catalogue_revisions_in_force`) changed since."""
    if summary is None:
        return DerivedStatus.PENDING
    if (
        summary.plan_revision < plan.revision
        or summary.case_revision < case.revision
        or summary.engine_version != ENGINE_VERSION
        or catalogue_is_stale(summary, in_force)
    ):
        return DerivedStatus.STALE
    return DerivedStatus.CURRENT


def _summary_payload(summary: DoseSummary | None, *, raw: bool) -> Any:
    if summary is None:
        return None
    # ``payload_json``: the payload's text, annotated by ``case_plans(raw=True)``.
    return RawJSON(summary.payload_json) if raw else summary.payload  # type: ignore[attr-defined]


def plan_entry(
    plan: RadiotherapyPlan, case: Case, in_force: Mapping[str, int] | None = None, *, raw: bool = False
) -> dict[str, Any]:
    """One plan of the section: its inputs, status and current summary payload. Pass ``in_force`` when
    listing several plans (one query for all of them); ``raw`` when the plan came from
    ``case_plans(raw=True)`` (the payload is then ``RawJSON``)."""
    if in_force is None:
        in_force = catalogue_revisions_in_force()
    summaries: list[DoseSummary] = getattr(plan, "current_summaries", None) or list(plan.dose_summaries.filter(is_current=True))
    summary = summaries[0] if summaries else None
    return {
        "plan_id": plan.pk,
        "name": plan.name,
        "regimen_code": plan.regimen_code or None,
        "levels": plan.levels or None,
        "technique": plan.technique,
        "alpha_beta": plan.alpha_beta,
        "region": plan.region,
        "site": plan.site,
        "level_from": plan.level_from,
        "level_to": plan.level_to,
        "laterality": plan.laterality,
        "level_targets": plan.level_targets or [],
        "target_lesions": [str(lesion.uuid) for lesion in plan.target_lesions.all()],
        "revision": plan.revision,
        "status": plan_status(plan, summary, case, in_force).value,
        "computed_at": summary.computed_at.isoformat() if summary else None,
        "computed_for_revision": summary.plan_revision if summary else None,
        "engine_version": summary.engine_version if summary else None,
        "summary": _summary_payload(summary, raw=raw),
    }


class CatalogueInForce(Expression):
    """:func:`catalogue_revisions_in_force` as one JSON object computed by the database, so that the plans'
    query brings it along (an uncorrelated scalar subquery: evaluated once per query)."""

    output_field = JSONField()

    # Only the two models' own table and column names are interpolated; the key prefixes are bound.
    _SQL = (
        "(SELECT {agg}(k, v) FROM ("
        'SELECT CAST(%s AS TEXT) || "code" AS k, "revision" AS v FROM "{regimens}" UNION ALL '
        'SELECT CAST(%s AS TEXT) || "code" AS k, "revision" AS v FROM "{sets}") AS t)'
    )

    def _sql(self, aggregate: str) -> tuple[str, list[Any]]:
        sql = self._SQL.format(agg=aggregate, regimens=Regimen._meta.db_table, sets=ConstraintSet._meta.db_table)
        return sql, [REGIMEN_KEY, CONSTRAINT_SET_KEY]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # SQLite
        return self._sql("json_group_object")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self._sql("jsonb_object_agg")


_PLAN_COLUMNS = (
    "pk",
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
    "revision",
)
_SUMMARY_COLUMNS = (
    "current__id",
    "current__computed_at",
    "current__plan_revision",
    "current__case_revision",
    "current__engine_version",
    "current__catalogue_revisions",
)


def _status_of(
    *, plan_revision: int, case_revision: int, summary: dict[str, Any] | None, in_force: Mapping[str, int]
) -> DerivedStatus:
    """:func:`plan_status` from columns (``summary``: the current summary's, None without one)."""
    if summary is None:
        return DerivedStatus.PENDING
    if (
        summary["plan_revision"] < plan_revision
        or summary["case_revision"] < case_revision
        or summary["engine_version"] != ENGINE_VERSION
        or any(in_force.get(key) != revision for key, revision in (summary["catalogue_revisions"] or {}).items())
    ):
        return DerivedStatus.STALE
    return DerivedStatus.CURRENT


def _plan_rows(case_id: int, *, raw: bool) -> QuerySet[Any]:
    payload: Any = Cast("current__payload", TextField()) if raw else F("current__payload")
    return (
        RadiotherapyPlan.objects.filter(case_id=case_id)
        .annotate(
            current=FilteredRelation("dose_summaries", condition=Q(dose_summaries__is_current=True)),
            summary_payload=payload,
            in_force=CatalogueInForce(),
        )
        .order_by("created_at", "id")
        .values_list(
            *_PLAN_COLUMNS,
            *_SUMMARY_COLUMNS,
            "summary_payload",
            "in_force",
            "target_lesions__case_id",
            "target_lesions__id",
            "target_lesions__uuid",
        )
    )


#: The entries' one query, compiled once per thread (issue 16: two filtered joins, the M2M join and the
#: catalogue subquery cost more to compile than to run); with the summary's payload as text or decoded.
_RAW_PLAN_ROWS = CompiledRead(lambda case_id: _plan_rows(case_id, raw=True))
_PLAN_ROWS = CompiledRead(lambda case_id: _plan_rows(case_id, raw=False))


def plan_entries(case: Case, *, raw: bool = False) -> list[dict[str, Any]]:
    """Every plan of ``case`` as :func:`plan_entry`, in one query (issue 16: it was four, the plans, their
    target lesions, their current summaries and the catalogue's revisions): one row per plan and target
    lesion, the plan's current summary joined (at most one: ``dose_summary_one_current_per_plan``) and the
    catalogue's revisions in force computed by the database (:class:`CatalogueInForce`). With ``raw`` the
    summary's payload is read as text (``RawJSON``), never decoded."""
    rows = (_RAW_PLAN_ROWS if raw else _PLAN_ROWS).tuples(case.pk)
    plans: dict[int, dict[str, Any]] = {}
    targets: dict[int, list[tuple[int, int, str]]] = {}
    n_plan, n_summary = len(_PLAN_COLUMNS), len(_SUMMARY_COLUMNS)
    for row in rows:
        plan = dict(zip(_PLAN_COLUMNS, row[:n_plan], strict=True))
        pk = plan["pk"]
        lesion_case, lesion_id, lesion_uuid = row[-3:]
        if lesion_id is not None:
            targets.setdefault(pk, []).append((lesion_case, lesion_id, str(lesion_uuid)))
        if pk in plans:
            continue
        summary_id, computed_at, plan_revision, case_revision, engine_version, catalogue = row[n_plan : n_plan + n_summary]
        summary_payload, in_force = row[n_plan + n_summary], row[n_plan + n_summary + 1] or {}
        summary = (
            None
            if summary_id is None
            else {
                "plan_revision": plan_revision,
                "case_revision": case_revision,
                "engine_version": engine_version,
                "catalogue_revisions": catalogue,
            }
        )
        status = _status_of(plan_revision=plan["revision"], case_revision=case.revision, summary=summary, in_force=in_force)
        plans[pk] = {
            "plan_id": pk,
            "name": plan["name"],
            "regimen_code": plan["regimen_code"] or None,
            "levels": plan["levels"] or None,
            "technique": plan["technique"],
            "alpha_beta": plan["alpha_beta"],
            "region": plan["region"],
            "site": plan["site"],
            "level_from": plan["level_from"],
            "level_to": plan["level_to"],
            "laterality": plan["laterality"],
            "level_targets": plan["level_targets"] or [],
            "target_lesions": [],
            "revision": plan["revision"],
            "status": status.value,
            "computed_at": computed_at.isoformat() if summary else None,
            "computed_for_revision": plan_revision if summary else None,
            "engine_version": engine_version if summary else None,
            "summary": None if summary is None else (RawJSON(summary_payload) if raw else summary_payload),
        }
    for pk, lesions in targets.items():
        # The lesions' own order (``Lesion.Meta.ordering``: case, id), as the prefetch read them.
        plans[pk]["target_lesions"] = [uuid for _case, _id, uuid in sorted(lesions)]
    return list(plans.values())


def dose_summaries_pending() -> dict[str, Any]:
    """The dose summaries section of a case with no plan."""
    return {**pending_section(), "plans": []}


def dose_summaries_section(case: Case, *, raw: bool = False) -> dict[str, Any]:
    """``{status, computed_at, plans: [...]}``: ``pending`` without plans or while any plan is uncomputed,
    ``stale`` when any summary is out of date, else ``current``; ``computed_at`` is the latest summary's."""
    plans = plan_entries(case, raw=raw)
    if not plans:
        return dose_summaries_pending()
    statuses = {entry["status"] for entry in plans}
    if DerivedStatus.PENDING.value in statuses:
        status = DerivedStatus.PENDING
    elif DerivedStatus.STALE.value in statuses:
        status = DerivedStatus.STALE
    else:
        status = DerivedStatus.CURRENT
    times: list[datetime] = [datetime.fromisoformat(entry["computed_at"]) for entry in plans if entry["computed_at"] is not None]
    return {
        "status": status.value,
        "computed_at": max(times).isoformat() if times else None,
        "plans": plans,
    }


def plans_needing_summary(*, force: bool = False) -> QuerySet[RadiotherapyPlan]:
    """Plans (in primary-key order) with no current summary, or one computed by another engine version,
    for an older plan or case revision, or on catalogue rows edited since; every plan with ``force``."""
    plans = RadiotherapyPlan.objects.order_by("pk")
    if force:
        return plans
    up_to_date = DoseSummary.objects.filter(
        plan_id=OuterRef("pk"),
        is_current=True,
        engine_version=ENGINE_VERSION,
        plan_revision__gte=OuterRef("revision"),
        case_revision__gte=OuterRef("case__revision"),
    )
    in_force = catalogue_revisions_in_force()
    catalogue_stale = [
        summary.plan_id
        for summary in DoseSummary.objects.filter(is_current=True).only("plan_id", "catalogue_revisions")
        if catalogue_is_stale(summary, in_force)
    ]
    return plans.filter(~Exists(up_to_date) | Q(pk__in=catalogue_stale))


def plans_with_summary_left_behind(changed_before: datetime, limit: int) -> list[int]:
    """The sweep's finder (``apps.core.stale``): plans whose plan and case last changed before
    ``changed_before`` that still have no current summary of their plan and case revisions. (Summaries of
    another engine version or catalogue revision are renewed by the recompute jobs.)"""
    up_to_date = DoseSummary.objects.filter(
        plan_id=OuterRef("pk"),
        is_current=True,
        plan_revision__gte=OuterRef("revision"),
        case_revision__gte=OuterRef("case__revision"),
    )
    stale = (
        RadiotherapyPlan.objects.filter(updated_at__lt=changed_before, case__updated_at__lt=changed_before)
        .exclude(Exists(up_to_date))
        .order_by("pk")
    )
    return list(stale.values_list("pk", flat=True)[:limit])


def plan_ids_of_cases(case_ids: Iterable[int]) -> list[int]:
    """Ids of the plans of these cases, in primary-key order (a recompute chunk's dose summaries)."""
    return list(RadiotherapyPlan.objects.filter(case_id__in=list(case_ids)).order_by("pk").values_list("pk", flat=True))
