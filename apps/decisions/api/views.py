"""Decision endpoints of the contract. Thin: scope, parse, call a service, render.

A decision of a board the user cannot see is a 404 (as if it did not exist); a signed or superseded
version answers 409 to PATCH, PUT and DELETE.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import requires
from apps.accounts.authorization import readable_boards
from apps.accounts.models import User
from apps.accounts.roles import Permission
from apps.audit.events import AuditEvent
from apps.core.api.errors import Conflict, PreconditionFailed
from apps.core.api.preconditions import etag, if_match
from apps.core.api.serializers import refuse_unknown_fields
from apps.core.idempotency import idempotent
from apps.decisions import exports, reports, selectors, services
from apps.decisions.api.serializers import (
    AmendSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
    FollowUpSerializer,
    FollowUpWriteSerializer,
    QualityQuerySerializer,
    SignSerializer,
)
from apps.decisions.engine.recommendation import DecisionStatus
from apps.decisions.models import Decision

CaseView = requires(Permission.CASE_VIEW)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _conflicts(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (services.DecisionLocked, services.DecisionConflict) as exc:
        raise Conflict(str(exc)) from exc


def _decision(request: Request, pk: int) -> Decision:
    decision = selectors.decision_queryset(request.user).filter(pk=pk).first()
    if decision is None:
        raise NotFound("No such decision.")
    return decision


def _draft_body(request: Request) -> dict[str, Any]:
    """The draft's fields; a key that is not one of them is a 400 naming it (issue 15), before the service
    checks the values in the clinic's words."""
    if not isinstance(request.data, Mapping):
        raise ValidationError({"non_field_errors": ["Expected a JSON object (the draft's fields)."]})
    refuse_unknown_fields(request.data, DecisionWriteSerializer())
    return dict(request.data)


