"""Stateless prognosis calculators: revised Tokuhashi and Tomita (any signed-in user).

Thin views: validate the body, call the pure engine, answer its ``to_dict()`` plus the ``inputs`` used.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.options.api.serializers import (
    TokuhashiInputSerializer,
    TokuhashiResultSerializer,
    TomitaInputSerializer,
    TomitaResultSerializer,
)
from apps.options.engine.prognosis import PrognosisResult, tokuhashi_score, tomita_score

_ERRORS = {
    400: OpenApiResponse(description='Invalid input: `{"field": ["reason", ...]}`.'),
    401: OpenApiResponse(description="No credentials."),
}


def _answer(result: PrognosisResult, inputs: dict[str, Any]) -> Response:
    payload = result.to_dict()
    payload["inputs"] = inputs
    return Response(payload)


class TokuhashiView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["calculators"],
        summary="Revised Tokuhashi score (spinal metastases, 0-15)",
        request=TokuhashiInputSerializer,
        responses={200: TokuhashiResultSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = TokuhashiInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = {str(name): serializer.validated_data.get(name) for name in serializer.fields}
        return _answer(tokuhashi_score(**data), data)


class TomitaView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["calculators"],
        summary="Tomita score (spinal metastases, 2-10) and surgical strategy",
        request=TomitaInputSerializer,
        responses={200: TomitaResultSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = TomitaInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return _answer(tomita_score(**data), data)
