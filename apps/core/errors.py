"""Domain errors raised by services; the API turns them into the contract's responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class InvalidInput(Exception):
    """Input a clinician must correct: ``errors`` maps each field (nested for lists) to its reasons."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__(str(dict(errors)))
        self.errors = dict(errors)
