"""Trial reports for administrators: referral outcomes, eligible cases not referred, criterion attrition.

Each report runs a constant number of queries whatever the number of rows (grouped aggregates, or one
query of stored match payloads folded in Python). Every report is scoped through ``scope_cases``.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q

from apps.accounts.models import User
from apps.cases.selectors import scope_cases
from apps.cases.workflow import CaseStatus
from apps.trials.models import ReferralStatus, Trial, TrialMatch, TrialReferral, TrialVersion

Viewer = User | AnonymousUser | None

#: Referral statuses counted in the referral report, in column order.
REFERRAL_COUNT_STATUSES: tuple[str, ...] = (
    ReferralStatus.ENROLLED,
    ReferralStatus.SCREEN_FAILED,
    ReferralStatus.DECLINED,
    ReferralStatus.WITHDRAWN,
)

REFERRAL_COLUMNS: tuple[str, ...] = (
    "trial",
    "trial_short_name",
    "board_id",
    "board",
    "referrals",
    *REFERRAL_COUNT_STATUSES,
    "median_days_to_enrollment",
    "screen_failure_reasons",
)
ELIGIBLE_NOT_REFERRED_COLUMNS: tuple[str, ...] = (
    "case_id",
    "case_status",
    "board_id",
    "board",
    "trial",
    "trial_short_name",
    "trial_status",
    "trial_version",
    "computed_at",
)
ATTRITION_COLUMNS: tuple[str, ...] = (
    "position",
    "code",
    "kind",
    "text",
    "remaining",
    "not_met",
    "unknown",
    "excluded_alone",
    "unknown_alone",
)


def _referrals(user: Viewer) -> Any:
    return TrialReferral.objects.filter(case__in=scope_cases(user).values("pk"))


def referral_report(user: Viewer) -> list[dict[str, Any]]:
    """Per trial and board: referrals, current outcome counts, median days referral -> enrolment, and the
    screen-failure reasons with their counts. Three queries."""
    referrals = _referrals(user)
    group = ("trial__identifier", "trial__short_name", "case__board_id", "case__board__name")
    counts = (
        referrals.values(*group)
        .annotate(
            referrals=Count("id"),
            **{s: Count("id", filter=Q(status=s)) for s in REFERRAL_COUNT_STATUSES},
        )
        .order_by("trial__identifier", "case__board__name", "case__board_id")
    )
    days: dict[tuple[str, int], list[float]] = defaultdict(list)
    for identifier, board_id, created_at, enrolled_at in referrals.filter(enrolled_at__isnull=False).values_list(
        "trial__identifier", "case__board_id", "created_at", "enrolled_at"
    ):
        days[(identifier, board_id)].append((enrolled_at - created_at).total_seconds() / 86400)
    reasons: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in (
        referrals.filter(status=ReferralStatus.SCREEN_FAILED)
        .values("trial__identifier", "case__board_id", "end_reason")
        .annotate(count=Count("id"))
        .order_by("-count", "end_reason")
    ):
        reasons[(row["trial__identifier"], row["case__board_id"])].append({"reason": row["end_reason"], "count": row["count"]})
    rows = []
    for row in counts:
        key = (row["trial__identifier"], row["case__board_id"])
        rows.append(
            {
                "trial": row["trial__identifier"],
                "trial_short_name": row["trial__short_name"],
                "board_id": row["case__board_id"],
                "board": row["case__board__name"],
                "referrals": row["referrals"],
                **{s: row[s] for s in REFERRAL_COUNT_STATUSES},
                "median_days_to_enrollment": round(statistics.median(days[key]), 1) if days[key] else None,
                "screen_failure_reasons": reasons[key],
            }
        )
    return rows


def eligible_not_referred_report(user: Viewer) -> list[dict[str, Any]]:
    """Open cases whose stored match to a trial is ``eligible`` but which were never referred to it. One query."""
    referred = TrialReferral.objects.filter(case_id=OuterRef("case_id"), trial_id=OuterRef("trial_id"))
    matches = (
        TrialMatch.objects.filter(case__in=scope_cases(user).exclude(status=CaseStatus.CLOSED).values("pk"))
        .filter(eligibility="eligible")
        .filter(~Exists(referred))
        .order_by("trial__identifier", "case_id")
        .values_list(
            "case_id",
            "case__status",
            "case__board_id",
            "case__board__name",
            "trial__identifier",
            "trial__short_name",
            "trial__status",
            "trial_version__version",
            "computed_at",
        )
    )
    return [dict(zip(ELIGIBLE_NOT_REFERRED_COLUMNS, values, strict=True)) for values in matches]


class UnknownTrial(LookupError):
    pass


def attrition_report(user: Viewer, trial_identifier: str) -> dict[str, Any]:
    """Per-criterion attrition of a trial over the open cases' stored matches (cohort-funnel style).

    Criteria are in the order of the trial's current version. ``remaining`` is the number of open cases
    meeting criteria 1..k; ``not_met`` / ``unknown`` are those among the cases remaining after k-1 that
    fail / are undecided at k; ``excluded_alone`` / ``unknown_alone`` apply criterion k alone to every case.
    A criterion absent from a stored match (computed on an older version) counts as unknown.
    Three queries (trial, current version, payloads).
    """
    trial = Trial.objects.filter(identifier=trial_identifier).first()
    if trial is None:
        raise UnknownTrial(trial_identifier)
    version = TrialVersion.objects.get(trial=trial, version=trial.current_version)
    criteria = version.definition.get("criteria", [])
    payloads = list(
        TrialMatch.objects.filter(
            trial=trial, case__in=scope_cases(user).exclude(status=CaseStatus.CLOSED).values("pk")
        ).values_list("payload", "trial_version_id")
    )
    results = [{c.get("code"): c.get("result") for c in payload.get("criteria", [])} for payload, _ in payloads]
    remaining = list(range(len(results)))
    rows = []
    for position, criterion in enumerate(criteria, start=1):
        code = criterion.get("code")
        outcome = Counter(results[i].get(code, "unknown") for i in remaining)
        alone = Counter(r.get(code, "unknown") for r in results)
        remaining = [i for i in remaining if results[i].get(code) == "met"]
        rows.append(
            {
                "position": position,
                "code": code,
                "kind": criterion.get("kind"),
                "text": criterion.get("text"),
                "remaining": len(remaining),
                "not_met": outcome["not_met"],
                "unknown": outcome["unknown"],
                "excluded_alone": alone["not_met"],
                "unknown_alone": alone["unknown"],
            }
        )
    return {
        "trial": trial.identifier,
        "trial_version": version.version,
        "open_cases": len(results),
        "stale_matches": sum(1 for _, version_id in payloads if version_id != version.pk),
        "criteria": rows,
    }
