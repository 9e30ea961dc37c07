"""Stateless dose calculators: BED/EQD2 of a regimen or SIB, and cumulative re-irradiation EQD2.

The pure dose engine validates the body and raises ``DoseInputError``; its ``as_dict()`` (field paths such
as ``levels[0].fractions``) is the ``400`` body. Figures are rounded to 2 decimals only in the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.serializers import refuse_unknown_fields
from apps.dosimetry.api.serializers import (
    DoseRequestSerializer,
    DoseResponseSerializer,
    ReirradiationRequestSerializer,
    ReirradiationResponseSerializer,
)
from apps.dosimetry.engine import (
    ENGINE_VERSION,
    SAHGAL_CHECK_KINDS,
    SAHGAL_ORGANS,
    DoseInputError,
    FieldError,
    ReirradiationResult,
    evaluate,
    reirradiation_sum,
    spinal_cord_sbrt_reirradiation,
)
from apps.dosimetry.engine.bounds import alpha_beta_bound_errors, eqd2_bound_errors, levels_bound_errors
from apps.dosimetry.engine.lq import round_half_up
from apps.dosimetry.engine.reirradiation import SAHGAL_ALPHA_BETA, SBRT_MAX_FRACTIONS

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


def _body(
    request: Request, schema: serializers.BaseSerializer[Any], required: tuple[str, ...]
) -> tuple[Mapping[str, Any], dict[str, list[str]]]:
    """The JSON object body and the errors of its missing required keys; a key the schema serializer does
    not take (a typo such as ``alpha_bet``) is a 400 naming it first (issue 15), never silently ignored."""
    data = request.data
    if not isinstance(data, Mapping):
        return {}, {"non_field_errors": ["Expected a JSON object."]}
    refuse_unknown_fields(data, schema)
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
        data, missing = _body(request, DoseRequestSerializer(), ("levels", "alpha_beta"))
        if missing:
            return _bad_request(missing)
        levels = data["levels"]
        # Clinical bounds first (engine/bounds.py): an absurd figure is a 400 naming it, never an overflow.
        bounded = levels_bound_errors(levels) + alpha_beta_bound_errors(data["alpha_beta"])
        if bounded:
            return _bad_request(DoseInputError(errors=bounded).as_dict())
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
        data, missing = _body(request, ReirradiationRequestSerializer(), ("organ", "courses"))
        if missing:
            return _bad_request(missing)
        bounded = levels_bound_errors(data["courses"], "courses")
        if data.get("alpha_beta") is not None:
            bounded += alpha_beta_bound_errors(data["alpha_beta"])
        if data.get("limit_eqd2_gy") is not None:
            bounded += eqd2_bound_errors(data["limit_eqd2_gy"], "limit_eqd2_gy")
        if bounded:
            return _bad_request(DoseInputError(errors=bounded).as_dict())
        try:
            result = reirradiation_sum(
                data["organ"],
                data["courses"],
                alpha_beta=data.get("alpha_beta"),
                limit_eqd2_gy=data.get("limit_eqd2_gy"),
            )
        except DoseInputError as exc:
            return _bad_request(exc.as_dict())
        try:
            checks = sahgal_checks(result, data["courses"])
        except DoseInputError as exc:
            return _bad_request(exc.as_dict())
        payload = result.to_dict(DECIMALS)
        payload["checks"] = checks
        if checks and result.alpha_beta != SAHGAL_ALPHA_BETA:
            payload["warnings"].append(
                f"The Sahgal 2012 checks are computed at alpha/beta {SAHGAL_ALPHA_BETA:g} (their own scale), "
                f"not at the alpha/beta {result.alpha_beta:g} of the cumulative sum above."
            )
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


def _course_field(name: str, prior_count: int) -> str:
    """The engine's ``prior_courses[i].x`` / ``sbrt_course.x`` as the body's ``courses[i].x``."""
    if name.startswith("sbrt_course"):
        return f"courses[{prior_count}]" + name.removeprefix("sbrt_course")
    return name.replace("prior_courses[", "courses[", 1)


def sahgal_checks(result: ReirradiationResult, courses: list[Any]) -> list[dict[str, Any]]:
    """The contract's ``checks``: one entry per Sahgal 2012 check (``cumulative``, ``sbrt_course``,
    ``share``, ``interval``) when the organ is the spinal cord or thecal sac, there is at least one prior
    course and the last course (the re-irradiation) has 1-5 fractions; otherwise ``[]``.

    The checks are on Sahgal's own scale (EQD2 at alpha/beta 2) whatever ``alpha_beta`` the sum used; a
    prior course dated after the last course makes ``interval`` unknown (it says why) rather than
    rejecting the body. ``courses`` were validated by the cumulative sum already.
    """
    if result.organ not in SAHGAL_ORGANS or len(result.courses) < 2 or result.courses[-1].fractions > SBRT_MAX_FRACTIONS:
        return []
    try:
        assessment = spinal_cord_sbrt_reirradiation(courses[:-1], courses[-1], strict_chronology=False)
    except DoseInputError as exc:  # an overflow at alpha/beta 2: name the body's fields
        prior_count = len(courses) - 1
        raise DoseInputError(errors=[FieldError(_course_field(e.field, prior_count), e.reason) for e in exc.errors]) from exc
    return [
        {
            "code": SAHGAL_CHECK_KINDS[check.code],
            "status": check.status.value,
            "value": None if check.measured is None else round_half_up(check.measured, DECIMALS),
            "limit": check.limit,
            "unit": check.unit,
            "text": check.text,
            "source": check.source,
        }
        for check in assessment.checks
    ]
