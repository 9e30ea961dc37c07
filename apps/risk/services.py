"""The only code that writes risk assessments.

A case is assessed under a lock on its row, from the case as it is when the lock is taken, so two tasks
for the same case run one after the other and the later one always reads the newer revision: an older
revision can never replace a newer current assessment. Assessments are keyed by the digest of their
inputs (engine version included): the same inputs reuse their row (made current again, its revision moved
forward, never back), new inputs create a row and every other row of the case stops being current.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.events import AuditEvent
from apps.audit.services import audit_engine_results
from apps.cases.facts import CaseFacts
from apps.cases.models import Case
from apps.cases.selectors import engine_cases, lock_cases
from apps.core.bulk import bulk_insert
from apps.risk.engine import CaseRiskSummary, assess_case, case_inputs_digest
from apps.risk.models import LesionAssessment, RiskAssessment


@dataclass(frozen=True, slots=True)
class _Computed:
    case: Case
    digest: str
    summary: CaseRiskSummary


def _new_assessment(computed: _Computed, now: datetime) -> RiskAssessment:
    summary = computed.summary
    top = summary.flags[0] if summary.flags else None
    return RiskAssessment(
        case_id=computed.case.pk,
        inputs_digest=computed.digest,
        engine_version=summary.engine_version,
        case_revision=computed.case.revision,
        payload=summary.to_dict(),
        highest_flag_code=top.code if top else "",
        highest_flag_priority=top.priority if top else 0,
        computed_at=now,
        is_current=True,
    )


def _lesion_rows(row: RiskAssessment, computed: _Computed) -> list[LesionAssessment]:
    lesion_ids = {str(lesion.uuid): lesion.pk for lesion in computed.case.lesions.all()}
    rows = []
    for lesion in computed.summary.lesions:
        rows.append(
            LesionAssessment(
                assessment=row,
                lesion_id=lesion_ids.get(lesion.lesion_ref),
                lesion_ref=lesion.lesion_ref,
                mirels_score=lesion.mirels.score,
                mirels_category=None if lesion.mirels.category is None else str(lesion.mirels.category),
                sins_score=lesion.sins.score,
                sins_category=None if lesion.sins.category is None else str(lesion.sins.category),
                escc_high_grade=lesion.escc.high_grade,
                high_risk=lesion.high_risk_asymptomatic.high_risk,
            )
        )
    return rows


def _assess_locked(case_ids: Iterable[int]) -> dict[int, RiskAssessment]:
    """Assess the given cases; must run inside a transaction. Returns the current row of each case that
    still exists, keyed by case id (deleted cases are left out)."""
    locked = lock_cases(case_ids)
    if not locked:
        return {}
    return risk_assess_loaded_cases(engine_cases(locked))


def risk_assess_loaded_cases(cases: Sequence[tuple[Case, CaseFacts]]) -> dict[int, RiskAssessment]:
    """Assess cases the caller has locked (``lock_cases``) and loaded (``engine_cases``) in its transaction:
    the options chunk, which reads the same cases for the risk, the trial matches and the options."""
    computed: dict[int, _Computed] = {}
    for case, facts in cases:
        computed[case.pk] = _Computed(case=case, digest=case_inputs_digest(facts), summary=assess_case(facts))

    current: dict[int, RiskAssessment] = {}
    matching: dict[int, RiskAssessment] = {}
    digests = {c.digest for c in computed.values()}
    for row in RiskAssessment.objects.filter(case_id__in=computed).filter(Q(is_current=True) | Q(inputs_digest__in=digests)):
        if row.is_current:
            current[row.case_id] = row
        if row.inputs_digest == computed[row.case_id].digest:
            matching[row.case_id] = row

    now = timezone.now()
    result: dict[int, RiskAssessment] = {}
    demote: list[int] = []
    touched: list[RiskAssessment] = []
    created: list[tuple[RiskAssessment, _Computed]] = []
    for case_id, item in computed.items():
        revision = item.case.revision
        old = current.get(case_id)
        if old is not None and old.case_revision > revision:
            # Defensive: never let an older revision replace a newer current assessment.
            result[case_id] = old
            continue
        same = matching.get(case_id)
        if same is not None:
            if old is not None and old.pk != same.pk:
                demote.append(old.pk)
            if not same.is_current or same.case_revision < revision:
                same.is_current = True
                same.case_revision = max(same.case_revision, revision)
                touched.append(same)
            result[case_id] = same
            continue
        if old is not None:
            demote.append(old.pk)
        row = _new_assessment(item, now)
        created.append((row, item))
        result[case_id] = row

    # Demote first: the partial unique constraint allows one current row per case at any moment.
    if demote:
        RiskAssessment.objects.filter(pk__in=demote).update(is_current=False)
    if touched:
        RiskAssessment.objects.bulk_update(touched, ["is_current", "case_revision"])
    if created:
        bulk_insert(RiskAssessment, [row for row, _ in created])
        bulk_insert(LesionAssessment, [lesion_row for row, item in created for lesion_row in _lesion_rows(row, item)])
        audit_engine_results(
            engine="risk-engine",
            event=AuditEvent.RISK_ASSESSED,
            results=[
                (
                    row,
                    item.case.board_id,
                    {
                        "case_id": item.case.pk,
                        "case_revision": row.case_revision,
                        "inputs_digest": row.inputs_digest,
                        "engine_version": row.engine_version,
                        "highest_flag_code": row.highest_flag_code,
                        "flag_codes": [flag.code for flag in item.summary.flags],
                    },
                )
                for row, item in created
            ],
        )
    return result


@transaction.atomic
def risk_assess_case(*, case_id: int) -> RiskAssessment:
    """Assess one case from its committed state and make that assessment current.

    Idempotent: unchanged inputs reuse the stored row (no new row, no audit entry). Raises
    ``Case.DoesNotExist`` for a case that no longer exists.
    """
    result = _assess_locked([case_id])
    if case_id not in result:
        raise Case.DoesNotExist(f"Case {case_id} does not exist.")
    return result[case_id]


@transaction.atomic
def risk_assess_cases(*, case_ids: Iterable[int]) -> dict[int, RiskAssessment]:
    """Assess many cases in one transaction with bulk writes (the recompute command's unit of work)."""
    return _assess_locked(case_ids)
