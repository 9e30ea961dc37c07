"""Reads for the options engine, and the ``prognosis`` and ``treatment_options`` sections of the case detail.

The sections are read in one query: the current stored options, annotated with the fingerprints of what
they were computed from (the current risk digest, the case's plans, the regimen catalogue), so a plan edit,
a catalogue edit or a new risk assessment reads ``stale`` at once, before the recomputation lands.
``prognosis`` is computed on read from the case the detail already loaded (no query): it is a pure
function of the case's fields and always describes the case as it is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce

from apps.cases.derived import DerivedStatus, pending_section, section_envelope
from apps.cases.models import Case
from apps.cases.selectors import case_facts
from apps.core.compiled import CompiledRead
from apps.core.rawjson import RawJSON
from apps.dosimetry.models import RadiotherapyPlan, Regimen
from apps.options.engine import ENGINE_VERSION, PlanEntry, RegimenEntry, RegimenLevelEntry, TrialEntry, case_prognosis
from apps.options.engine.stored import REGIMENS, expand, expand_lesions, expand_options
from apps.options.models import TreatmentOptionsResult
from apps.risk.models import RiskAssessment
from apps.trials.models import TrialMatch

#: Registry statuses under which a trial takes patients now.
RECRUITING_STATUSES = frozenset({"recruiting", "enrolling_by_invitation"})


@dataclass(frozen=True, slots=True)
class LoadedInputs:
    catalogue: dict[str, RegimenEntry]
    plans: dict[int, tuple[PlanEntry, ...]]
    trials: dict[int, tuple[TrialEntry, ...]]


def active_catalogue() -> dict[str, RegimenEntry]:
    """The active regimens of the curated catalogue (one query)."""
    out: dict[str, RegimenEntry] = {}
    for row in Regimen.objects.filter(active=True).order_by("code"):
        levels = tuple(
            RegimenLevelEntry(float(level["total_dose_gy"]), str(level.get("target", "") or ""))
            for level in row.levels or ()
            if isinstance(level, dict) and level.get("total_dose_gy")
        )
        out[row.code] = RegimenEntry(
            code=row.code,
            name=row.name,
            fractions=row.fractions,
            levels=levels,
            technique=row.technique,
            cautions=tuple(str(c) for c in row.cautions or ()),
            revision=row.revision,
        )
    return out


def load_option_inputs(case_ids: Iterable[int]) -> LoadedInputs:
    """Catalogue, plans (with their target lesions) and trial matches of the cases: four queries."""
    ids = list(case_ids)
    plans: dict[int, list[PlanEntry]] = defaultdict(list)
    for plan in RadiotherapyPlan.objects.filter(case_id__in=ids).prefetch_related("target_lesions").order_by("pk"):
        plans[plan.case_id].append(
            PlanEntry(
                plan_id=plan.pk,
                name=plan.name,
                regimen_code=plan.regimen_code,
                technique=plan.technique,
                target_refs=tuple(sorted(str(lesion.uuid) for lesion in plan.target_lesions.all())),
                revision=plan.revision,
            )
        )
    trials: dict[int, list[TrialEntry]] = defaultdict(list)
    # Only the columns the options read: a match's ~1.2 KB payload is not needed (issue 16).
    matches = (
        TrialMatch.objects.filter(case_id__in=ids)
        .order_by("trial__identifier")
        .values_list("case_id", "eligibility", "trial__identifier", "trial__short_name", "trial__status")
    )
    for case_id, eligibility, identifier, short_name, status in matches:
        trials[case_id].append(
            TrialEntry(
                identifier=identifier,
                short_name=short_name,
                status=status,
                eligibility=eligibility,
                recruiting=status in RECRUITING_STATUSES,
            )
        )
    return LoadedInputs(
        catalogue=active_catalogue(),
        plans={k: tuple(v) for k, v in plans.items()},
        trials={k: tuple(v) for k, v in trials.items()},
    )


def _stamp(*numbers: int | None) -> str:
    return ":".join(str(n or 0) for n in numbers)


def plans_stamps(case_ids: Iterable[int]) -> dict[int, str]:
    """``count:revision-sum:id-sum`` of each case's plans: any add, delete or edit (which bumps the plan's
    revision, target lesions included) changes it."""
    rows = (
        RadiotherapyPlan.objects.filter(case_id__in=list(case_ids))
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"), revisions=Sum("revision"), ids=Sum("pk"))
    )
    return {row["case_id"]: _stamp(row["n"], row["revisions"], row["ids"]) for row in rows}


def catalogue_stamp() -> str:
    """``count:revision-sum`` of the regimen catalogue: any admin edit bumps a regimen's revision."""
    totals = Regimen.objects.aggregate(n=Count("pk"), revisions=Sum("revision"))
    return _stamp(totals["n"], totals["revisions"])


