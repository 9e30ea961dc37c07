"""Reads of decisions and their follow-up, scoped to the user's boards (``apps.accounts.authorization``)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from apps.accounts.authorization import restrict
from apps.accounts.models import User
from apps.cases.models import Case
from apps.decisions.models import Decision, FollowUp


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
