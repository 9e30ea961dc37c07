"""The project's renderers: JSON that writes pre-encoded fragments (:class:`apps.core.rawjson.RawJSON`)
verbatim, and DRF's browsable API with the site's name and icon."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import renderers
from rest_framework.compat import INDENT_SEPARATORS, LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from apps.core import rawjson


class FragmentJSONRenderer(JSONRenderer):
    """DRF's ``JSONRenderer`` (same separators, indent, escaping), plus :class:`RawJSON` fragments."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        separators = INDENT_SEPARATORS if indent is not None else SHORT_SEPARATORS if self.compact else LONG_SEPARATORS
        assert self.encoder_class is JSONEncoder  # rawjson.dumps extends DRF's encoder
        text = rawjson.dumps(
            data, indent=indent, ensure_ascii=self.ensure_ascii, allow_nan=not self.strict, separators=separators
        )
        # As DRF does: a strict JavaScript subset (stored text may hold raw U+2028/U+2029).
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API (an endpoint opened in a browser) under the site's name and icon: DRF's page
    links no icon, so the browser asked for ``/favicon.ico`` and logged a 404 (found by the browser test
    of its CSP)."""

    template = "core/browsable_api.html"