def _render(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    decision = _decision(request, pk)
    return Response(DecisionSerializer(decision).data, status=code, headers={"ETag": etag(services.decision_etag(decision))})


class CaseDecisionsView(APIView):
    """``GET`` every version of the board's decision on a case; ``POST`` a new draft."""

    permission_classes = (CaseView,)

    @extend_schema(responses=DecisionSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.visible_case(request.user, case_id)
        if case is None:
            raise NotFound("No such case.")
        return Response(DecisionSerializer(selectors.case_decisions(request.user, case), many=True).data)

    @extend_schema(request=DecisionWriteSerializer, responses={201: DecisionSerializer})
    @idempotent
    def post(self, request: Request, case_id: int) -> Response:
        if selectors.visible_case(request.user, case_id) is None:
            raise NotFound("No such case.")
        data = _draft_body(request)
        decision = _conflicts(lambda: services.decision_create(actor=_user(request), case_id=case_id, data=data))
        return _render(request, decision.pk, status.HTTP_201_CREATED)


class DecisionDetailView(APIView):
    permission_classes = (CaseView,)
    serializer_class = DecisionSerializer  # read by the schema for the write methods too

    @extend_schema(responses=DecisionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        decision = _decision(request, pk)
        services.decision_record_access(actor=_user(request), decision=decision, event=AuditEvent.DECISION_READ, detail="api")
        return Response(DecisionSerializer(decision).data, headers={"ETag": etag(services.decision_etag(decision))})

    def _edit(self, request: Request, pk: int) -> Response:
        _decision(request, pk)  # 404 before anything else
        data = _draft_body(request)
        # The contract promises this edit without If-Match, so it stays optional here (the one exception,
        # apps/core/api/preconditions.py); when sent, a stale one is a 412 and nothing is written.
        expected = if_match(request, what="decision draft", required=False)
        try:
            _conflicts(lambda: services.decision_update(actor=_user(request), decision_id=pk, data=data, expected_etag=expected))
        except services.StaleDecision as exc:
            raise PreconditionFailed(str(exc)) from exc
        return _render(request, pk)

    @extend_schema(request=DecisionWriteSerializer, responses=DecisionSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        return self._edit(request, pk)

    @extend_schema(request=DecisionWriteSerializer, responses=DecisionSerializer)
    def put(self, request: Request, pk: int) -> Response:
        return self._edit(request, pk)

    def delete(self, request: Request, pk: int) -> Response:
        decision = _decision(request, pk)
        if decision.status != DecisionStatus.DRAFT:
            raise Conflict(f"Version {decision.version} is {decision.status}: a signed decision is never deleted.")
        raise Conflict("Decisions are kept: edit the draft instead of deleting it.")


class DecisionSignView(APIView):
    permission_classes = (requires(Permission.DECISION_SIGN),)

    @extend_schema(request=SignSerializer, responses=DecisionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _decision(request, pk)
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        password = body.validated_data["password"]
        _conflicts(lambda: services.decision_sign(actor=_user(request), decision_id=pk, password=password))
        return _render(request, pk)


class DecisionAmendView(APIView):
    permission_classes = (requires(Permission.DECISION_DRAFT),)

    @extend_schema(request=AmendSerializer, responses={201: DecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _decision(request, pk)
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        draft = _conflicts(lambda: services.decision_amend(actor=_user(request), decision_id=pk, reason=reason))
        return _render(request, draft.pk, status.HTTP_201_CREATED)


class DecisionFollowUpView(APIView):
    permission_classes = (requires(Permission.FOLLOW_UP_RECORD),)

    @extend_schema(request=FollowUpWriteSerializer, responses={201: FollowUpSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _decision(request, pk)
        body = FollowUpWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        row = _conflicts(lambda: services.follow_up_record(actor=_user(request), decision_id=pk, **values))
        return Response(FollowUpSerializer(row).data, status=status.HTTP_201_CREATED)


def _signed(request: Request, pk: int) -> Decision:
    decision = _decision(request, pk)
    if decision.status == DecisionStatus.DRAFT:
        raise Conflict("Only a signed decision is exported to the chart.")
    return decision


class DecisionReportView(APIView):
    permission_classes = (CaseView,)
    throttle_scope = "export"  # rendering a PDF is expensive (apps.accounts.throttling)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        decision = _signed(request, pk)
        pdf = exports.report_pdf(decision)
        services.decision_record_access(actor=_user(request), decision=decision, event=AuditEvent.DECISION_EXPORTED, detail="pdf")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="decision-{decision.case_id}-v{decision.version}.pdf"'
        return response


class DecisionFhirView(APIView):
    permission_classes = (CaseView,)
    throttle_scope = "export"  # apps.accounts.throttling

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        decision = _signed(request, pk)
        bundle = exports.fhir_care_plan(decision)
        services.decision_record_access(
            actor=_user(request), decision=decision, event=AuditEvent.DECISION_EXPORTED, detail="fhir"
        )
        return Response(bundle)


class _CSVText(BaseRenderer):
    """Lets ``?format=csv`` / ``Accept: text/csv`` through content negotiation; the view writes the CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data.encode(self.charset) if isinstance(data, str) else json.dumps(data, default=str).encode(self.charset)


class QualityReportView(APIView):
    """``GET /api/v1/reports/quality/?board=<id>&from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]``."""

    permission_classes = (requires(Permission.REPORTS_VIEW),)
    renderer_classes = (JSONRenderer, _CSVText)
    throttle_scope = "export"  # apps.accounts.throttling

    @extend_schema(parameters=[QualityQuerySerializer], responses={200: dict})
    def get(self, request: Request) -> HttpResponse:
        query = QualityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        board = readable_boards(request.user).filter(pk=query.validated_data["board"]).first()
        if board is None:
            raise NotFound("No such board.")
        date_from, date_to = query.validated_data["from"], query.validated_data["to"]
        report = reports.board_quality(request.user, board=board, date_from=date_from, date_to=date_to).to_dict()
        if getattr(request.accepted_renderer, "format", None) == "csv":
            response = HttpResponse(
                reports.report_csv(report, board=board, date_from=date_from, date_to=date_to), content_type="text/csv"
            )
            response["Content-Disposition"] = f'attachment; filename="quality-{board.pk}-{date_from}-{date_to}.csv"'
            return response
        return Response({"board": board.pk, "from": date_from, "to": date_to, **report})
