"""Discussion in the admin: read-only (edits and retractions go through the services, which keep history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.accounts.authorization import restrict
from apps.discussion.models import Comment, Opinion


class _ReadOnly(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return restrict(super().get_queryset(request), request.user, "case__board_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(_ReadOnly):
    list_display = ("case", "author", "author_role", "created_at", "edited_at", "retracted_at")
    list_select_related = ("case", "author")


@admin.register(Opinion)
class OpinionAdmin(_ReadOnly):
    list_display = ("case", "specialty", "author", "updated_at")
    list_select_related = ("case", "author")
