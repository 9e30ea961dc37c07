"""CSV for the report endpoints (``?format=csv`` or ``Accept: text/csv``): a header row, then one row per item."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else value


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts; the columns are the view's ``csv_columns`` (else the first row's keys).

    An error body (a dict such as ``{"detail": ...}``) is rendered as one row of its keys.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        rows = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        view = (renderer_context or {}).get("view")
        columns = list(getattr(view, "csv_columns", ()) or [])
        if not columns or (rows and not set(columns) & set(rows[0])):
            columns = list(rows[0]) if rows else columns
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        return out.getvalue().encode(self.charset)