def _plan_aggregate(expression: Any) -> Subquery:
    return Subquery(
        RadiotherapyPlan.objects.filter(case_id=OuterRef("case_id"))
        .order_by()
        .values("case_id")
        .annotate(value=expression)
        .values("value")[:1],
        output_field=IntegerField(),
    )


def _catalogue_aggregate(expression: Any) -> Subquery:
    return Subquery(
        Regimen.objects.order_by().annotate(whole=Value(1)).values("whole").annotate(value=expression).values("value")[:1],
        output_field=IntegerField(),
    )


def current_options_queryset() -> QuerySet[TreatmentOptionsResult]:
    """Current rows annotated with today's fingerprints of their dependencies (still one query)."""
    zero = Value(0)
    return TreatmentOptionsResult.objects.filter(is_current=True).annotate(
        now_risk_digest=Subquery(
            RiskAssessment.objects.filter(case_id=OuterRef("case_id"), is_current=True).values("inputs_digest")[:1]
        ),
        now_plan_count=Coalesce(_plan_aggregate(Count("pk")), zero),
        now_plan_revisions=Coalesce(_plan_aggregate(Sum("revision")), zero),
        now_plan_ids=Coalesce(_plan_aggregate(Sum("pk")), zero),
        now_catalogue_count=Coalesce(_catalogue_aggregate(Count("pk")), zero),
        now_catalogue_revisions=Coalesce(_catalogue_aggregate(Sum("revision")), zero),
    )


def stale_reasons(row: Any, case: Case) -> list[str]:
    """Why an annotated current row no longer describes the case (empty: it does)."""
    reasons = []
    if row.case_revision < case.revision:
        reasons.append("case changed")
    if row.engine_version != ENGINE_VERSION:
        reasons.append("options engine updated")
    if row.now_risk_digest != row.risk_digest:
        reasons.append("risk assessment changed")
    if _stamp(row.now_plan_count, row.now_plan_revisions, row.now_plan_ids) != row.plans_stamp:
        reasons.append("plans changed")
    if _stamp(row.now_catalogue_count, row.now_catalogue_revisions) != row.catalogue_stamp:
        reasons.append("regimen catalogue changed")
    return reasons


def _lesion_ids(case: Case) -> dict[str, int]:
    return {str(lesion.uuid): lesion.pk for lesion in case.lesions.all()}


#: The parts of the stored payload the section shows as they are.
_PAYLOAD_PARTS = ("case_not_offered", "notes")


#: PostgreSQL: the options array ``$options`` (an expression) with each regimen key replaced by its regimen
#: from the payload's ``regimens`` table (``apps.options.engine.stored``); inline regimens (rows stored
#: before the table) are kept. jsonb's text is canonical, so the answer is the same text as an inline
#: payload's. The payload of the row read is ``"options_treatmentoptionsresult"."payload"``.
_OPTIONS_EXPANDED_SQL = (
    "(SELECT COALESCE(jsonb_agg(o.item || jsonb_build_object('regimens', ("
    "SELECT COALESCE(jsonb_agg(CASE WHEN jsonb_typeof(r.item) = 'string' "
    "THEN \"options_treatmentoptionsresult\".\"payload\" -> 'regimens' -> (r.item #>> '{}') ELSE r.item END "
    "ORDER BY r.n), '[]'::jsonb) "
    "FROM jsonb_array_elements(o.item -> 'regimens') WITH ORDINALITY AS r(item, n))) ORDER BY o.n), '[]'::jsonb) "
    "FROM jsonb_array_elements($options) WITH ORDINALITY AS o(item, n))"
)


def _options_sql(options: str) -> str:
    """``_OPTIONS_EXPANDED_SQL`` for one of this module's constant expressions (never a value)."""
    return _OPTIONS_EXPANDED_SQL.replace("$options", options)


