"""The one check of an uploaded CSV DVH export, shared by the API and the import page.

Size: at most ``settings.DVH_CSV_MAX_BYTES`` (5 MiB by default; a DVH table of 40 structures is under 1 MB).
Content: UTF-8 text without NUL characters (``\\x00``), which PostgreSQL text cannot store and no DVH
export contains (a NUL means a binary file was chosen by mistake).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from apps.core.errors import InvalidInput


def csv_upload_text(upload: UploadedFile, field: str = "csv") -> str:
    """The upload's text, or ``InvalidInput({field: [reason]})``."""
    limit = int(settings.DVH_CSV_MAX_BYTES)
    if (upload.size or 0) > limit:
        raise InvalidInput({field: [f"is larger than {limit} bytes; a CSV DVH export is far smaller."]})
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise InvalidInput({field: [f"is larger than {limit} bytes; a CSV DVH export is far smaller."]})
    if b"\x00" in raw:
        raise InvalidInput({field: ["contains NUL characters (\\x00): choose the CSV DVH export, not a binary file."]})
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput({field: ["is not UTF-8 text: export the DVH as a UTF-8 CSV."]}) from exc
