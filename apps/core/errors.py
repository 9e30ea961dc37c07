"""Domain errors raised by services; the API turns them into the contract's responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The reasons of a body's key that is not a field of its endpoint (issue 15): the API's one wording
#: (``apps.core.api.serializers``), used by services that check keys of their own as a backstop too.
UNKNOWN_FIELD = "unknown field"
READ_ONLY_FIELD = "read-only field"


class InvalidInput(Exception):
    """Input a clinician must correct: ``errors`` maps each field (nested for lists) to its reasons."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__(str(dict(errors)))
        self.errors = dict(errors)
