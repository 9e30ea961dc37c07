"""The only code that writes discussion comments and specialty opinions.

Keyword-only, one transaction each, with the audit row inside it. @mentions of board members are
notified through the meetings app (delivered after commit, once per comment and person); a mention of
someone outside the board is kept as text and notifies nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from apps.accounts.authorization import require
from apps.accounts.models import BoardMembership, User
from apps.accounts.roles import CLINICIANS, Permission
from apps.audit.events import AuditEvent
from apps.audit.services import audit_record, snapshot
from apps.cases.models import Case
from apps.core.errors import InvalidInput
from apps.discussion.engine import markup
from apps.discussion.models import Comment, CommentRevision, Opinion

_TEXT_MAX = 5000


def _case(case_id: int) -> Case:
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        raise Case.DoesNotExist(f"no case {case_id}")
    return case


def _board_mentions(board_id: int, text: str) -> list[str]:
    """The usernames mentioned in ``text`` who are members of the board, in order of mention."""
    named = markup.mentions(text)
    members = set(
        BoardMembership.objects.filter(board_id=board_id, user__username__in=named, user__is_active=True).values_list(
            "user__username", flat=True
        )
    )
    return [n for n in named if n in members]


def notify_mentions(*, actor: User, comment: Comment, usernames: Iterable[str]) -> None:
    """Tell each newly mentioned member (through the meetings app's notifications, after commit)."""
    from apps.meetings import notifications
    from apps.meetings.models import NotificationKind

    names = set(usernames) - {actor.get_username()}
    if not names:
        return
    for user_id in User.objects.filter(username__in=names).values_list("pk", flat=True):
        notifications.notify(
            recipient_ids=[user_id],
            kind=NotificationKind.MENTION,
            key=f"comment_mention:{comment.pk}",
            case_id=comment.case_id,
            subject=f"{actor.get_username()} mentioned you on case {comment.case_id}",
            body=comment.body[:2000],
        )


@transaction.atomic
def comment_post(*, actor: User, case_id: int, body: str, parent_id: int | None = None) -> Comment:
    """Add a comment (or a reply to ``parent_id``) to a case's thread."""
    case = _case(case_id)
    require(actor, Permission.DISCUSSION_POST, case.board_id)
    errors: dict[str, list[str]] = {}
    if problem := markup.body_errors(body):
        errors["body"] = problem
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, case_id=case.pk).first()
        if parent is None:
            errors["parent"] = ["no such comment on this case."]
        elif parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep: a reply to a reply joins its thread
    if errors:
        raise InvalidInput(errors)
    mentioned = _board_mentions(case.board_id, body)
    comment = Comment.objects.create(
        case=case,
        parent=parent,
        author=actor,
        author_role=actor.role,
        body=body,
        body_html=markup.render(body, mentioned),
        mentions=mentioned,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        event=AuditEvent.COMMENT_POSTED,
        subject=comment,
        board_id=case.board_id,
        after=snapshot(comment, ("case_id", "parent_id", "author_role", "body", "mentions")),
    )
    notify_mentions(actor=actor, comment=comment, usernames=comment.mentions)
    return comment


def _own_comment(actor: User, comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().select_related("case").filter(pk=comment_id).first()
    if comment is None:
        raise Comment.DoesNotExist(f"no comment {comment_id}")
    require(actor, Permission.DISCUSSION_POST, comment.case.board_id)
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only the author edits or retracts a comment.")
    if comment.retracted_at is not None:
        raise InvalidInput({"comment": ["this comment was retracted."]})
    return comment


@transaction.atomic
def comment_edit(*, actor: User, comment_id: int, body: str) -> Comment:
    """The author edits a comment; the previous text is kept as a revision, new mentions are notified."""
    comment = _own_comment(actor, comment_id)
    if problem := markup.body_errors(body):
        raise InvalidInput({"body": problem})
    if body == comment.body:
        return comment
    CommentRevision.objects.create(
        comment=comment, body=comment.body, body_html=comment.body_html, written_at=comment.edited_at or comment.created_at
    )
    before = snapshot(comment, ("body", "mentions"))
    previous_mentions = set(comment.mentions)
    comment.body = body
    comment.mentions = _board_mentions(comment.case.board_id, body)
    comment.body_html = markup.render(body, comment.mentions)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "mentions", "edited_at", "updated_at"])
    audit_record(
        actor=actor,
        event=AuditEvent.COMMENT_EDITED,
        subject=comment,
        board_id=comment.case.board_id,
        before=before,
        after=snapshot(comment, ("body", "mentions")),
    )
    notify_mentions(actor=actor, comment=comment, usernames=set(comment.mentions) - previous_mentions)
    return comment


@transaction.atomic
def comment_retract(*, actor: User, comment_id: int, reason: str = "") -> Comment:
    """Deletion is a visible retraction: the row and its history stay, the thread shows it was withdrawn."""
    comment = _own_comment(actor, comment_id)
    comment.retracted_at = timezone.now()
    comment.retracted_by = actor
    comment.retraction_reason = reason.strip()[:_TEXT_MAX]
    comment.save(update_fields=["retracted_at", "retracted_by", "retraction_reason", "updated_at"])
    audit_record(
        actor=actor,
        event=AuditEvent.COMMENT_RETRACTED,
        subject=comment,
        board_id=comment.case.board_id,
        after={"retracted_at": comment.retracted_at, "reason": comment.retraction_reason},
    )
    return comment


@transaction.atomic
def opinion_file(
    *, actor: User, case_id: int, assessment: str, recommendation: str, ready_for_discussion: bool | None = None
) -> Opinion:
    """File (or replace) the actor's specialty's pre-meeting opinion on a case; the specialty is the actor's role."""
    case = _case(case_id)
    require(actor, Permission.OPINION_FILE, case.board_id)
    if actor.role not in {r.value for r in CLINICIANS}:
        raise PermissionDenied("Opinions are filed by the clinical specialties.")
    errors: dict[str, list[str]] = {}
    for name, value in (("assessment", assessment), ("recommendation", recommendation)):
        if not isinstance(value, str) or not value.strip():
            errors[name] = ["write the specialty's " + name + "."]
        elif len(value) > _TEXT_MAX:
            errors[name] = [f"at most {_TEXT_MAX} characters (a short opinion)."]
    if errors:
        raise InvalidInput(errors)
    existing = Opinion.objects.select_for_update().filter(case=case, specialty=actor.role).first()
    before: dict[str, Any] | None = None
    if existing is None:
        opinion = Opinion(case=case, specialty=actor.role, created_by=actor)
    else:
        opinion = existing
        before = snapshot(opinion, ("author_id", "assessment", "recommendation", "ready_for_discussion"))
    opinion.author = actor
    opinion.assessment = assessment.strip()
    opinion.recommendation = recommendation.strip()
    opinion.ready_for_discussion = ready_for_discussion
    opinion.save()
    audit_record(
        actor=actor,
        event=AuditEvent.OPINION_FILED,
        subject=opinion,
        board_id=case.board_id,
        before=before,
        after=snapshot(opinion, ("author_id", "assessment", "recommendation", "ready_for_discussion")),
    )
    return opinion
