"""Reads of the trial registry and of stored matches; compiled current versions are cached per version."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case as SqlCase
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.authorization import restrict
from apps.accounts.models import User
from apps.cases.derived import DerivedStatus, pending_section, section_envelope
from apps.cases.facts import CaseFacts
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.core.compiled import CompiledRead
from apps.core.models import Job
from apps.core.rawjson import RawJSON
from apps.trials.engine import ENGINE_VERSION, CompiledTrial, compile_trial, is_recruiting, recruitment_note, status_rank
from apps.trials.models import MatchFlag, Trial, TrialMatch, TrialVersion

#: (TrialVersion pk, criteria digest) -> compiled trial. Versions are immutable, so entries never go stale.
_COMPILED: dict[tuple[int, str], CompiledTrial] = {}
_COMPILED_MAX = 4096


@dataclass(frozen=True, slots=True)
class CurrentTrial:
    trial: Trial
    version: TrialVersion
    compiled: CompiledTrial


def compiled_version(version: TrialVersion) -> CompiledTrial:
    return _compiled(version.pk, version.criteria_digest, lambda: version.definition)


def _compiled(pk: int, digest: str, definition: Callable[[], dict[str, Any]]) -> CompiledTrial:
    key = (pk, digest)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        # Stored definitions were validated when written.
        compiled = _COMPILED[key] = compile_trial(definition(), validate=False)
    return compiled


def current_versions(trial_ids: Iterable[int] | None = None) -> QuerySet[TrialVersion]:
    qs = TrialVersion.objects.filter(version=F("trial__current_version")).select_related("trial")
    if trial_ids is not None:
        qs = qs.filter(trial_id__in=list(trial_ids))
    return qs


def current_trials(trial_ids: Iterable[int] | None = None) -> list[CurrentTrial]:
    """Every trial (or those given) with its current version compiled, recruiting ones first (one query)."""
    rows = [CurrentTrial(v.trial, v, compiled_version(v)) for v in current_versions(trial_ids)]
    rows.sort(key=lambda row: (status_rank(row.trial.status), row.trial.identifier))
    return rows


def trial_list() -> QuerySet[Trial]:
    return Trial.objects.order_by("identifier")


def match_flag_list(user: User | AnonymousUser | None, *, resolved: bool | None = None) -> QuerySet[MatchFlag]:
    """Match flags on the boards the user sees, newest first, with everything the listing shows (one query);
    ``resolved`` keeps only resolved (True) or open (False) flags."""
    flags = MatchFlag.objects.select_related("match__trial", "trial_version", "created_by", "resolved_by")
    if resolved is not None:
        flags = flags.filter(resolved=resolved)
    return restrict(flags, user, "match__case__board_id")


def recruitment(status: str) -> dict[str, Any]:
    """``recruiting`` (bool, null when the status is unknown) and ``recruitment_note`` for every view of a
    trial: a trial that is not recruiting is still matched, and says so wherever it is shown (issue 9)."""
    return {"recruiting": is_recruiting(status), "recruitment_note": recruitment_note(status)}


def trial_summary(trial: Trial) -> dict[str, Any]:
    return {
        "identifier": trial.identifier,
        "short_name": trial.short_name,
        "title": trial.title,
        "phase": trial.phase,
        "status": trial.status,
        **recruitment(trial.status),
        "version": trial.current_version,
    }


def match_status(match: TrialMatch | None, *, case: Case, trial: Trial) -> DerivedStatus:
    """``pending`` without a stored match; ``stale`` when the case, the trial's version or the matcher's
    rules (``ENGINE_VERSION``) changed since it was stored; else ``current``."""
    if match is None:
        return DerivedStatus.PENDING
    if (
        match.case_revision >= case.revision
        and match.trial_version.version == trial.current_version
        and match.engine_version == ENGINE_VERSION
    ):
        return DerivedStatus.CURRENT
    return DerivedStatus.STALE


@dataclass(frozen=True, slots=True)
class TrialRow:
    """One registry trial as the case's listing reads it, with the case's stored match if there is one
    (one query for every trial: :func:`case_trial_rows`). ``version_id``/``criteria_digest`` are the
    trial's current version (None when that version row is missing); the ``match_*`` fields are the
    stored match's (None without one), ``match_version`` the number of the version it was computed for."""

    trial_id: int
    identifier: str
    short_name: str
    title: str
    phase: str | None
    status: str
    current_version: int
    version_id: int | None
    criteria_digest: str | None
    match_eligibility: str | None
    match_payload: dict[str, Any] | None
    match_case_revision: int | None
    match_engine_version: str | None
    match_computed_at: datetime | None
    match_version: int | None
    #: The current version's definition, read only while this process has not compiled that version.
    definition: dict[str, Any] | None

    @property
    def has_match(self) -> bool:
        return self.match_case_revision is not None

    def match_status(self, case_revision: int) -> DerivedStatus:
        """As :func:`match_status`, from the row's columns."""
        if not self.has_match:
            return DerivedStatus.PENDING
        if (
            self.match_case_revision is not None
            and self.match_case_revision >= case_revision
            and self.match_version == self.current_version
            and self.match_engine_version == ENGINE_VERSION
        ):
            return DerivedStatus.CURRENT
        return DerivedStatus.STALE


