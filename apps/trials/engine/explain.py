"""The trial-criteria language's explanations: the words a clinician reads for a value, a comparison,
a partly known value and a lesion. Plain Python.

Split from the compiler (``language.py``, issue 10: compile vs explain): the compiler decides, this
module says it. Explanations are phrased positively ("trial excludes femur"); numbers are rounded to one
decimal; an unknown names the fields that would decide it (``apps.clinical.derivations.unknown_text``,
the one wording of every engine).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from apps.cases.facts import LesionFacts
from apps.clinical.derivations import unknown_text
from apps.trials.engine.fields import NOT_APPLICABLE, FieldSpec, Kind, Partial

__all__ = [
    "dedup",
    "describe_comparison",
    "describe_partial",
    "describe_value",
    "format_number",
    "format_value",
    "join_and",
    "join_or",
    "lesion_descriptor",
    "operand_texts",
    "unknown_text",
]

Missing = tuple[str, ...]
_INF = float("inf")


def format_number(value: float) -> str:
    if isinstance(value, float):
        if value in (_INF, -_INF):
            return "unbounded"
        rounded = round(value, 1)
        return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return str(value)


def _join(items: Sequence[str], last: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def join_or(items: Sequence[str]) -> str:
    return _join(items, "or")


def join_and(items: Sequence[str]) -> str:
    return _join(items, "and")


def format_value(spec: FieldSpec, value: Any, *, unit: bool = True) -> str:
    if spec.kind is Kind.BOOLEAN:
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if spec.kind in (Kind.INTEGER, Kind.NUMBER):
        text = format_number(value)
        return f"{text} {spec.unit}" if unit and spec.unit else text
    return str(value)


def describe_value(spec: FieldSpec, value: Any) -> str:
    """The value as a clinician reads it: "3 metastases", "primary histology is renal_cell"."""
    if value == NOT_APPLICABLE:
        return f"{spec.label}: not applicable"
    if spec.noun is not None and spec.kind is Kind.INTEGER:
        singular, plural = spec.noun
        return f"{format_number(value)} {singular if value == 1 else plural}"
    if spec.kind is Kind.BOOLEAN:
        return f"{spec.label}: {'yes' if value else 'no'}"
    if spec.kind is Kind.SET:
        return f"{spec.label}: {', '.join(str(v) for v in value) or 'none'}"
    return f"{spec.label} is {format_value(spec, value)}"


def describe_partial(spec: FieldSpec, partial: Partial, missing: Missing) -> str:
    reason = partial.reason or f"{', '.join(missing)} not recorded"
    if partial.possible is not None:
        values = sorted(format_value(spec, v) for v in partial.possible)
        return f"{spec.label} is {join_or(values)} ({reason})"
    if partial.lo is not None and partial.hi is None:
        bound = f"at least {format_number(partial.lo)}"
    elif partial.lo is None and partial.hi is not None:
        bound = f"at most {format_number(partial.hi)}"
    else:
        bound = f"{format_number(partial.lo or 0)}-{format_number(partial.hi or 0)}"
    if spec.noun is not None:
        return f"{bound} {spec.noun[1]} ({reason})"
    return f"{spec.label} {bound}{' ' + spec.unit if spec.unit else ''} ({reason})"


def operand_texts(spec: FieldSpec, op: str, value: Any) -> tuple[str, str]:
    """(requirement after "trial ...", description after the field label) for an effective operator."""
    unit = spec.noun is None

    def one(v: Any) -> str:
        return format_value(spec, v, unit=unit)

    def plain(v: Any) -> str:
        return format_value(spec, v, unit=False)

    if op in ("between", "outside"):
        low, high = value
        suffix = f" {spec.unit}" if unit and spec.unit else ""
        span = f"{plain(low)}-{plain(high)}{suffix}"
        if op == "between":
            return f"allows {span}", f"between {one(low)} and {one(high)}"
        return f"excludes {span}", f"outside {span}"
    if op in ("in", "not_in", "includes_any", "includes_none", "includes_all", "lacks_any"):
        items = [plain(v) for v in value]
        return {
            "in": (f"requires {join_or(items)}", f"is {join_or(items)}"),
            "not_in": (f"excludes {join_or(items)}", f"is not {join_or(items)}"),
            "includes_any": (f"requires any of {join_or(items)}", f"includes {join_or(items)}"),
            "includes_none": (f"excludes {join_or(items)}", f"includes none of {join_or(items)}"),
            "includes_all": (f"requires all of {join_and(items)}", f"includes {join_and(items)}"),
            "lacks_any": (f"requires not all of {join_and(items)}", f"lacks one of {join_and(items)}"),
        }[op]
    if op == "is_known":
        return f"requires {spec.label} to be recorded", "recorded"
    if op == "is_unknown":
        return f"requires {spec.label} not to be recorded", "not recorded"
    text = one(value)
    return {
        "eq": (f"requires {text}", f"is {text}"),
        "ne": (f"excludes {text}", f"is not {text}"),
        "lt": (f"requires less than {text}", f"below {text}"),
        "ge": (f"requires at least {text}", f"at least {text}"),
        "le": (f"allows at most {text}", f"at most {text}"),
        "gt": (f"requires more than {text}", f"above {text}"),
    }[op]


def describe_comparison(spec: FieldSpec, op: str, value: Any, core: str) -> str:
    if spec.kind is Kind.BOOLEAN and op in ("eq", "ne"):
        positive = bool(value) == (op == "eq")
        return spec.label if positive else f"not {spec.label}"
    return f"{spec.label} {core}"


def dedup(names: Iterable[str]) -> Missing:
    return tuple(dict.fromkeys(names))


def lesion_descriptor(lesion: LesionFacts, index: int) -> str:
    """Name a lesion for a clinician, e.g. "lesion 2 (thoracic_spine, T11-T12)" (1-based position)."""
    parts = [str(lesion.site)]
    if lesion.level_from:
        same = not lesion.level_to or lesion.level_to == lesion.level_from
        parts.append(lesion.level_from if same else f"{lesion.level_from}-{lesion.level_to}")
    if lesion.subsite:
        parts.append(str(lesion.subsite))
    return f"lesion {index + 1} ({', '.join(parts)})"