#: PostgreSQL: the payload's ``lesions`` with each entry's lesion id added (``{"lesion": id, **entry}``,
#: the entry's own keys winning as in Python) and its options' regimens expanded, built and encoded by the
#: database. The one parameter is the case id (its lesions' uuids are the entries' ``lesion_ref``).
_LESIONS_WITH_IDS_SQL = (
    "SELECT COALESCE(jsonb_agg(jsonb_build_object('lesion', l.id) || e.item "  # nosec B608 - constant SQL, no value in it
    "|| jsonb_build_object('options', " + _options_sql("e.item -> 'options'") + ") ORDER BY e.n), '[]'::jsonb)::text "
    'FROM jsonb_array_elements("options_treatmentoptionsresult"."payload" -> \'lesions\') WITH ORDINALITY AS e(item, n) '
    "LEFT JOIN cases_lesion l ON l.case_id = %s AND l.uuid::text = e.item ->> 'lesion_ref'"
)
#: PostgreSQL: the payload's case-level options, their regimens expanded.
_CASE_OPTIONS_SQL = "SELECT " + _options_sql('"options_treatmentoptionsresult"."payload" -> \'case\'') + "::text"


def _row_queryset(case_id: int) -> QuerySet[Any]:
    """The current row's status columns and its decoded payload (the pages, the write answers)."""
    return current_options_queryset().filter(case_id=case_id).order_by().values(*_STATUS_COLUMNS, *_FINGERPRINTS, "payload")[:1]


def _raw_row_queryset(case_id: int) -> QuerySet[Any]:
    """The current row's status columns and its payload's parts as text (``<part>_json``), the payload
    itself not loaded. One row is current per case (a unique constraint): no order needed."""
    parts: dict[str, Any] = {f"{part}_json": Cast(KeyTransform(part, "payload"), TextField()) for part in _PAYLOAD_PARTS}
    if connection.vendor == "postgresql":
        parts["lesions_json"] = RawSQL(_LESIONS_WITH_IDS_SQL, [case_id], output_field=TextField())  # noqa: S611  # nosec B611 - a constant statement, the case id bound
        parts["case_json"] = RawSQL(_CASE_OPTIONS_SQL, [], output_field=TextField())  # noqa: S611  # nosec B611 - a constant statement
    else:  # elsewhere the lesion ids are added and the regimens expanded in Python
        parts["lesions_text"] = Cast(KeyTransform("lesions", "payload"), TextField())
        parts["case_text"] = Cast(KeyTransform("case", "payload"), TextField())
        parts["regimens_text"] = Cast(KeyTransform(REGIMENS, "payload"), TextField())
    return (
        current_options_queryset()
        .filter(case_id=case_id)
        .order_by()
        .values(*_STATUS_COLUMNS, *_FINGERPRINTS)
        .annotate(**parts)[:1]
    )


#: What ``stale_reasons`` and the envelope read of the row.
_STATUS_COLUMNS = (
    "case_revision",
    "computed_at",
    "engine_version",
    "risk_digest",
    "plans_stamp",
    "catalogue_stamp",
    "has_urgent",
)
_FINGERPRINTS = (
    "now_risk_digest",
    "now_plan_count",
    "now_plan_revisions",
    "now_plan_ids",
    "now_catalogue_count",
    "now_catalogue_revisions",
)
#: The section's read, compiled once per thread: its six fingerprint subqueries cost more to build and
#: compile than to run (issue 16). The payload's parts as text (the detail API) or the payload decoded.
_RAW_ROW = CompiledRead(_raw_row_queryset)
_ROW = CompiledRead(_row_queryset)


def _options_row(case: Case, *, raw: bool) -> Any:
    found = (_RAW_ROW if raw else _ROW).first(case.pk)
    return None if found is None else SimpleNamespace(**found)


def _with_lesion_ids(entries: list[dict[str, Any]], case: Case) -> list[dict[str, Any]]:
    ids = _lesion_ids(case)
    return [{"lesion": ids.get(item["lesion_ref"]), **item} for item in entries]


