"""Decisions in the admin: read-only for everyone (signed versions are immutable; drafts change through
the services, which audit), scoped to the boards the administrator may read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.accounts.authorization import restrict
from apps.core.admin import GuardedAdmin
from apps.decisions.models import Decision, FollowUp


class _ReadOnly(GuardedAdmin):
    """Read by those who audit (``GuardedAdmin``: no add, change or delete), within their boards."""

    board_path = "case__board_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return restrict(super().get_queryset(request), request.user, self.board_path)


@admin.register(Decision)
class DecisionAdmin(_ReadOnly):
    list_display = ("case", "version", "status", "intent", "meeting", "signed_by", "signed_at")
    list_filter = ("status", "intent", "consensus")
    list_select_related = ("case", "meeting", "signed_by")
    # No search box: a GET ?q= would carry an MRN into access logs (docs/security/access-and-data.md).


@admin.register(FollowUp)
class FollowUpAdmin(_ReadOnly):
    board_path = "decision__case__board_id"
    list_display = ("decision", "implementation", "reason", "created_at")
    list_filter = ("implementation", "reason")
    list_select_related = ("decision",)
