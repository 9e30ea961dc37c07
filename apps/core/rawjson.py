"""Pre-encoded JSON fragments spliced into a response unchanged (issue 16).

A stored derived result (a risk assessment, a dose summary, treatment options) is JSON already: the
database hands it back as text (``Cast(field, TextField())``) and the response carries that text as it
is, instead of decoding it into Python objects only to encode them again. :func:`dumps` is
``json.dumps`` with DRF's encoder plus :class:`RawJSON`: each fragment is replaced by a marker the
encoder writes as a string, and the marker (with a per-call random nonce, so no stored text can forge
one) is then replaced by the fragment's text.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from rest_framework.utils.encoders import JSONEncoder


class RawJSON:
    """JSON text that is already valid (read from a JSON column): written into the response verbatim."""

    __slots__ = ("text",)

    def __init__(self, text: str | None) -> None:
        self.text = "null" if text is None else text

    def decoded(self) -> Any:
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"RawJSON({self.text[:40]!r}...)"


class _FragmentEncoder(JSONEncoder):
    def __init__(self, *args: Any, fragments: list[str], marker: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fragments = fragments
        self._marker = marker

    def default(self, obj: Any) -> Any:
        if isinstance(obj, RawJSON):
            self._fragments.append(obj.text)
            return f"{self._marker}{len(self._fragments) - 1}"
        return super().default(obj)


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps(data, cls=DRF's JSONEncoder, **kwargs)`` with every :class:`RawJSON` spliced in."""
    fragments: list[str] = []
    marker = f"\x00{secrets.token_hex(8)}:"
    text = json.dumps(data, cls=_FragmentEncoder, fragments=fragments, marker=marker, **kwargs)
    if not fragments:
        return text
    # The marker as the encoder wrote it (the NUL escaped), without its closing quote.
    written = json.dumps(marker)[:-1]
    return re.sub(re.escape(written) + r'(\d+)"', lambda m: fragments[int(m.group(1))], text)


def decoded(data: Any) -> Any:
    """``data`` with every :class:`RawJSON` decoded (for callers that need Python values)."""
    if isinstance(data, RawJSON):
        return data.decoded()
    if isinstance(data, dict):
        return {key: decoded(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [decoded(value) for value in data]
    return data
