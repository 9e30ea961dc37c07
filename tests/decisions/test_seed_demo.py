"""``seed_demo`` gives the reports and audit views content: discussions, signed decisions (one with dissent,
one amended) and follow-ups in each implementation state; a second run adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management import call_command

from apps.decisions.models import Decision, FollowUp
from apps.discussion.models import Comment, Opinion


def test_seed_demo_adds_decisions_once(db: None, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", cases=6, verbosity=0)
    assert Decision.objects.filter(status="signed").count() == 4
    assert Decision.objects.filter(status="superseded").count() == 1
    assert Decision.objects.filter(status="signed", consensus="majority").exclude(dissent=[]).exists()
    assert set(FollowUp.objects.values_list("implementation", flat=True)) == {"implemented", "modified", "not_implemented"}
    assert Comment.objects.filter(parent__isnull=False).exists() and Opinion.objects.exists()
    before = Decision.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", cases=6, verbosity=0)
    assert Decision.objects.count() == before
