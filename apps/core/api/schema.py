"""The error answers every operation can give, documented in the OpenAPI schema (issue 15).

A drf-spectacular postprocessing hook adds, where a view did not document them itself, the status codes
the shared machinery answers: 400 (bad input, field-keyed), 401 (no credentials), 403 (role or board),
404 (an object outside the user's boards), 413 (body too large, apps.core.middleware), 409/412/428 on
updates (apps.core.api.preconditions) and 422 on creates (an Idempotency-Key reused with another body,
apps.core.idempotency). schemathesis' status-code check holds the API to this list.
"""

from __future__ import annotations

from typing import Any

_ERROR_BODY = {"type": "object", "additionalProperties": True, "description": 'Field-keyed reasons or {"detail": ...}.'}

_DESCRIPTIONS = {
    "400": 'Invalid input: `{"field": ["reason", ...]}` (nested for lists), or a body nested too deep / with NUL.',
    "401": "No credentials.",
    "403": "The role or board membership does not allow this.",
    "404": "No such object on the user's boards.",
    "405": "Method not allowed for this resource.",
    "409": "Conflicts with the record's state (e.g. a signed decision, a stale agenda version).",
    "412": "If-Match names a version that is no longer current; nothing was saved.",
    "413": "Request body larger than the limit (JSON error body).",
    "422": "Idempotency-Key already used with another request.",
    "428": "If-Match required: send the ETag of the version you edited.",
}


def _codes(method: str, path: str) -> list[str]:
    codes = ["400", "401", "403", "404", "405"]
    if method in {"post", "put", "patch"}:
        codes += ["409", "413"]
    if method in {"put", "patch", "delete"}:
        codes += ["409", "412", "428"]
    if method == "post":
        codes += ["412", "422", "428"]
    return codes


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry: add the shared error responses to every operation."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _codes(method, path):
                responses.setdefault(
                    code, {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": _ERROR_BODY}}}
                )
    return result
