"""Reads of decisions and their follow-up, scoped to the user's boards (``apps.accounts.authorization``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery

from apps.accounts.authorization import restrict
from apps.accounts.models import User
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.decisions.engine.recommendation import DecisionStatus
from apps.decisions.models import Decision, FollowUp
from apps.meetings.models import AgendaItem


def scope_decisions(user: User | AnonymousUser | None) -> QuerySet[Decision]:
    return restrict(Decision.objects.all(), user, "case__board_id")


def decision_queryset(user: User | AnonymousUser | None) -> QuerySet[Decision]:
    """Decisions with everything the API and the pages show, in a fixed number of queries."""
    return (
        scope_decisions(user)
        .select_related(
            "case", "case__board", "case__patient", "meeting", "meeting__chair", "signed_by", "amends", "amended_by", "created_by"
        )
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("created_by").order_by("created_at", "id"))
        )
    )


def case_decisions(user: User | AnonymousUser | None, case: Case) -> QuerySet[Decision]:
    """Every version of the board's decision on ``case``, oldest first (the amendment chain)."""
    return decision_queryset(user).filter(case=case).order_by("version")


def visible_case(user: User | AnonymousUser | None, case_id: int) -> Case | None:
    return restrict(Case.objects.select_related("board", "patient"), user, "board_id").filter(pk=case_id).first()


@dataclass(frozen=True)
class OpenFollowUp:
    """A decided case whose implementation follow-up is still open, and why it comes back to the agenda."""

    case_id: int
    decision_id: int
    why: str


def follow_up_delay() -> dt.timedelta:
    return dt.timedelta(weeks=int(getattr(settings, "DECISION_FOLLOW_UP_REMINDER_WEEKS", 6)))


def open_follow_ups(board_id: int, now: dt.datetime) -> list[OpenFollowUp]:
    """Decided cases of the board to carry to the next agenda (two queries, whatever their number).

    A case's follow-up is open when, on its current signed decision, either the latest follow-up asks for
    the case to return to the agenda, or no follow-up was recorded by the reminder delay
    (``DECISION_FOLLOW_UP_REMINDER_WEEKS``) after signing. It stops being open once the case has been put
    on an agenda since that request (or since the signature), so each is carried once.
    """
    last_placed = AgendaItem.objects.filter(case_id=OuterRef("case_id")).values("case_id").annotate(at=Max("created_at"))
    rows = (
        Decision.objects.filter(status=DecisionStatus.SIGNED, case__board_id=board_id, case__status=CaseStatus.DECIDED)
        .annotate(last_placed=Subquery(last_placed.values("at")[:1]))
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("created_at", "id")))
        .order_by("signed_at", "pk")
    )
    found: list[OpenFollowUp] = []
    for decision in rows:
        follow_ups = list(decision.follow_ups.all())
        latest = follow_ups[-1] if follow_ups else None
        placed_since = decision.last_placed
        if latest is not None and latest.return_to_agenda:
            asked_at, note = latest.created_at, latest.note.strip()
            why = f"the follow-up asks to discuss it again{f' ({note})' if note else ''}"
        elif latest is None and decision.signed_at is not None and decision.signed_at <= now - follow_up_delay():
            asked_at = decision.signed_at
            why = (
                f"implementation of decision version {decision.version} not recorded "
                f"{follow_up_delay().days // 7} weeks after signing"
            )
        else:
            continue
        if placed_since is None or placed_since < asked_at:
            found.append(OpenFollowUp(decision.case_id, decision.pk, why))
    return found
