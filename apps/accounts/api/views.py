from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from apps.accounts.models import Board
from apps.accounts.scoping import scope_boards
from apps.cases.api.serializers import BoardSummarySerializer


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
