"""Celery tasks of the cases app: thin, ids in."""

from __future__ import annotations

from celery import shared_task

from apps.cases.models import Case
from apps.cases.signals import case_changed


@shared_task(name="cases.case_changed")
def announce_case_changed(case_id: int, revision: int) -> int:
    """Fan one committed case change out to every receiver of ``case_changed``; returns how many."""
    return len(case_changed.send(sender=Case, case_id=case_id, revision=revision))
