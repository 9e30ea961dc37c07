"""Stateless dose calculators: BED/EQD2 of a regimen or SIB, and cumulative re-irradiation EQD2.

The pure dose engine validates the body and raises ``DoseInputError``; its ``as_dict()`` (field paths such
as ``levels[0].fractions``) is the ``400`` body. Figures are rounded to 2 decimals only in the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.dosimetry.api.serializers import (
    DoseRequestSerializer,
    DoseResponseSerializer,
    ReirradiationRequestSerializer,
    ReirradiationResponseSerializer,
)
from apps.dosimetry.engine import ENGINE_VERSION, DoseInputError, evaluate, reirradiation_sum

DECIMALS = 2
DOSE_SOURCE = (
    "Linear-quadratic model, clinical-rules.md §7: BED = D (1 + d / ab), EQD2 = BED / (1 + 2 / ab); "
    "002_eaa0f11dde358788.txt (SIB 30/40 Gy in 10 fractions; alpha/beta 0.87 cord, 2 cauda equina)"
)
REIRRADIATION_SOURCE = (
    "clinical-rules.md §7: cumulative EQD2 of every course at the organ's alpha/beta against its cumulative "
    "limit; Sahgal A et al., IJROBP 2012;82:107-116; HyTEC, Sahgal A et al., IJROBP 2021;110:124-136"
)
REQUIRED = "This field is required."

_ERRORS = {
    400: OpenApiResponse(description='Invalid input: `{"field": ["reason", ...]}`, field paths such as `levels[0].fractions`.'),
    401: OpenApiResponse(description="No credentials."),
}


def _body(request: Request, required: tuple[str, ...]) -> tuple[Mapping[str, Any], dict[str, list[str]]]:
    """The JSON object body and the errors of its missing required keys."""
    data = request.data
    if not isinstance(data, Mapping):
        return {}, {"non_field_errors": ["Expected a JSON object."]}
    missing = {name: [REQUIRED] for name in required if data.get(name) is None}
    return data, missing


def _bad_request(errors: Mapping[str, list[str]]) -> Response:
    return Response(dict(errors), status=status.HTTP_400_BAD_REQUEST)


class DoseCalculatorView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["calculators"],
        summary="BED and EQD2 of a regimen or a simultaneous integrated boost",
        request=DoseRequestSerializer,
        responses={200: DoseResponseSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data, missing = _body(request, ("levels", "alpha_beta"))
        if missing:
            return _bad_request(missing)
        levels = data["levels"]
        try:
            result = evaluate(levels, data["alpha_beta"])
        except DoseInputError as exc:
            return _bad_request(exc.as_dict())
        payload = result.to_dict(DECIMALS)
        payload["is_sib"] = result.is_sib
        payload["inputs"] = {
            "levels": [{"fractions": level["fractions"], "total_dose_gy": level["total_dose_gy"]} for level in levels],
            "alpha_beta": data["alpha_beta"],
        }
        payload["source"] = DOSE_SOURCE
        payload["engine_version"] = ENGINE_VERSION
        return Response(payload)


class ReirradiationCalculatorView(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["calculators"],
        summary="Cumulative EQD2 of radiotherapy courses to one organ against its limit",
        request=ReirradiationRequestSerializer,
        responses={200: ReirradiationResponseSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        # alpha_beta may be left out: the organ's default ratio (with its source) is used then.
        data, missing = _body(request, ("organ", "courses"))
        if missing:
            return _bad_request(missing)
        try:
            result = reirradiation_sum(
                data["organ"],
                data["courses"],
                alpha_beta=data.get("alpha_beta"),
                limit_eqd2_gy=data.get("limit_eqd2_gy"),
            )
        except DoseInputError as exc:
            return _bad_request(exc.as_dict())
        payload = result.to_dict(DECIMALS)
        payload["inputs"] = {
            "organ": data["organ"],
            "alpha_beta": data.get("alpha_beta"),
            "limit_eqd2_gy": data.get("limit_eqd2_gy"),
            "courses": [
                {
                    "fractions": course["fractions"],
                    "total_dose_gy": course["total_dose_gy"],
                    "date": course.get("date"),
                }
                for course in data["courses"]
            ],
        }
        payload["source"] = REIRRADIATION_SOURCE
        payload["engine_version"] = ENGINE_VERSION
        return Response(payload)
