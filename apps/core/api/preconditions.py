"""Optimistic concurrency of the API: ``ETag`` / ``If-Match`` (RFC 9110 §13.1.1, RFC 6585 §3).

Every record of clinical content that the API updates has a version (``Case.revision``, the plan's
``revision``, the meeting's ``agenda_version``); it is the record's ``ETag``. An update must send it back
as ``If-Match``: the service re-checks it under ``SELECT ... FOR UPDATE`` and refuses a stale one (412), so
of two clients editing the same version the second learns it instead of silently overwriting the first.
Without ``If-Match`` the update answers ``428 Precondition Required``.

The one exception the contract forces: ``PATCH /api/v1/decisions/{id}/`` ("read and edit a draft") was
promised without ``If-Match``, so there it is honoured when sent and optional (docs/api.md).
"""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.request import Request

from apps.core.api.errors import PreconditionFailed


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "This update needs If-Match with the ETag of the version you edited; read the record first."
    default_code = "precondition_required"


def etag(version: int | str) -> str:
    """The strong ETag of a version: ``"<version>"``."""
    return f'"{version}"'


def if_match(request: Request, *, what: str, required: bool = True) -> str | None:
    """The version named by ``If-Match`` (the ETag without quotes), or None when absent and optional.

    ``what`` names the record in the messages ("case", "plan", "agenda"). A malformed value (a list, ``*``)
    is a 412: the caller cannot have read that version.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise PreconditionRequired(
                f"Send If-Match with the {what}'s ETag (the version you edited): updates of clinical content "
                "are refused without it so that no one overwrites a change they have not seen."
            )
        return None
    value = header.removeprefix("W/").strip('"')
    if not value or "," in header or value == "*":
        raise PreconditionFailed(f"If-Match must be the {what}'s ETag (one version), not {header!r}.")
    return value


def if_match_int(request: Request, *, what: str, required: bool = True) -> int | None:
    """``if_match`` for records whose version is a whole number."""
    value = if_match(request, what=what, required=required)
    if value is None:
        return None
    if not value.isdigit():
        raise PreconditionFailed(f"If-Match must be the {what}'s ETag (its version number), not {value!r}.")
    return int(value)
