"""Trial matching: the stored ``TrialMatch`` rows of each case against the current registry.

Idempotent: one ``TrialMatch`` row per case and trial, rewritten only when its inputs digest changed. Called by
the tasks (after a case change, and in chunks after a registry edit); split from the registry edits and
the referrals (issue 10). ``apps.trials.services`` re-exports these names.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import F, PositiveIntegerField, Value, When
from django.utils import timezone

from apps.cases import selectors as case_selectors
from apps.cases import services as case_services
from apps.cases.facts import CaseFacts
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.core.bulk import copy_new_rows, copy_upsert
from apps.trials.engine import ENGINE_VERSION
from apps.trials.engine.digest import case_facts_digest, match_inputs_digest
from apps.trials.models import (
    TrialMatch,
)
from apps.trials.selectors import CurrentTrial, current_trials

#: Open cases re-matched per Celery task after a registry edit.
REMATCH_CHUNK_SIZE = 200

#: Matches per INSERT ... ON CONFLICT statement (a chunk against every trial is 10,000 rows).
_MATCH_UPSERT_BATCH = 1_000

_MATCH_UPDATE_FIELDS: tuple[str, ...] = (
    "trial_version_id",
    "eligibility",
    "payload",
    "inputs_digest",
    "case_revision",
    "engine_version",
    "computed_at",
)


#: The columns of a written match, in the order of ``_match``'s row tuples.
_MATCH_FIELDS: tuple[str, ...] = ("case_id", "trial_id", *_MATCH_UPDATE_FIELDS)


def _upsert(rows: list[tuple[object, ...]], new_rows: list[tuple[object, ...]]) -> None:
    """Update the stored matches ``rows`` and insert the matches ``new_rows``, one row per case and trial.

    On PostgreSQL through ``COPY`` (``apps.core.bulk``): Django's ``UNNEST`` upsert escaped every quote of
    the 1.2 KB payloads in Python, a third of a recompute chunk's CPU (issue 16). ``rows`` go through a
    staging table and one ``INSERT ... ON CONFLICT``; ``new_rows``, pairs the caller read no stored match
    of while holding the case row locks every match writer takes first, are copied into the table
    directly. Elsewhere (SQLite) one ``bulk_create`` upsert.
    """
    if connection.vendor == "postgresql":
        if rows:
            copy_upsert(TrialMatch, _MATCH_FIELDS, rows, unique_fields=("case", "trial"), update_fields=_MATCH_UPDATE_FIELDS)
        if new_rows:
            copy_new_rows(TrialMatch, _MATCH_FIELDS, new_rows)
        return
    TrialMatch.objects.bulk_create(
        [TrialMatch(**dict(zip(_MATCH_FIELDS, row, strict=True))) for row in [*rows, *new_rows]],
        batch_size=_MATCH_UPSERT_BATCH,
        update_conflicts=True,
        unique_fields=("case", "trial"),
        update_fields=_MATCH_UPDATE_FIELDS,
    )


def open_case_ids() -> list[int]:
    """Ids of every case that is not closed, in primary-key order."""
    return list(Case.objects.exclude(status=CaseStatus.CLOSED).order_by("pk").values_list("pk", flat=True))


def open_case_id_chunks(chunk_size: int = REMATCH_CHUNK_SIZE) -> Iterator[list[int]]:
    """Ids of every case that is not closed, in chunks (keyset pagination on the primary key)."""
    last = 0
    while True:
        ids = list(
            Case.objects.exclude(status=CaseStatus.CLOSED)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def case_match_trials(case_id: int, *, trial_ids: Collection[int] | None = None) -> int:
    """Match one case against the current version of every trial (or of ``trial_ids``); idempotent.

    The case row is locked while matching, so a match never overwrites a newer one computed for a later
    revision. Returns the number of rows inserted or updated (0 when nothing changed or the case is gone).
    """
    return cases_match_trials([case_id], trial_ids=trial_ids)


def cases_match_trials(case_ids: Collection[int], *, trial_ids: Collection[int] | None = None) -> int:
    """Match many cases (a re-match chunk) against the current version of every trial (or of ``trial_ids``).

    One transaction with a constant number of queries whatever the chunk size: the case rows are locked in
    primary-key order (so two chunks, or a chunk and a case edit, cannot deadlock, and a match is never
    overwritten by one computed for an older revision), the stored digests are read in one query, the
    changed pairs written by one upsert. Idempotent: a pair whose inputs digest (case facts, trial version,
    matcher version) is unchanged is neither evaluated nor rewritten; only its case revision moves forward.

    The facts digest of a case comes from its row (``Case.facts_digest``) while that is valid: a case whose
    every pair's stored digest equals the one built from it is settled without loading its lesions, prior
    courses and patient or building its facts (issue 16: a re-match where nothing changed reads one narrow
    row per case and the stored digests). The other cases are loaded in bulk, their digests computed from
    their facts, evaluated where changed, and their facts digests recorded for the next re-match.
    Returns the number of rows inserted or updated; cases deleted meanwhile are skipped.
    """
    with transaction.atomic():
        locked = case_selectors.lock_cases_with_facts_digests(case_ids)
        if not locked:
            return 0
        trials = current_trials(trial_ids)
        existing = _stored_digests(list(locked), trials)
        settled: list[_Entry] = []
        to_load: list[int] = []
        for pk, (revision, digest) in locked.items():
            if digest and all(existing.get((pk, row.trial.pk), (0, ""))[1] == _pair_digest(digest, row) for row in trials):
                settled.append(_Entry(pk, revision, digest, None))
            else:
                to_load.append(pk)
        loaded = case_selectors.engine_cases(to_load) if to_load else []
        entries = _entries(loaded)
        written = _match(trials, existing, [*settled, *entries])
        if loaded:
            _record_facts_digests(loaded, entries)
        return written


@dataclass(frozen=True, slots=True)
class _Entry:
    """A case to match: its id, revision, facts digest and facts (None for a case settled by its stored
    facts digest: every pair's digest is unchanged, so nothing of it is evaluated)."""

    pk: int
    revision: int
    facts_digest: str
    facts: CaseFacts | None


def _pair_digest(facts_digest: str, trial: CurrentTrial) -> str:
    return match_inputs_digest(facts_digest, trial.version.criteria_digest, trial.version.pk)


def _entries(cases: Sequence[tuple[Case, CaseFacts]]) -> list[_Entry]:
    return [_Entry(case.pk, case.revision, case_facts_digest(facts), facts) for case, facts in cases]


def _record_facts_digests(cases: Sequence[tuple[Case, CaseFacts]], entries: Sequence[_Entry]) -> None:
    """Record the digests ``_entries`` built from these cases (built once: it is a pass over every fact)."""
    case_services.case_facts_digests_record((case, entry.facts_digest) for (case, _), entry in zip(cases, entries, strict=True))


def _stored_digests(case_ids: list[int], trials: Sequence[CurrentTrial]) -> dict[tuple[int, int], tuple[int, str]]:
    """``{(case, trial): (case revision, inputs digest)}`` of the stored matches; no payload read back."""
    return {
        # A row of another matcher version is recomputed whatever its digest says.
        (case_id, trial_id): (revision, digest if engine == ENGINE_VERSION else "")
        for case_id, trial_id, revision, digest, engine in TrialMatch.objects.filter(
            case_id__in=case_ids, trial_id__in=[t.trial.pk for t in trials]
        ).values_list("case_id", "trial_id", "case_revision", "inputs_digest", "engine_version")
    }


def match_loaded_cases(cases: Sequence[tuple[Case, CaseFacts]], *, trial_ids: Collection[int] | None = None) -> int:
    """``cases_match_trials`` for cases the caller has locked and loaded in its transaction (the options
    chunk reads them once for the risk, the trial matches and the options); records their facts digests."""
    trials = current_trials(trial_ids)
    entries = _entries(cases)
    written = _match(trials, _stored_digests([case.pk for case, _ in cases], trials), entries)
    _record_facts_digests(cases, entries)
    return written


def _match(trials: Sequence[CurrentTrial], existing: dict[tuple[int, int], tuple[int, str]], entries: Sequence[_Entry]) -> int:
    """Evaluate and upsert the pairs whose inputs digest changed; move the others' revision forward."""
    now = timezone.now()
    rows: list[tuple[object, ...]] = []  # changed matches, in the order of _MATCH_FIELDS: no instance built
    new_rows: list[tuple[object, ...]] = []  # pairs with no stored match (the cases are locked)
    moved: dict[int, int] = {}  # case id -> revision, for matches whose inputs are the same
    for entry in entries:
        for row in trials:
            digest = _pair_digest(entry.facts_digest, row)
            stored = existing.get((entry.pk, row.trial.pk))
            if stored is not None and stored[1] == digest:
                if stored[0] < entry.revision:
                    moved[entry.pk] = entry.revision  # same facts at a later revision: the match is current
                continue
            if entry.facts is None:  # cannot happen: a settled case has every pair's digest unchanged
                raise AssertionError(f"case {entry.pk} was settled by its facts digest but a pair changed")
            payload = row.compiled.match(entry.facts).to_dict()
            (new_rows if stored is None else rows).append(
                (
                    entry.pk,
                    row.trial.pk,
                    row.version.pk,
                    payload["eligibility"],
                    payload,
                    digest,
                    entry.revision,
                    ENGINE_VERSION,
                    now,
                )
            )
    if rows or new_rows:
        _upsert(rows, new_rows)
    forwarded = 0
    if moved:
        # One UPDATE for every case whose facts came back unchanged at a later revision (rows just
        # rewritten already carry that revision, so including them changes nothing).
        rewritten = {(r[0], r[1]) for r in rows}
        forwarded = sum(1 for pair in existing if pair[0] in moved and pair not in rewritten)
        TrialMatch.objects.filter(case_id__in=list(moved), trial_id__in=[t.trial.pk for t in trials]).update(
            case_revision=DbCase(
                *(When(case_id=pk, then=Value(rev)) for pk, rev in moved.items()),
                default=F("case_revision"),
                output_field=PositiveIntegerField(),
            )
        )
    return len(rows) + len(new_rows) + forwarded
