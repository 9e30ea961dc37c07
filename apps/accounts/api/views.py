from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Board
from apps.accounts.scoping import scope_boards
from apps.audit.events import AuditEvent
from apps.audit.services import audit_security_event
from apps.cases.api.serializers import BoardSummarySerializer
from apps.core.api.parsers import DEFAULT_PARSERS


class BoardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Board]):
    """The boards the user belongs to (administrators: every board)."""

    serializer_class = BoardSummarySerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Board]:
        return scope_boards(self.request.user).order_by("name", "id")


@extend_schema(tags=["auth"])
class TokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` -> ``{"token": "<key>"}``; send as ``Authorization: Token <key>``."""

    permission_classes = (AllowAny,)
    # DRF's ObtainAuthToken names its own parsers; the safe ones refuse deep nesting and NUL (issue 15).
    parser_classes = DEFAULT_PARSERS

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # DRF's own steps, plus the audit entry; a wrong password is audited by the auth signal
        # (authenticate() sends user_login_failed).
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        audit_security_event(event=AuditEvent.TOKEN_ISSUED, actor=user, request=request)
        return Response({"token": token.key})
