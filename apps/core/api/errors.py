"""Errors in the contract's shape: ``400 {"field": ["reason", ...]}``, 401, 403, 404, 409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import InvalidInput


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it; reload and try again."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "If-Match does not match the current version of the record."
    default_code = "precondition_failed"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Model-level validation raised inside a service becomes the same field-keyed 400 as a serializer's.
    if isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(detail=exc.errors)
    elif isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    # DRF answers 403 to an anonymous caller when the authenticator has no WWW-Authenticate header
    # (session auth); the contract promises 401 without credentials.
    if (
        response is not None
        and isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed)
        and response.status_code == status.HTTP_403_FORBIDDEN
    ):
        response.status_code = status.HTTP_401_UNAUTHORIZED
    return response
