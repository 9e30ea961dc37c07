"""The only code that writes stored treatment options.

A case is computed under a lock on its row, from the case as it is when the lock is taken, so two tasks for
the same case run one after the other and the later one always reads the newer revision. The options read
the stored risk assessment and trial matches of that revision: under the same lock this service first
brings them up to date through their own services (both idempotent: unchanged inputs write nothing), so
the options never describe older scores than the ``risk`` section shows, whatever order the workers run
the tasks queued by one case change in.

Results are keyed by the digest of their inputs (engine version included): the same inputs reuse their row
(made current again, its revision moved forward, never back); new inputs create a row, audited, and every
other row of the case stops being current.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.events import AuditEvent
from apps.audit.services import audit_appended_last, audit_engine_results
from apps.cases.facts import CaseFacts
from apps.cases.models import Case
from apps.cases.selectors import engine_cases, lock_cases
from apps.core.bulk import bulk_insert
from apps.options.engine import CaseOptions, OptionInputs, options_inputs_digest, risk_from_payload, treatment_options
from apps.options.engine.digest import catalogue_fingerprint
from apps.options.models import TreatmentOptionsResult
from apps.options.selectors import catalogue_stamp, load_option_inputs, plans_stamps
from apps.risk.services import risk_assess_loaded_cases
from apps.trials.matching import match_loaded_cases


@dataclass(frozen=True)
class _Computed:
    case: Case
    digest: str
    risk_digest: str
    plans_stamp: str
    facts: CaseFacts
    inputs: OptionInputs

    @cached_property
    def options(self) -> CaseOptions:
        """Run only for a case whose inputs digest is not stored: an unchanged case evaluates nothing."""
        return treatment_options(self.facts, self.inputs)


def _has_urgent(options: CaseOptions) -> bool:
    return any(option.urgent for item in options.lesions for option in item.options) or any(o.urgent for o in options.case)


def _new_row(item: _Computed, catalogue: str, now: datetime) -> TreatmentOptionsResult:
    return TreatmentOptionsResult(
        case_id=item.case.pk,
        inputs_digest=item.digest,
        engine_version=item.options.engine_version,
        case_revision=item.case.revision,
        risk_digest=item.risk_digest,
        plans_stamp=item.plans_stamp,
        catalogue_stamp=catalogue,
        payload=item.options.stored_dict(),
        has_urgent=_has_urgent(item.options),
        computed_at=now,
        is_current=True,
    )


def _compute_locked(case_ids: Iterable[int]) -> dict[int, TreatmentOptionsResult]:
    """Compute the given cases; must run inside a transaction. Returns the current row of each case that
    still exists, keyed by case id. The risk's and the options' audit entries are appended last, so the
    chain head is not locked while the chunk matches and evaluates."""
    with audit_appended_last():
        return _compute_locked_cases(case_ids)


def _compute_locked_cases(case_ids: Iterable[int]) -> dict[int, TreatmentOptionsResult]:
    locked = lock_cases(case_ids)
    if not locked:
        return {}
    # The inputs first, for exactly these revisions (no-ops when their tasks already ran), from the cases
    # loaded once for all three.
    cases = engine_cases(locked)
    risk_rows = risk_assess_loaded_cases(cases)
    match_loaded_cases(cases)
    loaded = load_option_inputs([case.pk for case, _ in cases])
    stamps = plans_stamps([case.pk for case, _ in cases])
    catalogue = catalogue_stamp()
    catalogue_print = catalogue_fingerprint(loaded.catalogue)  # the same for every case of the chunk
    computed: dict[int, _Computed] = {}
    for case, facts in cases:
        risk_row = risk_rows[case.pk]
        inputs = OptionInputs(
            risk=risk_from_payload(risk_row.payload),
            catalogue=loaded.catalogue,
            plans=loaded.plans.get(case.pk, ()),
            trials=loaded.trials.get(case.pk, ()),
        )
        computed[case.pk] = _Computed(
            case=case,
            digest=options_inputs_digest(facts, inputs, catalogue=catalogue_print),
            risk_digest=risk_row.inputs_digest,
            plans_stamp=stamps.get(case.pk, plans_stamps_empty()),
            facts=facts,
            inputs=inputs,
        )

    current: dict[int, TreatmentOptionsResult] = {}
    matching: dict[int, TreatmentOptionsResult] = {}
    digests = {c.digest for c in computed.values()}
    for row in TreatmentOptionsResult.objects.filter(case_id__in=computed).filter(
        Q(is_current=True) | Q(inputs_digest__in=digests)
    ):
        if row.is_current:
            current[row.case_id] = row
        if row.inputs_digest == computed[row.case_id].digest:
            matching[row.case_id] = row

    now = timezone.now()
    result: dict[int, TreatmentOptionsResult] = {}
    demote: list[int] = []
    touched: list[TreatmentOptionsResult] = []
    created: list[tuple[TreatmentOptionsResult, _Computed]] = []
    for case_id, item in computed.items():
        revision = item.case.revision
        old = current.get(case_id)
        if old is not None and old.case_revision > revision:
            result[case_id] = old  # defensive: never let an older revision replace a newer current result
            continue
        same = matching.get(case_id)
        if same is not None:
            if old is not None and old.pk != same.pk:
                demote.append(old.pk)
            # Same inputs, same answer: re-stamp the row with the revisions it now describes.
            stamp_changed = (same.risk_digest, same.plans_stamp, same.catalogue_stamp) != (
                item.risk_digest,
                item.plans_stamp,
                catalogue,
            )
            if not same.is_current or same.case_revision < revision or stamp_changed:
                same.is_current = True
                same.case_revision = max(same.case_revision, revision)
                same.risk_digest, same.plans_stamp, same.catalogue_stamp = item.risk_digest, item.plans_stamp, catalogue
                touched.append(same)
            result[case_id] = same
            continue
        if old is not None:
            demote.append(old.pk)
        row = _new_row(item, catalogue, now)
        created.append((row, item))
        result[case_id] = row

    # Demote first: the partial unique constraint allows one current row per case at any moment.
    if demote:
        TreatmentOptionsResult.objects.filter(pk__in=demote).update(is_current=False)
    if touched:
        TreatmentOptionsResult.objects.bulk_update(
            touched, ["is_current", "case_revision", "risk_digest", "plans_stamp", "catalogue_stamp"]
        )
    if created:
        bulk_insert(TreatmentOptionsResult, [row for row, _ in created])
        audit_engine_results(
            engine="options-engine",
            event=AuditEvent.OPTIONS_COMPUTED,
            results=[
                (
                    row,
                    item.case.board_id,
                    {
                        "case_id": item.case.pk,
                        "case_revision": row.case_revision,
                        "inputs_digest": row.inputs_digest,
                        "engine_version": row.engine_version,
                        "preferred": sorted(
                            {o.code for lesion in item.options.lesions for o in lesion.options if o.preferred}
                            | {o.code for o in item.options.case if o.preferred}
                        ),
                        "urgent": row.has_urgent,
                    },
                )
                for row, item in created
            ],
        )
    return result


def plans_stamps_empty() -> str:
    return "0:0:0"


@transaction.atomic
def treatment_options_compute(*, case_id: int) -> TreatmentOptionsResult:
    """Compute one case's options from its committed state and make them current.

    Idempotent: unchanged inputs reuse the stored row (no new row, no audit entry). Raises
    ``Case.DoesNotExist`` for a case that no longer exists.
    """
    result = _compute_locked([case_id])
    if case_id not in result:
        raise Case.DoesNotExist(f"Case {case_id} does not exist.")
    return result[case_id]


@transaction.atomic
def treatment_options_compute_cases(*, case_ids: Iterable[int]) -> dict[int, TreatmentOptionsResult]:
    """Compute many cases in one transaction with bulk reads and writes (the recompute command's unit)."""
    return _compute_locked(case_ids)
