"""The trial-criteria expression language: three-valued evaluation of a JSON expression tree.

An expression is a JSON object of one of these shapes (``docs/trial-criteria.md`` has the reference):

* ``{"field": F, "op": OP, "value": V}`` - a comparison on a case field, or on a lesion field inside a
  lesion quantifier;
* ``{"all": [E, ...]}``, ``{"any": [E, ...]}``, ``{"not": E}``;
* ``{"some_lesion": E}`` ("at least one lesion such that E"), ``{"no_lesion": E}``;
* ``{"count_lesions": {"where": E, "op": OP, "value": V}}`` ("the number of lesions such that E ...").

Any expression may carry a ``"label"``: a short clinical phrase used in explanations instead of the
generated description.

Results are three-valued (Kleene's strong logic), ordered ``not_met < unknown < met``:

* ``all``: ``not_met`` if any part is not met; else ``unknown`` if any part is unknown; else ``met``.
* ``any``: ``met`` if any part is met; else ``unknown`` if any part is unknown; else ``not_met``.
* ``not``: swaps ``met`` and ``not_met``; ``unknown`` stays ``unknown``.
* ``some_lesion E`` is ``any`` over the bone metastases; ``no_lesion E`` is ``not some_lesion E``.
* A comparison is ``unknown`` when the value it reads is not recorded, ``is_known`` excepted.
* ``count_lesions``: the count lies between the lesions that are met and those met or unknown; the
  comparison is decided when every count in that range decides it the same way.
* The quantifiers range over every bone metastasis: the recorded lesions plus those that
  ``bone_metastases_count`` says exist but that are not described (``fields.unrecorded_bone_metastases``).
  Each undescribed one is unknown for every condition and is asked for as ``lesions``; when the bone count
  itself is not recorded (or is lower than the recorded lesions) their number is unknown and
  ``bone_metastases_count`` is asked for. A recorded lesion that meets the condition still decides
  ``some_lesion`` / ``no_lesion``. So with 3 bone metastases and 1 recorded lesion "no femoral lesion" is
  unknown, not met (clinical-rules.md §1b: unknown is a value, not a guess).

An ``unknown`` result carries ``missing``: the fields that would decide it (lesion fields as
``lesions[i].field``, ``i`` counting from 0 in ``CaseFacts.lesions``).

``not`` is compiled away: negation is pushed to the leaves (De Morgan, valid in Kleene logic), where each
operator has an exact complement (``lt`` / ``ge``, ``in`` / ``not_in``, ``some_lesion`` / ``no_lesion``
...). Explanations are therefore always phrased positively ("trial excludes femur") and evaluating a
negation costs nothing.

The compiler assumes an expression that ``schema.validate_rule`` accepted; ``matcher.compile_trial``
validates before it compiles. The words of the explanations are ``explain.py``'s (compile vs explain).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from apps.cases.facts import CaseFacts
from apps.trials.engine.explain import (
    dedup,
    describe_comparison,
    describe_partial,
    describe_value,
    lesion_descriptor,
    operand_texts,
    unknown_text,
)
from apps.trials.engine.fields import (
    FieldSpec,
    Kind,
    Partial,
    Scope,
    field_spec,
    unrecorded_bone_metastases,
)

#: Truth values, ordered so that Kleene ``all`` is ``min`` and ``any`` is ``max`` and ``not`` is ``2 - x``.
NOT_MET, UNKNOWN, MET = 0, 1, 2


class Result(StrEnum):
    """The result of a criterion (or of any expression) for one case."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


RESULT_OF: tuple[Result, Result, Result] = (Result.NOT_MET, Result.UNKNOWN, Result.MET)
TRUTH_OF: dict[Result, int] = {Result.NOT_MET: NOT_MET, Result.UNKNOWN: UNKNOWN, Result.MET: MET}

Missing = tuple[str, ...]
Outcome = tuple[int, str, Missing]
TruthOutcome = tuple[int, Missing]
Evaluator = Callable[[Any, int], Outcome]
TruthEvaluator = Callable[[Any, int], TruthOutcome]


def kleene_all(results: Iterable[Result]) -> Result:
    """Kleene conjunction: any not_met -> not_met; else any unknown -> unknown; else met (empty: met)."""
    return RESULT_OF[min((TRUTH_OF[r] for r in results), default=MET)]


def kleene_any(results: Iterable[Result]) -> Result:
    """Kleene disjunction: any met -> met; else any unknown -> unknown; else not_met (empty: not_met)."""
    return RESULT_OF[max((TRUTH_OF[r] for r in results), default=NOT_MET)]