def _sqlite_case_part(text: str | None, table: dict[str, Any] | None) -> RawJSON:
    """The case-level options as SQLite's own text of them, regimens expanded: SQLite writes the stored
    text back as it is (Python's ``json.dumps``, minified, ``\\uXXXX`` escapes kept), and so does this, so
    the answer has the same bytes as the text of an inline payload."""
    if text is None:
        return RawJSON("[]")
    if not table:
        return RawJSON(text)
    return RawJSON(json.dumps(expand_options(json.loads(text), table), separators=(",", ":")))


def treatment_options_pending() -> dict[str, Any]:
    """The treatment options section of a case whose options were never computed."""
    return {**pending_section(), "computed_for_revision": None, "engine_version": None, "lesions": [], "case": []}


def treatment_options_section(case: Case, *, raw: bool = False) -> dict[str, Any]:
    """``{status, computed_at, computed_for_revision, engine_version, lesions, case, ...}`` (api-contract.md
    second part, "Case detail"). Each lesion entry carries the lesion's id, its options and its NOMS.
    With ``raw`` the stored parts are served as the database's text (``RawJSON``), never decoded."""
    row: Any = _options_row(case, raw=raw)
    if row is None:
        return treatment_options_pending()
    section = section_envelope(computed_revision=row.case_revision, case=case, computed_at=row.computed_at)
    reasons = stale_reasons(row, case)
    if reasons:
        section["status"] = DerivedStatus.STALE.value
    section["stale_reasons"] = reasons
    section["engine_version"] = row.engine_version
    if raw and hasattr(row, "lesions_json"):
        section["lesions"] = RawJSON(row.lesions_json)
        section["case"] = RawJSON(row.case_json)
    elif raw:
        table = json.loads(row.regimens_text) if row.regimens_text else None
        section["lesions"] = _with_lesion_ids(
            expand_lesions(json.loads(row.lesions_text) if row.lesions_text else [], table), case
        )
        section["case"] = _sqlite_case_part(row.case_text, table)
    else:
        payload = expand(row.payload)
        section["lesions"] = _with_lesion_ids(payload.get("lesions", []), case)
        section["case"] = payload.get("case", [])
    for part in _PAYLOAD_PARTS:
        if raw:
            text = getattr(row, f"{part}_json")
            section[part] = RawJSON("[]" if text is None else text)
        else:
            section[part] = payload.get(part, [])
    section["has_urgent"] = row.has_urgent
    return section


def prognosis_section(case: Case, *, raw: bool = False) -> dict[str, Any]:
    """``{tokuhashi, tomita, spinal, note, ...}`` computed from the case as it is (always current)."""
    data = case_prognosis(case_facts(case)).to_dict()
    data["status"] = DerivedStatus.CURRENT.value
    # Computed on read from the case as last saved: its time is the case's, so two reads agree.
    data["computed_at"] = case.updated_at.isoformat() if case.updated_at else None
    data["computed_for_revision"] = case.revision
    return data


def current_options(case_id: int) -> TreatmentOptionsResult | None:
    return TreatmentOptionsResult.objects.filter(case_id=case_id, is_current=True).first()


def cases_needing_options(*, force: bool = False) -> list[int]:
    """Ids of the cases (in primary-key order) whose stored options need computing: none current, or
    current ones that read stale (another engine version, an older case revision, risk assessment, plans
    or catalogue: ``stale_reasons``); every case with ``force``."""
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    if force:
        return case_ids
    fresh = {row.case_id for row in current_options_queryset().select_related("case") if not stale_reasons(row, row.case)}
    return [pk for pk in case_ids if pk not in fresh]


def cases_with_stored_options() -> list[int]:
    """Ids of the cases that have current stored options (what a catalogue edit makes stale)."""
    return list(TreatmentOptionsResult.objects.filter(is_current=True).order_by("case_id").values_list("case_id", flat=True))


def cases_with_options_left_behind(changed_before: datetime, limit: int) -> list[int]:
    """The sweep's finder (``apps.core.stale``): cases changed before ``changed_before`` that still have
    no current options of their revision. (Options made stale by a plan, a risk or a catalogue change are
    renewed by their own work and by ``recompute_options``; here only the case revision counts.)"""
    up_to_date = TreatmentOptionsResult.objects.filter(
        case_id=OuterRef("pk"), is_current=True, case_revision__gte=OuterRef("revision")
    )
    stale = Case.objects.filter(updated_at__lt=changed_before).exclude(Exists(up_to_date)).order_by("pk")
    return list(stale.values_list("pk", flat=True)[:limit])