_TRIAL_ROW_COLUMNS = (
    "pk",
    "identifier",
    "short_name",
    "title",
    "phase",
    "status",
    "current_version",
    "current__id",
    "current__criteria_digest",
    "stored__eligibility",
    "stored__payload",
    "stored__case_revision",
    "stored__engine_version",
    "stored__computed_at",
    "stored__trial_version__version",
)


def case_trial_rows(case_id: int) -> list[TrialRow]:
    """Every registry trial with its current version's key and digest and the case's stored match, if any
    (one query, recruiting trials first). No version's definition is read: a stored match is served as
    stored, and a trial matched on the spot is compiled from :func:`compiled_version`'s cache."""
    # A version this process has compiled is never read again (versions are immutable); the others'
    # definitions come in the same query, once per process and version.
    compiled_ids = sorted({pk for pk, _digest in _COMPILED})
    definition: Any = F("current__definition")
    if compiled_ids:
        definition = SqlCase(
            When(current__id__in=compiled_ids, then=Value(None)),  # SQL NULL (not JSON null)
            default=definition,
            output_field=JSONField(),
        )
    rows = (
        Trial.objects.order_by()
        .annotate(
            current=FilteredRelation("versions", condition=Q(versions__version=F("current_version"))),
            stored=FilteredRelation("matches", condition=Q(matches__case_id=case_id)),
            current_definition=definition,
        )
        .values_list(*_TRIAL_ROW_COLUMNS, "current_definition")
    )
    out = [TrialRow(*row) for row in rows]
    out.sort(key=lambda row: (status_rank(row.status), row.identifier))
    for row in out:
        if row.definition is not None and row.version_id is not None and row.criteria_digest is not None:
            _compiled(row.version_id, row.criteria_digest, lambda d=row.definition: d)  # type: ignore[misc]
    return out


def _compiled_for(rows: Iterable[TrialRow]) -> dict[int, CompiledTrial]:
    """The compiled current versions of ``rows`` (by version pk): from the cache (filled by
    :func:`case_trial_rows`), else read (a cache cleared in between: one query for all of them)."""
    out: dict[int, CompiledTrial] = {}
    missing: list[int] = []
    for row in rows:
        assert row.version_id is not None and row.criteria_digest is not None
        compiled = _COMPILED.get((row.version_id, row.criteria_digest))
        if compiled is None:
            missing.append(row.version_id)
        else:
            out[row.version_id] = compiled
    if missing:
        for version in TrialVersion.objects.filter(pk__in=missing).only("pk", "definition", "criteria_digest"):
            out[version.pk] = compiled_version(version)
    return out


