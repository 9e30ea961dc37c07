"""Discussion in the admin: read-only (edits and retractions go through the services, which keep history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.accounts.authorization import restrict
from apps.core.admin import GuardedAdmin
from apps.discussion.models import Comment, Opinion


class _ReadOnly(GuardedAdmin):
    """Read by those who audit (``GuardedAdmin``: no add, change or delete), within their boards."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return restrict(super().get_queryset(request), request.user, "case__board_id")


@admin.register(Comment)
class CommentAdmin(_ReadOnly):
    list_display = ("case", "author", "author_role", "created_at", "edited_at", "retracted_at")
    list_select_related = ("case", "author")


@admin.register(Opinion)
class OpinionAdmin(_ReadOnly):
    list_display = ("case", "specialty", "author", "updated_at")
    list_select_related = ("case", "author")