def kleene_not(result: Result) -> Result:
    """Kleene negation: swaps met and not_met; unknown stays unknown."""
    return RESULT_OF[MET - TRUTH_OF[result]]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled expression.

    ``evaluate(obj, index)`` returns ``(truth, explanation, missing)``; ``truth(obj, index)`` returns
    ``(truth, missing)`` without building text (used inside lesion quantifiers). ``obj`` is the
    ``CaseFacts`` (``index`` -1) or, inside a quantifier, one ``LesionFacts`` and its index.
    """

    evaluate: Evaluator
    truth: TruthEvaluator
    describe: str
    #: Fields the expression reads, as ``case:<name>`` / ``lesion:<name>``.
    fields: frozenset[str]
    #: True for an ``any`` with several parts: wrap in parentheses inside an ``all`` description.
    is_disjunction: bool = False


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """The result of evaluating one expression against a case."""

    result: Result
    explanation: str
    missing: tuple[str, ...]


def evaluate_rule(compiled: Compiled, facts: CaseFacts) -> RuleOutcome:
    """Evaluate a compiled case-level expression."""
    truth, text, missing = compiled.evaluate(facts, -1)
    return RuleOutcome(RESULT_OF[truth], text, missing)


# --------------------------------------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------------------------------------

#: The complement of every operator (internal complements ``outside``, ``lacks_any`` and ``is_unknown``
#: exist only after ``not`` has been pushed down; they are not part of the JSON language).
NEGATION: dict[str, str] = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "le": "gt",
    "gt": "le",
    "between": "outside",
    "outside": "between",
    "in": "not_in",
    "not_in": "in",
    "includes_any": "includes_none",
    "includes_none": "includes_any",
    "includes_all": "lacks_any",
    "lacks_any": "includes_all",
    "is_known": "is_unknown",
    "is_unknown": "is_known",
}

#: Every operator is a base test, possibly complemented: complements are computed by swapping met and
#: not_met, so an operator and its complement can never disagree, whatever is known.
BASE: dict[str, tuple[str, bool]] = {
    "eq": ("eq", False),
    "ne": ("eq", True),
    "lt": ("lt", False),
    "ge": ("lt", True),
    "le": ("le", False),
    "gt": ("le", True),
    "between": ("between", False),
    "outside": ("between", True),
    "in": ("in", False),
    "not_in": ("in", True),
    "includes_any": ("includes_any", False),
    "includes_none": ("includes_any", True),
    "includes_all": ("includes_all", False),
    "lacks_any": ("includes_all", True),
    "is_known": ("is_known", False),
    "is_unknown": ("is_known", True),
}


def _known_test(base: str, value: Any) -> Callable[[Any], bool]:
    if base == "eq":
        return lambda v: bool(v == value)
    if base == "lt":
        return lambda v: bool(v < value)
    if base == "le":
        return lambda v: bool(v <= value)
    if base == "between":
        low, high = value
        return lambda v: bool(low <= v <= high)
    if base == "in":
        members = frozenset(value)
        return lambda v: v in members
    if base == "includes_any":
        members = frozenset(value)
        return lambda v: not members.isdisjoint(v)
    if base == "includes_all":
        members = frozenset(value)
        return lambda v: members.issubset(v)
    raise ValueError(f"no test for operator {base!r}")


_INF = float("inf")


def _interval_test(base: str, value: Any, integer: bool) -> Callable[[float, float], int]:
    """Truth of a base operator over every number in ``[lo, hi]``: decided only if all agree."""

    def decide(always: bool, never: bool) -> int:
        return MET if always else NOT_MET if never else UNKNOWN

    if base == "eq":
        return lambda lo, hi: decide(lo == hi == value, value < lo or value > hi)
    if base == "lt":
        return lambda lo, hi: decide(hi < value, lo >= value)
    if base == "le":
        return lambda lo, hi: decide(hi <= value, lo > value)
    if base == "between":
        low, high = value
        return lambda lo, hi: decide(low <= lo and hi <= high, hi < low or lo > high)
    if base == "in":
        members = frozenset(value)

        def test_in(lo: float, hi: float) -> int:
            inside = [m for m in members if lo <= m <= hi]
            if lo == hi:
                return MET if lo in members else NOT_MET
            if not inside:
                return NOT_MET
            if integer and hi != _INF and all(n in members for n in range(int(lo), int(hi) + 1)):
                return MET
            return UNKNOWN

        return test_in
    raise ValueError(f"no interval test for operator {base!r}")


def _partial_test(base: str, value: Any, spec: FieldSpec) -> Callable[[Partial], int]:
    known = _known_test(base, value) if base != "is_known" else None
    numeric = spec.kind in (Kind.INTEGER, Kind.NUMBER) and base in ("eq", "lt", "le", "between", "in")
    interval = _interval_test(base, value, spec.kind is Kind.INTEGER) if numeric else None

    def test(partial: Partial) -> int:
        if known is None:  # is_known: a partly known value is not known
            return NOT_MET
        if partial.possible is not None:
            outcomes = {known(v) for v in partial.possible}
            return UNKNOWN if len(outcomes) > 1 else (MET if outcomes.pop() else NOT_MET)
        if interval is not None and (partial.lo is not None or partial.hi is not None):
            lo = partial.lo if partial.lo is not None else -_INF
            hi = partial.hi if partial.hi is not None else _INF
            return interval(lo, hi)
        return UNKNOWN

    return test


# --------------------------------------------------------------------------------------------------------
# Compiler
# --------------------------------------------------------------------------------------------------------


def _convert(spec: FieldSpec, op: str, raw: Any) -> Any:
    def one(value: Any) -> Any:
        if spec.kind is Kind.DATE:
            return date.fromisoformat(value)
        return value

    if op == "is_known":
        return None
    if op == "between":
        return (one(raw[0]), one(raw[1]))
    if op in ("in", "not_in", "includes_any", "includes_all", "includes_none"):
        return tuple(one(v) for v in raw)
    return one(raw)


def _qualify(missing: Missing, index: int) -> Missing:
    if index < 0:
        return missing
    return tuple(f"lesions[{index}].{name}" for name in missing)


#: Bound of each memo of outcomes (per compiled comparison / criterion): cleared, not evicted, when full.
_CACHE_SIZE = 512


def _compile_comparison(node: Mapping[str, Any], scope: Scope, negate: bool) -> Compiled:
    spec = field_spec(scope, node["field"])
    op = NEGATION[node["op"]] if negate else node["op"]
    base, swapped = BASE[op]
    value = _convert(spec, node["op"], node.get("value"))
    requirement, core = operand_texts(spec, op, value)
    describe = node.get("label") or describe_comparison(spec, op, value, core)
    get = spec.getter
    name = spec.name
    lesion_names: dict[int, Missing] = {}

    def missing_of(index: int) -> Missing:
        if index < 0:
            return (name,)
        cached = lesion_names.get(index)
        if cached is None:
            cached = lesion_names[index] = (f"lesions[{index}].{name}",)
        return cached

    fields = frozenset({f"{scope.value}:{name}"})

    if base == "is_known":
        # Decided whatever is recorded: it is the one operator that never answers unknown.
        present, absent = (NOT_MET, MET) if swapped else (MET, NOT_MET)

        def known_truth(obj: Any, index: int) -> TruthOutcome:
            v = get(obj)
            return (absent if v is None or type(v) is Partial else present), ()

        def known_evaluate(obj: Any, index: int) -> Outcome:
            v = get(obj)
            if v is None or type(v) is Partial:
                text = f"{spec.label} is not recorded"
                return absent, (text if swapped else f"{text}; trial {requirement}"), ()
            shown = describe_value(spec, v)
            return present, (f"{shown}; trial {requirement}" if swapped else shown), ()

        return Compiled(known_evaluate, known_truth, describe, fields)

    test = _known_test(base, value)
    partial_test = _partial_test(base, value, spec)
    yes, no = (NOT_MET, MET) if swapped else (MET, NOT_MET)
    suffix = f"; trial {requirement}"

    def truth(obj: Any, index: int) -> TruthOutcome:
        v = get(obj)
        if v is None:
            return UNKNOWN, missing_of(index)
        if type(v) is Partial:
            t = partial_test(v)
            if t == UNKNOWN:
                return UNKNOWN, _qualify(v.missing, index)
            return (MET - t if swapped else t), ()
        return (yes if test(v) else no), ()

    def compute(v: Any, index: int) -> Outcome:
        if v is None:
            missing = missing_of(index)
            return UNKNOWN, unknown_text(missing), missing
        if type(v) is Partial:
            t = partial_test(v)
            missing = _qualify(v.missing, index)
            if t == UNKNOWN:
                return UNKNOWN, unknown_text(missing), missing
            return (MET - t if swapped else t), describe_partial(spec, v, missing) + suffix, ()
        return (yes if test(v) else no), describe_value(spec, v) + suffix, ()

    # The outcome of a case-level comparison depends only on the value read, and values recur from case
    # to case (histologies, counts, statuses): memoise outcomes by value, in a bounded cache. Lesion-level
    # outcomes name the lesion's index and are not memoised. Unhashable values are simply computed.
    cache: dict[Any, Outcome] = {}

    def evaluate(obj: Any, index: int) -> Outcome:
        v = get(obj)
        if index >= 0:
            return compute(v, index)
        try:
            hit = cache.get(v)
        except TypeError:
            return compute(v, index)
        if hit is None:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            hit = cache[v] = compute(v, index)
        return hit

    return Compiled(evaluate, truth, describe, fields)


def _compile_junction(parts: list[Compiled], conjunction: bool, label: str | None) -> Compiled:
    evaluators = tuple(p.evaluate for p in parts)
    truths = tuple(p.truth for p in parts)
    fields = frozenset().union(*(p.fields for p in parts))
    if label:
        describe = label
    elif conjunction:
        describe = " and ".join(f"({p.describe})" if p.is_disjunction else p.describe for p in parts)
    else:
        describe = " or ".join(p.describe for p in parts)
    decisive, other = (NOT_MET, MET) if conjunction else (MET, NOT_MET)

    def truth(obj: Any, index: int) -> TruthOutcome:
        pending: Missing = ()
        for part in truths:
            t, missing = part(obj, index)
            if t == decisive:
                return decisive, ()
            if t == UNKNOWN:
                pending += missing
        if pending:
            return UNKNOWN, dedup(pending)
        return other, ()

    def evaluate(obj: Any, index: int) -> Outcome:
        outcomes = [part(obj, index) for part in evaluators]
        decided = [o for o in outcomes if o[0] == decisive]
        if decided:
            if conjunction:  # every failing part explains the failure
                return decisive, "; ".join(o[1] for o in decided), ()
            return decisive, decided[0][1], ()  # one met alternative is enough
        pending = dedup(name for o in outcomes if o[0] == UNKNOWN for name in o[2])
        if pending:
            return UNKNOWN, unknown_text(pending), pending
        return other, "; ".join(o[1] for o in outcomes), ()

    return Compiled(evaluate, truth, describe, fields, is_disjunction=not conjunction and len(parts) > 1)


#: What to ask for when bone metastases are counted but not described as lesions.
UNRECORDED_LESIONS = "lesions"
_BONE_COUNT = "bone_metastases_count"


def _undescribed(case: Any) -> tuple[int | None, Missing]:
    """(number of bone metastases not described as lesions, None if unknown; what to ask to describe them)."""
    unrecorded = unrecorded_bone_metastases(case)
    if unrecorded is None:
        return None, (_BONE_COUNT,)
    if unrecorded:
        return unrecorded, (UNRECORDED_LESIONS,)
    return 0, ()


def _undescribed_note(case: Any, unrecorded: int | None) -> str:
    if not unrecorded:
        return ""
    return f" ({unrecorded} of {case.bone_metastases_count} bone metastases not recorded as lesions)"


def _compile_some_lesion(part: Compiled, negate: bool, label: str | None) -> Compiled:
    """``some_lesion`` (``negate`` False) or ``no_lesion`` (``negate`` True)."""
    inner = part.truth
    describe_part = part.describe
    found, none_found = (NOT_MET, MET) if negate else (MET, NOT_MET)
    describe = label or f"{'no' if negate else 'a'} lesion with {describe_part}"

    def scan(case: Any) -> tuple[int, Missing]:
        """(index of the first lesion that meets the condition or -1, missing fields of unknown lesions and
        of bone metastases not described as lesions - each unknown for the condition)."""
        pending: Missing = ()
        for i, lesion in enumerate(case.lesions):
            t, missing = inner(lesion, i)
            if t == MET:
                return i, ()
            if t == UNKNOWN:
                pending += missing
        return -1, pending + _undescribed(case)[1]

    def truth(case: Any, index: int) -> TruthOutcome:
        witness, pending = scan(case)
        if witness >= 0:
            return found, ()
        if pending:
            return UNKNOWN, dedup(pending)
        return none_found, ()

    def evaluate(case: Any, index: int) -> Outcome:
        witness, pending = scan(case)
        if witness >= 0:
            where = lesion_descriptor(case.lesions[witness], witness)
            if negate:
                return found, f"{where}: {describe_part}; trial excludes such lesions", ()
            return found, f"{where}: {describe_part}", ()
        if pending:
            missing = dedup(pending)
            return UNKNOWN, unknown_text(missing), missing
        count = len(case.lesions)
        none = f"no recorded lesion meets: {describe_part} ({count} recorded)"
        if negate:
            return none_found, none, ()
        return none_found, f"{none}; trial requires at least one", ()

    return Compiled(evaluate, truth, describe, part.fields)


_COUNT_SPEC = FieldSpec(
    name="count_lesions",
    scope=Scope.CASE,
    kind=Kind.INTEGER,
    label="lesion count",
    getter=lambda obj: None,
    noun=("lesion", "lesions"),
)


def _always(obj: Any, index: int) -> TruthOutcome:
    return MET, ()


def _compile_count(node: Mapping[str, Any], negate: bool, label: str | None) -> Compiled:
    where = node.get("where")
    if where is not None:
        part = compile_expression(where, Scope.LESION)
        inner, describe_part, fields = part.truth, part.describe, part.fields
    else:
        inner, describe_part, fields = _always, "", frozenset[str]()
    op = NEGATION[node["op"]] if negate else node["op"]
    base, swapped = BASE[op]
    value = _convert(_COUNT_SPEC, node["op"], node["value"])
    requirement, core = operand_texts(_COUNT_SPEC, op, value)
    test = _known_test(base, value)
    partial_test = _partial_test(base, value, _COUNT_SPEC)
    lesions_meeting = f"recorded lesions meet: {describe_part}" if describe_part else "recorded lesions"
    describe = label or (f"{core} lesions with {describe_part}" if describe_part else f"{core} lesions")

    def tally(case: Any) -> tuple[int, float, Missing]:
        """(lesions met, lesions undecided - infinite when the undescribed bone metastases are not
        counted - and what would decide them)."""
        met = 0
        unknown: float = 0
        pending: Missing = ()
        for i, lesion in enumerate(case.lesions):
            t, missing = inner(lesion, i)
            if t == MET:
                met += 1
            elif t == UNKNOWN:
                unknown += 1
                pending += missing
        undescribed, asked = _undescribed(case)  # each may or may not meet the condition
        unknown += _INF if undescribed is None else undescribed
        return met, unknown, pending + asked

    def decide(met: int, unknown: float, pending: Missing) -> int:
        if unknown == 0:
            t = MET if test(met) else NOT_MET
        else:
            t = partial_test(Partial(missing=pending, lo=met, hi=met + unknown))
        return MET - t if swapped else t

    def truth(case: Any, index: int) -> TruthOutcome:
        met, unknown, pending = tally(case)
        t = decide(met, unknown, pending)
        return t, (dedup(pending) if t == UNKNOWN else ())

    def evaluate(case: Any, index: int) -> Outcome:
        met, unknown, pending = tally(case)
        t = decide(met, unknown, pending)
        if t == UNKNOWN:
            missing = dedup(pending)
            return UNKNOWN, unknown_text(missing), missing
        if unknown == 0:
            counted = str(met)
        elif unknown == _INF:
            counted = f"at least {met}"
        else:
            counted = f"{met}-{met + int(unknown)}"
        total = len(case.lesions)
        note = _undescribed_note(case, unrecorded_bone_metastases(case))
        if describe_part:
            return t, f"{counted} of {total} {lesions_meeting}{note}; trial {requirement}", ()
        return t, f"{counted} {lesions_meeting}{note}; trial {requirement}", ()

    return Compiled(evaluate, truth, describe, fields)


def compile_expression(node: Mapping[str, Any], scope: Scope = Scope.CASE, *, negate: bool = False) -> Compiled:
    """Compile a (schema-valid) expression into closures; ``negate`` compiles ``not node``."""
    label = node.get("label")
    if negate and label:
        label = f"not ({label})"
    if "field" in node:
        return _compile_comparison(node, scope, negate)
    if "all" in node or "any" in node:
        conjunction = "all" in node
        parts = [compile_expression(child, scope, negate=negate) for child in node["all" if conjunction else "any"]]
        # De Morgan: not(all) = any(not ...), not(any) = all(not ...).
        return _compile_junction(parts, conjunction != negate, label)
    if "not" in node:
        inner = compile_expression(node["not"], scope, negate=not negate)
        if label and not negate:
            return Compiled(inner.evaluate, inner.truth, label, inner.fields, inner.is_disjunction)
        return inner
    if "some_lesion" in node or "no_lesion" in node:
        some = "some_lesion" in node
        part = compile_expression(node["some_lesion" if some else "no_lesion"], Scope.LESION)
        return _compile_some_lesion(part, negate=some == negate, label=label)
    if "count_lesions" in node:
        return _compile_count(node["count_lesions"], negate, label)
    raise ValueError(f"not an expression: {sorted(node)}")