def case_trial_matches(*, case_id: int, case_revision: int, facts: Callable[[], CaseFacts]) -> list[dict[str, Any]]:
    """Every registry trial for one case, recruiting first.

    A stored match that is current is shown as stored; otherwise the trial is matched on the spot against
    the case as it is (the listing always names every trial), and ``status`` says what the store holds
    (``pending``: nothing yet; ``stale``: an older case revision or trial version; a recomputation is queued
    on every change). ``facts`` is called only then (loading the case's facts costs three queries).

    One query when every stored match is current (:func:`case_trial_rows`): the stored payload is served,
    no version's definition is read and nothing is matched (issue 16).
    """
    return trial_matches_listing(case_trial_rows(case_id), case_revision=case_revision, facts=facts)


def trial_matches_listing(rows: list[TrialRow], *, case_revision: int, facts: Callable[[], CaseFacts]) -> list[dict[str, Any]]:
    """:func:`case_trial_matches` from rows already read (the case page reads them once for the listing and
    for the section: :func:`trial_matches_section_from_rows`)."""
    listed = [row for row in rows if row.version_id is not None]  # a trial without its version row: not listed
    statuses = [row.match_status(case_revision) for row in listed]
    to_match = [row for row, status in zip(listed, statuses, strict=True) if status is not DerivedStatus.CURRENT]
    compiled = _compiled_for(to_match) if to_match else {}
    case_facts = facts() if to_match else None
    out: list[dict[str, Any]] = []
    now = timezone.now()
    for row, status in zip(listed, statuses, strict=True):
        if status is DerivedStatus.CURRENT:
            assert row.match_payload is not None and row.match_computed_at is not None
            payload, computed_at = row.match_payload, row.match_computed_at
        else:
            assert row.version_id is not None and case_facts is not None
            payload, computed_at = compiled[row.version_id].match(case_facts).to_dict(), now
        out.append(
            {
                "trial": {
                    "identifier": row.identifier,
                    "short_name": row.short_name,
                    "title": row.title,
                    "phase": row.phase,
                    "status": row.status,
                    **recruitment(row.status),
                    "version": row.current_version,
                },
                "eligibility": payload["eligibility"],
                "criteria": payload["criteria"],
                "missing_fields": payload["missing_fields"],
                "computed_at": computed_at.isoformat(),
                "status": status.value,
            }
        )
    return out


def trial_matches_pending() -> dict[str, Any]:
    """The trial matches section of a case never matched."""
    return {**pending_section(), "computed_for_revision": None, "matches": []}


def trial_matches_section_from_rows(rows: list[TrialRow], case: Case) -> dict[str, Any]:
    """:func:`trial_matches_section` (decoded values) from rows already read by :func:`case_trial_rows`:
    the case page shows the section and the listing from one read."""
    stored = [row for row in rows if row.has_match]
    if not stored:
        return trial_matches_pending()
    envelope = section_envelope(
        computed_revision=min(row.match_case_revision for row in stored if row.match_case_revision is not None),
        case=case,
        computed_at=max(row.match_computed_at for row in stored if row.match_computed_at is not None),
    )
    outdated = len(stored) < len(rows) or any(row.match_status(case.revision) is not DerivedStatus.CURRENT for row in stored)
    if outdated and envelope["status"] == DerivedStatus.CURRENT.value:
        envelope["status"] = DerivedStatus.STALE.value
    envelope["matches"] = [
        {
            "trial": {
                "identifier": row.identifier,
                "short_name": row.short_name,
                "status": row.status,
                **recruitment(row.status),
                "version": row.match_version,
            },
            "eligibility": row.match_eligibility,
            "missing_fields": (row.match_payload or {}).get("missing_fields", []),
            "computed_at": row.match_computed_at.isoformat() if row.match_computed_at else None,
        }
        for row in stored
    ]
    return envelope


def _missing_fields(text: str | None, *, raw: bool) -> Any:
    if text is None:  # a payload without the key
        return RawJSON("[]") if raw else []
    return RawJSON(text) if raw else json.loads(text)


_TRIAL_COUNT = Trial.objects.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")


