"""Stateless risk calculators: Mirels, SINS and the high-risk asymptomatic criteria (any signed-in user).

Thin views: validate the body with the vocabulary serializers, build a ``LesionFacts``, call the pure risk
engine and answer its ``to_dict()`` plus the ``inputs`` used and the ``source`` of the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cases.facts import LesionFacts
from apps.risk.api.serializers import (
    HighRiskInputSerializer,
    HighRiskResultSerializer,
    MirelsInputSerializer,
    MirelsResultSerializer,
    SinsInputSerializer,
    SinsResultSerializer,
)
from apps.risk.engine import high_risk_asymptomatic, mirels_score, sins_score
from apps.risk.engine.results import RuleResult

_ERRORS = {
    400: OpenApiResponse(description='Invalid input: `{"field": ["reason", ...]}`.'),
    401: OpenApiResponse(description="No credentials."),
}


class _CalculatorView(APIView):
    """POST a lesion, get the rule's result with the inputs it used."""

    permission_classes = (IsAuthenticated,)
    input_serializer: ClassVar[type[MirelsInputSerializer | SinsInputSerializer | HighRiskInputSerializer]]

    def compute(self, facts: LesionFacts, serializer: Any) -> RuleResult:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self.compute(serializer.to_facts(), serializer)
        payload: dict[str, Any] = result.to_dict()
        payload["inputs"] = dict(serializer.validated_data)
        payload["source"] = result.source
        return Response(payload)


def _schema(
    request: type[serializers.Serializer[Any]], response: type[serializers.Serializer[Any]], summary: str
) -> Callable[[Any], Any]:
    return extend_schema(tags=["calculators"], summary=summary, request=request, responses={200: response, **_ERRORS})


class MirelsView(_CalculatorView):
    input_serializer = MirelsInputSerializer

    def compute(self, facts: LesionFacts, serializer: MirelsInputSerializer) -> RuleResult:
        return mirels_score(facts, phalanx_limb=serializer.phalanx_limb_value())

    @_schema(MirelsInputSerializer, MirelsResultSerializer, "Mirels score (pathological fracture risk)")
    def post(self, request: Request) -> Response:
        return super().post(request)


class SinsView(_CalculatorView):
    input_serializer = SinsInputSerializer

    def compute(self, facts: LesionFacts, serializer: SinsInputSerializer) -> RuleResult:
        return sins_score(facts)

    @_schema(SinsInputSerializer, SinsResultSerializer, "SINS (spinal instability neoplastic score)")
    def post(self, request: Request) -> Response:
        return super().post(request)


class HighRiskAsymptomaticView(_CalculatorView):
    input_serializer = HighRiskInputSerializer

    def compute(self, facts: LesionFacts, serializer: HighRiskInputSerializer) -> RuleResult:
        return high_risk_asymptomatic(facts)

    @_schema(HighRiskInputSerializer, HighRiskResultSerializer, "High-risk asymptomatic bone metastasis")
    def post(self, request: Request) -> Response:
        return super().post(request)
