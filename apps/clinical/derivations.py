"""Derivations from the case facts that more than one engine needs, computed one way for all of them.

Source: clinical-rules.md §1b ("unknown is a value, not a guess") and §6 (store the counts, derive the
class; never one cut-off for every purpose). Plain Python over ``apps.cases.facts``: no Django.

Bone metastases (:func:`bone_metastases`)
    Every ``LesionFacts`` of a case is a bone metastasis, so the case has at least as many bone metastases
    as recorded lesions. ``bone_metastases_count`` is believed when it is at least that number. A stated
    count *lower* than the recorded lesions cannot be right (4 lesions recorded, "2 bone metastases"): it is
    not believed, the count is unknown (asked for again as ``bone_metastases_count``) and bounded below by
    the recorded lesions, so a rule can still conclude what every possible count decides (at least 4
    recorded: "<= 3" is not met; "1-5" stays unknown). Before this module the risk engine believed the
    stated 2 while the trial matcher treated the same case as unknown; both now read this derivation.

Metastatic foci (:func:`metastatic_foci`)
    Bone plus visceral metastases (``CaseFacts.metastases_count``), exact when both counts are known (the
    bone count as above), otherwise bounded below: the believed bone count or the recorded lesions, plus
    the visceral count or 0. Brain metastases are recorded as a yes/no (``brain_metastases``) and counted
    only where the visceral count includes them.

The wording of an unknown answer is :func:`unknown_text` (``"unknown: needs <field>, ..."``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from apps.cases.facts import CaseFacts

BONE_COUNT_FIELD: Final = "bone_metastases_count"
VISCERAL_COUNT_FIELD: Final = "visceral_metastases_count"


def unknown_text(missing: Iterable[str]) -> str:
    """The fixed wording of an unknown answer: ``"unknown: needs pain, radiographic_type"``."""
    return "unknown: needs " + ", ".join(missing)


@dataclass(frozen=True, slots=True)
class Count:
    """A count as far as the facts establish it.

    ``value`` is the exact count, or None when it is not known; ``at_least`` is always a true lower bound
    (equal to ``value`` when known). ``missing`` names the fields that would make it exact; ``reason`` says
    why it is not known when "not recorded" would be wrong (a contradicted count), else None.
    """

    value: int | None
    at_least: int
    missing: tuple[str, ...] = ()
    reason: str | None = None

    def within(self, low: int, high: int) -> bool | None:
        """Whether the count lies in ``[low, high]``: True / False when every possible count agrees, else
        None. An unknown count is unbounded above, so only a lower bound above ``high`` decides it."""
        if self.value is not None:
            return low <= self.value <= high
        if self.at_least > high:
            return False
        return None

    def exceeds(self, maximum: int) -> bool | None:
        """Whether the count is above ``maximum``: True once the lower bound is, False only when exact."""
        if self.at_least > maximum:
            return True
        if self.value is not None:
            return False
        return None


@dataclass(frozen=True, slots=True)
class BoneCount(Count):
    """The case's bone metastases: :class:`Count` plus what was stated and what is recorded."""

    #: ``bone_metastases_count`` as entered (None when not recorded), believed or not.
    stated: int | None = None
    #: Number of lesions recorded on the case (each one a bone metastasis).
    recorded_lesions: int = 0

    @property
    def contradicted(self) -> bool:
        """True when a stated count is lower than the recorded lesions (and is therefore not believed)."""
        return self.stated is not None and self.stated < self.recorded_lesions

    @property
    def unrecorded(self) -> int | None:
        """Bone metastases not described as lesions (believed count minus recorded lesions), None when the
        count is not known."""
        return None if self.value is None else self.value - self.recorded_lesions

    def describe(self) -> str:
        """A short phrase for explanations: ``"4"``, ``"at least 4 (4 lesions recorded; ...)"``."""
        if self.value is not None:
            return str(self.value)
        if self.reason is not None:
            return f"at least {self.at_least} ({self.reason}, so it is not believed)"
        if self.recorded_lesions:
            return f"at least {self.at_least} (recorded lesions; {BONE_COUNT_FIELD} not recorded)"
        return f"unknown ({BONE_COUNT_FIELD} not recorded)"


def contradiction_text(stated: int, recorded_lesions: int) -> str:
    return f"{BONE_COUNT_FIELD} {stated} is lower than the {recorded_lesions} recorded lesions"


def bone_metastases(case: CaseFacts) -> BoneCount:
    """The bone-metastasis count the engines may rely on (see the module docstring).

    Source: clinical-rules.md §1b and §6.
    """
    recorded = len(case.lesions)
    stated = case.bone_metastases_count
    if stated is not None and stated >= recorded:
        return BoneCount(value=stated, at_least=stated, stated=stated, recorded_lesions=recorded)
    reason = None if stated is None else contradiction_text(stated, recorded)
    return BoneCount(
        value=None,
        at_least=recorded,
        missing=(BONE_COUNT_FIELD,),
        reason=reason,
        stated=stated,
        recorded_lesions=recorded,
    )


def metastatic_foci(case: CaseFacts) -> Count:
    """Bone plus visceral metastases, exact or bounded below (see the module docstring).

    Source: clinical-rules.md §6 (counts of metastatic foci).
    """
    bone = bone_metastases(case)
    visceral = case.visceral_metastases_count
    if bone.value is not None and visceral is not None:
        total = bone.value + visceral
        return Count(value=total, at_least=total)
    missing = tuple(name for name, value in ((BONE_COUNT_FIELD, bone.value), (VISCERAL_COUNT_FIELD, visceral)) if value is None)
    reason = None
    if bone.reason is not None:
        reason = bone.reason + (f"; {VISCERAL_COUNT_FIELD} not recorded" if visceral is None else "")
    return Count(value=None, at_least=bone.at_least + (visceral or 0), missing=missing, reason=reason)


__all__ = [
    "BONE_COUNT_FIELD",
    "VISCERAL_COUNT_FIELD",
    "BoneCount",
    "Count",
    "bone_metastases",
    "contradiction_text",
    "metastatic_foci",
    "unknown_text",
]