#: The section's columns of every stored match of a case, built once per process (``filter`` per request):
#: no model instances, and the registry's size in the same query.
_SECTION_COLUMNS = (
    "trial__identifier",
    "trial__short_name",
    "trial__status",
    "trial__current_version",
    "trial_version__version",
    "eligibility",
    "missing_json",
    "computed_at",
    "case_revision",
    "engine_version",
    "trial_count",
)
_SECTION_ROWS = (
    TrialMatch.objects.order_by()
    .annotate(
        missing_json=Cast(KeyTransform("missing_fields", "payload"), TextField()),
        # The registry's size (an uncorrelated subquery, evaluated once): one query, not two (issue 16).
        trial_count=Subquery(_TRIAL_COUNT),
    )
    .values_list(*_SECTION_COLUMNS, named=True)
)
#: The detail's read of them, compiled once per thread (issue 16).
_SECTION_READ = CompiledRead(lambda case_id: _SECTION_ROWS.filter(case_id=case_id))


def trial_matches_section(case: Case, *, raw: bool = False) -> dict[str, Any]:
    """The ``trial_matches`` section of the case detail: envelope plus one line per stored match.

    Only ``missing_fields`` of each stored payload is shown: it is read as text on its own (the rest of
    the ~1.2 KB payload, the version's definition and the trial's long texts are not loaded), and with
    ``raw`` served as that text (``RawJSON``). One query (issue 16: the registry's size was a second)."""
    matches = [SimpleNamespace(**row) for row in _SECTION_READ.rows(case.pk)]
    if not matches:
        return trial_matches_pending()
    envelope = section_envelope(
        computed_revision=min(m.case_revision for m in matches),
        case=case,
        computed_at=max(m.computed_at for m in matches),
    )
    # As ``match_status``: current when computed for this case revision, the trial's current version and
    # this matcher.
    outdated = len(matches) < matches[0].trial_count or any(
        not (
            m.case_revision >= case.revision
            and m.trial_version__version == m.trial__current_version
            and m.engine_version == ENGINE_VERSION
        )
        for m in matches
    )
    if outdated and envelope["status"] == DerivedStatus.CURRENT.value:
        envelope["status"] = DerivedStatus.STALE.value
    matches.sort(key=lambda m: (status_rank(m.trial__status), m.trial__identifier))
    envelope["matches"] = [
        {
            "trial": {
                "identifier": m.trial__identifier,
                "short_name": m.trial__short_name,
                "status": m.trial__status,
                **recruitment(m.trial__status),
                "version": m.trial_version__version,
            },
            "eligibility": m.eligibility,
            "missing_fields": _missing_fields(m.missing_json, raw=raw),
            "computed_at": m.computed_at.isoformat(),
        }
        for m in matches
    ]
    return envelope


def rematch_job_list(*, trial_identifier: str | None = None, status: str | None = None) -> QuerySet[Job]:
    """Re-match jobs, newest first, with their author (one query); registry-wide, not per board."""
    rows = Job.objects.filter(kind=Job.Kind.TRIAL_REMATCH).select_related("created_by").order_by("-created_at", "-id")
    if trial_identifier:
        rows = rows.filter(params__trial=trial_identifier)
    if status:
        rows = rows.filter(status=status)
    return rows


def cases_with_matches_left_behind(changed_before: datetime, limit: int) -> list[int]:
    """The sweep's finder (``apps.core.stale``): open cases changed before ``changed_before`` with no
    match yet (while the registry has trials), or a match computed for an older case revision. (Matches
    of an older trial version are the re-match job's, which the job sweep revives.)"""
    if not Trial.objects.exists():
        return []
    older = TrialMatch.objects.filter(case_id=OuterRef("pk"), case_revision__lt=OuterRef("revision"))
    any_match = TrialMatch.objects.filter(case_id=OuterRef("pk"))
    stale = (
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(updated_at__lt=changed_before)
        .filter(Exists(older) | ~Exists(any_match))
        .order_by("pk")
    )
    return list(stale.values_list("pk", flat=True)[:limit])
