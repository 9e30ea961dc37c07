"""Reads of the trial registry and of stored matches; compiled current versions are cached per version."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, QuerySet, TextField
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.authorization import restrict
from apps.accounts.models import User
from apps.cases.derived import DerivedStatus, pending_section, section_envelope
from apps.cases.facts import CaseFacts
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
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
    key = (version.pk, version.criteria_digest)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        # Stored definitions were validated when written.
        compiled = _COMPILED[key] = compile_trial(version.definition, validate=False)
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


def case_trial_matches(case: Case, facts: CaseFacts) -> list[dict[str, Any]]:
    """Every registry trial for one case, recruiting first.

    A stored match that is current is shown as stored; otherwise the trial is matched on the spot against
    the case as it is (the listing always names every trial), and ``status`` says what the store holds
    (``pending``: nothing yet; ``stale``: an older case revision or trial version; a recomputation is queued
    on every change).
    """
    stored = {m.trial_id: m for m in TrialMatch.objects.filter(case=case).select_related("trial_version")}
    out: list[dict[str, Any]] = []
    now = timezone.now()
    for row in current_trials():
        match = stored.get(row.trial.pk)
        status = match_status(match, case=case, trial=row.trial)
        if match is not None and status is DerivedStatus.CURRENT:
            payload, computed_at = match.payload, match.computed_at
        else:
            payload, computed_at = row.compiled.match(facts).to_dict(), now
        out.append(
            {
                "trial": trial_summary(row.trial),
                "eligibility": payload["eligibility"],
                "criteria": payload["criteria"],
                "missing_fields": payload["missing_fields"],
                "computed_at": computed_at.isoformat(),
                "status": status.value,
            }
        )
    return out


def _missing_fields(text: str | None, *, raw: bool) -> Any:
    if text is None:  # a payload without the key
        return RawJSON("[]") if raw else []
    return RawJSON(text) if raw else json.loads(text)


def trial_matches_section(case: Case, *, raw: bool = False) -> dict[str, Any]:
    """The ``trial_matches`` section of the case detail: envelope plus one line per stored match.

    Only ``missing_fields`` of each stored payload is shown: it is read as text on its own (the rest of
    the ~1.2 KB payload, the version's definition and the trial's long texts are not loaded), and with
    ``raw`` served as that text (``RawJSON``)."""
    matches = list(
        TrialMatch.objects.filter(case_id=case.pk)
        .select_related("trial", "trial_version")
        .defer("payload", "trial_version__definition", "trial__title", "trial__summary")
        .annotate(missing_json=Cast(KeyTransform("missing_fields", "payload"), TextField()))
    )
    if not matches:
        return {**pending_section(), "computed_for_revision": None, "matches": []}
    trial_count = Trial.objects.count()
    envelope = section_envelope(
        computed_revision=min(m.case_revision for m in matches),
        case=case,
        computed_at=max(m.computed_at for m in matches),
    )
    outdated = len(matches) < trial_count or any(
        match_status(m, case=case, trial=m.trial) is not DerivedStatus.CURRENT for m in matches
    )
    if outdated and envelope["status"] == DerivedStatus.CURRENT.value:
        envelope["status"] = DerivedStatus.STALE.value
    matches.sort(key=lambda m: (status_rank(m.trial.status), m.trial.identifier))
    envelope["matches"] = [
        {
            "trial": {
                "identifier": m.trial.identifier,
                "short_name": m.trial.short_name,
                "status": m.trial.status,
                **recruitment(m.trial.status),
                "version": m.trial_version.version,
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
