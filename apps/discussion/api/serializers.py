"""Discussion representations: threads with replies, revisions, opinions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.discussion.models import Comment, CommentRevision, Opinion


def _user_ref(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()}


class CommentSerializer(serializers.ModelSerializer[Comment]):
    """A retracted comment keeps its place in the thread but no longer shows its text."""

    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    retracted = serializers.SerializerMethodField()
    retracted_by = serializers.SerializerMethodField()
    edited = serializers.SerializerMethodField()
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)  # type: ignore[assignment]

    class Meta:
        model = Comment
        fields: tuple[str, ...] = (
            "id",
            "parent",
            "author",
            "author_role",
            "body",
            "body_html",
            "mentions",
            "created_at",
            "edited",
            "edited_at",
            "retracted",
            "retracted_at",
            "retracted_by",
            "retraction_reason",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_author(self, c: Comment) -> dict[str, Any] | None:
        return _user_ref(c.author)

    def get_body(self, c: Comment) -> str | None:
        return None if c.retracted_at else c.body

    def get_body_html(self, c: Comment) -> str | None:
        return None if c.retracted_at else c.body_html

    def get_retracted(self, c: Comment) -> bool:
        return c.retracted_at is not None

    def get_retracted_by(self, c: Comment) -> dict[str, Any] | None:
        return _user_ref(c.retracted_by)

    def get_edited(self, c: Comment) -> bool:
        return c.edited_at is not None


class ThreadSerializer(CommentSerializer):
    replies = CommentSerializer(many=True, read_only=True)

    class Meta(CommentSerializer.Meta):
        fields = (*CommentSerializer.Meta.fields, "replies")
        read_only_fields = fields


class CommentWriteSerializer(StrictSerializer[Any]):
    body = serializers.CharField(max_length=10_000, trim_whitespace=False)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]


class RetractSerializer(StrictSerializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RevisionSerializer(serializers.ModelSerializer[CommentRevision]):
    class Meta:
        model = CommentRevision
        fields = ("id", "body", "body_html", "written_at", "replaced_at")
        read_only_fields = fields


class OpinionSerializer(serializers.ModelSerializer[Opinion]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = ("id", "specialty", "author", "assessment", "recommendation", "ready_for_discussion", "updated_at")
        read_only_fields = fields

    def get_author(self, o: Opinion) -> dict[str, Any] | None:
        return _user_ref(o.author)


class OpinionWriteSerializer(StrictSerializer[Any]):
    assessment = serializers.CharField(max_length=5000)
    recommendation = serializers.CharField(max_length=5000)
    ready_for_discussion = serializers.BooleanField(required=False, allow_null=True, default=None)
