"""Helpers shared by the points scores (Mirels, SINS)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from apps.risk.engine.results import Component

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def possible_range(components: Sequence[Component], unknown_spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """(lowest, highest) total given the known components and the (min, max) points of each unknown one."""
    known = sum(c.points for c in components if c.points is not None)
    return (
        known + sum(low for low, _ in unknown_spans),
        known + sum(high for _, high in unknown_spans),
    )


def invalid_note(field: str, value: object) -> str:
    # str(), not repr(): a memo key matches an enum member and its code alike, so the text must too.
    return f"{field} '{value}' is not a code of the vocabulary: treated as unknown"


#: Most entries a memo table keeps before it starts afresh: bounds a worker's memory whatever it sees.
MEMO_LIMIT = 16_384


def remember(memo: dict[K, V], key: K, value: V) -> V:
    """Store ``value`` under ``key`` and return it; clears the table first when it is full.

    The rules memoise results that are pure functions of a few enum-valued inputs (the results are
    immutable, so sharing them is safe): the hot path becomes one dict lookup.
    """
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
    return value
