"""Thin Celery tasks: take ids, call a service. Safe to run twice (the reminder row is the claim)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from apps.decisions import services


@shared_task(name="decisions.send_follow_up_reminder")
def send_follow_up_reminder(decision_id: int) -> bool:
    return services.follow_up_remind(decision_id=decision_id)


@shared_task(name="decisions.send_follow_up_reminders")
def send_follow_up_reminders() -> int:
    """Run by Celery beat hourly: remind the owner of each decision due a follow-up, once per decision."""
    return sum(services.follow_up_remind(decision_id=pk) for pk in services.follow_up_due_ids(timezone.now()))


@shared_task(name="decisions.carry_follow_ups")
def carry_follow_ups(board_id: int) -> list[int]:
    """After a meeting of the board ends: cases with open implementation follow-up go to the next agenda."""
    return services.follow_up_carry(board_id=board_id)
