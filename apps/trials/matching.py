"""Trial matching: the stored ``TrialMatch`` rows of each case against the current registry.

Idempotent: one ``TrialMatch`` row per case and trial, rewritten only when its inputs changed. Called by
the tasks (after a case change, and in chunks after a registry edit); split from the registry edits and
the referrals (issue 10). ``apps.trials.services`` re-exports these names.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.cases import selectors as case_selectors
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.trials.engine import ENGINE_VERSION
from apps.trials.models import (
    TrialMatch,
)
from apps.trials.selectors import current_trials

#: Open cases re-matched per Celery task after a registry edit.
REMATCH_CHUNK_SIZE = 200

#: Matches per INSERT ... ON CONFLICT statement (a chunk against every trial is 10,000 rows).
_MATCH_UPSERT_BATCH = 1_000

_MATCH_UPDATE_FIELDS: tuple[str, ...] = (
    "trial_version",
    "eligibility",
    "payload",
    "case_revision",
    "engine_version",
    "computed_at",
)


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
    overwritten by one computed for an older revision), the cases and their lesions are read in bulk, the
    stored matches in one query, and the changed ones are written by one upsert. Idempotent: a match whose
    trial version, case revision, engine version and result are unchanged is not rewritten. Returns the
    number of rows inserted or updated; cases deleted meanwhile are skipped.
    """
    with transaction.atomic():
        locked = case_selectors.lock_cases(case_ids)
        if not locked:
            return 0
        cases = case_selectors.cases_for_engines(locked)
        trials = current_trials(trial_ids)
        # Only the columns the comparison needs, as tuples: no model instances for rows left unchanged.
        existing: dict[tuple[int, int], tuple[int, int, str, Any]] = {
            (case_id, trial_id): (version_id, revision, engine, payload)
            for case_id, trial_id, version_id, revision, engine, payload in TrialMatch.objects.filter(
                case_id__in=locked, trial_id__in=[t.trial.pk for t in trials]
            ).values_list("case_id", "trial_id", "trial_version_id", "case_revision", "engine_version", "payload")
        }
        now = timezone.now()
        rows: list[TrialMatch] = []
        for case in cases:
            facts = case_selectors.case_facts(case)
            for row in trials:
                payload = row.compiled.match(facts).to_dict()
                if existing.get((case.pk, row.trial.pk)) == (row.version.pk, case.revision, ENGINE_VERSION, payload):
                    continue
                rows.append(
                    TrialMatch(
                        case_id=case.pk,
                        trial_id=row.trial.pk,
                        trial_version_id=row.version.pk,
                        eligibility=payload["eligibility"],
                        payload=payload,
                        case_revision=case.revision,
                        engine_version=ENGINE_VERSION,
                        computed_at=now,
                    )
                )
        if rows:
            TrialMatch.objects.bulk_create(
                rows,
                batch_size=_MATCH_UPSERT_BATCH,
                update_conflicts=True,
                unique_fields=("case", "trial"),
                update_fields=_MATCH_UPDATE_FIELDS,
            )
        return len(rows)
