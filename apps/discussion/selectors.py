"""Reads of a case's discussion, scoped to the user's boards (``apps.accounts.authorization``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from apps.accounts.authorization import restrict
from apps.accounts.models import User
from apps.accounts.roles import CLINICIANS
from apps.cases.models import Case
from apps.discussion.models import Comment, Opinion


def scope_comments(user: User | AnonymousUser | None) -> QuerySet[Comment]:
    return restrict(Comment.objects.all(), user, "case__board_id")


def threads(case: Case) -> QuerySet[Comment]:
    """Top-level comments, oldest first, each with its replies: three queries whatever the thread's size."""
    replies = Comment.objects.select_related("author", "retracted_by").order_by("created_at", "id")
    return (
        Comment.objects.filter(case=case, parent__isnull=True)
        .select_related("author", "retracted_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def opinions(case: Case) -> list[Opinion]:
    return list(Opinion.objects.filter(case=case).select_related("author").order_by("specialty"))


@dataclass(frozen=True)
class OpinionCoverage:
    filed: list[str]
    missing: list[str]


def opinion_coverage(filed: list[Opinion]) -> OpinionCoverage:
    """Which clinical specialties have filed their pre-meeting opinion, and which have not."""
    have = sorted({o.specialty for o in filed})
    return OpinionCoverage(filed=have, missing=sorted(r.value for r in CLINICIANS if r.value not in have))
