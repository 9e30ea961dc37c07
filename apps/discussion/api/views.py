"""Discussion endpoints: a case's threads and opinions; a comment's edit, retraction and history."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import requires
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.cases.models import Case
from apps.core.idempotency import idempotent
from apps.decisions.selectors import visible_case
from apps.discussion import selectors, services
from apps.discussion.api.serializers import (
    CommentSerializer,
    CommentWriteSerializer,
    OpinionSerializer,
    OpinionWriteSerializer,
    RetractSerializer,
    RevisionSerializer,
    ThreadSerializer,
)
from apps.discussion.models import Comment


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _case(request: Request, case_id: int) -> Case:
    case = visible_case(request.user, case_id)
    if case is None:
        raise NotFound("No such case.")
    return case


def _comment(request: Request, pk: int) -> Comment:
    comment = selectors.scope_comments(request.user).select_related("author", "retracted_by").filter(pk=pk).first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment


class CaseDiscussionView(APIView):
    permission_classes = (requires(Permission.CASE_VIEW),)

    @extend_schema(responses=ThreadSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        return Response(ThreadSerializer(selectors.threads(case), many=True).data)

    @extend_schema(request=CommentWriteSerializer, responses={201: CommentSerializer})
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        body = CommentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.comment_post(
            actor=_user(request), case_id=case.pk, body=body.validated_data["body"], parent_id=body.validated_data.get("parent")
        )
        return Response(CommentSerializer(_comment(request, comment.pk)).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    permission_classes = (requires(Permission.CASE_VIEW),)

    @extend_schema(responses=CommentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(CommentSerializer(_comment(request, pk)).data)

    @extend_schema(request=CommentWriteSerializer, responses=CommentSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        _comment(request, pk)
        body = CommentWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.comment_edit(actor=_user(request), comment_id=pk, body=body.validated_data.get("body", ""))
        return Response(CommentSerializer(_comment(request, pk)).data)


class CommentRetractView(APIView):
    permission_classes = (requires(Permission.DISCUSSION_POST),)

    @extend_schema(request=RetractSerializer, responses=CommentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _comment(request, pk)
        body = RetractSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.comment_retract(actor=_user(request), comment_id=pk, reason=body.validated_data["reason"])
        return Response(CommentSerializer(_comment(request, pk)).data)


class CommentHistoryView(APIView):
    permission_classes = (requires(Permission.CASE_VIEW),)

    @extend_schema(responses=RevisionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        comment = _comment(request, pk)
        return Response(RevisionSerializer(comment.revisions.order_by("replaced_at", "id"), many=True).data)


class CaseOpinionsView(APIView):
    permission_classes = (requires(Permission.CASE_VIEW),)

    @extend_schema(responses=OpinionSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        filed = selectors.opinions(case)
        coverage = selectors.opinion_coverage(filed)
        return Response(
            {"filed": coverage.filed, "missing": coverage.missing, "opinions": OpinionSerializer(filed, many=True).data}
        )

    @extend_schema(request=OpinionWriteSerializer, responses={201: OpinionSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        body = OpinionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opinion = services.opinion_file(actor=_user(request), case_id=case.pk, **body.validated_data)
        return Response(OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)
