"""Anatomical overlap of a radiotherapy course with a planned one: which prior courses are re-irradiation.

source: clinical-rules.md §1 (laterality, added 2026-12) and §7 ("same region" is anatomical overlap,
never text equality).

A :class:`Target` is the structured treated region: vertebral levels (``level_from``/``level_to``) for a
spinal course, or a bone ``site`` with its ``laterality`` otherwise; ``label`` is the free text kept for
display and never compared. :func:`target_overlap` decides, for a planned target and a prior one:

* **spine**: both targets spinal (a spinal ``site`` code or levels given) and both with levels: they
  overlap when the level ranges intersect (a prior T7-T9 reaches a T8 plan); contiguous but disjoint
  ranges (T7-T9 and T10) are ``separate`` and the reason says they are adjacent, because a field edge may
  still reach the neighbouring level. A spinal target without levels is ``unknown: needs level_from``.
* **other sites**: ``separate`` when the sites differ (a spinal target against a non-spinal one included);
  for the same site, ``overlaps`` when the lateralities agree or either is ``bilateral``, ``separate`` for
  left against right. Sternum and skull are midline bones: the same site overlaps whatever is recorded.
  A missing laterality on a paired site is ``unknown: needs laterality``; the site ``other`` cannot be
  compared (``unknown``): it names no bone.
* A target with neither site nor levels (e.g. a course recorded before structured targets, with only a
  free-text region) is ``unknown``: it is listed, never dropped (the dose summary counts it in the
  worst-case sum, see ``summary.py``).

Pure Python: the codes are those of ``apps.cases.vocabulary`` (``Site``, vertebral levels).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from apps.cases.facts import PriorCourseFacts
from apps.cases.vocabulary import LEVEL_INDEX, MIDLINE_SITES, SPINAL_SITES, Laterality, Site, lateralities_for, levels_between

#: Laterality codes (clinical-rules.md §1, added 2026-12).
LATERALITIES: tuple[str, ...] = tuple(lat.value for lat in Laterality)
_SPINAL_CODES: frozenset[str] = frozenset(str(s) for s in SPINAL_SITES)


class Overlap(StrEnum):
    """Whether a prior course reached the planned target."""

    OVERLAPS = "overlaps"
    SEPARATE = "separate"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Target:
    """A treated region: ``site`` (a ``Site`` code), vertebral levels, ``laterality``; ``label`` is display only."""

    site: str | None = None
    level_from: str | None = None
    level_to: str | None = None
    laterality: str | None = None
    label: str = ""

    @property
    def is_spinal(self) -> bool:
        return self.level_from is not None or (self.site is not None and self.site in _SPINAL_CODES)

    @property
    def is_empty(self) -> bool:
        return self.site is None and self.level_from is None

    @property
    def levels_text(self) -> str:
        if self.level_from is None:
            return ""
        if self.level_to is None or self.level_to == self.level_from:
            return self.level_from
        return f"{self.level_from}-{self.level_to}"

    def describe(self) -> str:
        """Short anatomical description (``T7-T9``, ``left femur``, ``femur``), falling back to the label."""
        if self.level_from is not None:
            return self.levels_text
        if self.site is not None:
            side = self.laterality if self.laterality and self.laterality != "midline" else ""
            return f"{side} {self.site.replace('_', ' ')}".strip()
        return self.label or "unspecified region"

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "level_from": self.level_from,
            "level_to": self.level_to,
            "laterality": self.laterality,
            "label": self.label,
        }


def target_errors(target: Target, field: str) -> list[tuple[str, str]]:
    """``(field path, reason)`` for every incoherent part of ``target`` (unknown codes, reversed levels,
    levels on a non-spinal site, a laterality other than midline on the spine, sternum or skull)."""
    errors: list[tuple[str, str]] = []
    sites = {s.value for s in Site}
    if target.site is not None and target.site not in sites:
        errors.append((f"{field}site", f"unknown site {target.site!r}: must be one of {', '.join(sorted(sites))}"))
    for name in ("level_from", "level_to"):
        value = getattr(target, name)
        if value is not None and value not in LEVEL_INDEX:
            errors.append((f"{field}{name}", f"unknown vertebral level {value!r}"))
    if target.level_to is not None and target.level_from is None:
        errors.append((f"{field}level_to", "needs level_from"))
    if (
        target.level_from in LEVEL_INDEX
        and target.level_to in LEVEL_INDEX
        and LEVEL_INDEX[target.level_to] < LEVEL_INDEX[target.level_from]
    ):
        errors.append((f"{field}level_to", f"{target.level_to} lies above level_from {target.level_from}"))
    if target.level_from is not None and target.site is not None and target.site not in _SPINAL_CODES:
        errors.append((f"{field}level_from", f"vertebral levels need a spinal site, not {target.site}"))
    if target.laterality is not None:
        if target.laterality not in LATERALITIES:
            allowed = ", ".join(LATERALITIES)
            errors.append((f"{field}laterality", f"unknown laterality {target.laterality!r}: must be one of {allowed}"))
        elif target.is_spinal and target.laterality != Laterality.MIDLINE:
            errors.append((f"{field}laterality", "the spine, sternum and skull take only midline"))
        elif target.site in sites:
            allowed_here = lateralities_for(Site(target.site))
            if target.laterality not in allowed_here:
                errors.append(
                    (
                        f"{field}laterality",
                        f"{target.laterality} does not describe the {target.site}; allowed: {', '.join(sorted(allowed_here))}",
                    )
                )
    return errors


@dataclass(frozen=True, slots=True)
class OverlapResult:
    """The decision for one prior course, why, and (when unknown) the fields that would decide it."""

    status: Overlap
    reason: str
    needs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"overlap": self.status.value, "reason": self.reason, "needs": list(self.needs)}


def _span(target: Target) -> tuple[int, int]:
    start = LEVEL_INDEX[target.level_from]  # type: ignore[index]
    end = LEVEL_INDEX[target.level_to] if target.level_to else start
    return start, end


def target_overlap(planned: Target, prior: Target, *, planned_field: str = "", prior_field: str = "") -> OverlapResult:
    """Decide whether ``prior`` reached ``planned`` (see the module docstring for the rules).

    ``planned_field`` / ``prior_field`` prefix the field names an ``unknown`` answer needs (e.g.
    ``"prior_courses[0]."``). Both targets are assumed valid (:func:`target_errors`).
    """
    if planned.is_empty:
        return OverlapResult(
            Overlap.UNKNOWN, "unknown: the plan has no structured target (site or levels)", (f"{planned_field}site",)
        )
    if prior.is_empty:
        what = f" ({prior.label!r} is free text)" if prior.label else ""
        return OverlapResult(
            Overlap.UNKNOWN, f"unknown: the prior course has no structured target{what}", (f"{prior_field}site",)
        )
    if planned.is_spinal and prior.is_spinal:
        missing = [f"{p}level_from" for p, t in ((planned_field, planned), (prior_field, prior)) if t.level_from is None]
        if missing:
            return OverlapResult(Overlap.UNKNOWN, "unknown: a spinal course without vertebral levels", tuple(missing))
        (a0, a1), (b0, b1) = _span(planned), _span(prior)
        if a0 <= b1 and b0 <= a1:
            return OverlapResult(Overlap.OVERLAPS, f"levels {prior.levels_text} reach {planned.levels_text}")
        adjacent = a0 == b1 + 1 or b0 == a1 + 1
        extra = " (adjacent levels: check the field edges)" if adjacent else ""
        return OverlapResult(Overlap.SEPARATE, f"levels {prior.levels_text} do not reach {planned.levels_text}{extra}")
    if planned.is_spinal != prior.is_spinal:
        other = prior if planned.is_spinal else planned
        return OverlapResult(Overlap.SEPARATE, f"{other.describe()} is not spine")
    # Both non-spinal and both with a site (a non-empty, non-spinal target has a site).
    if planned.site == Site.OTHER.value or prior.site == Site.OTHER.value:
        return OverlapResult(Overlap.UNKNOWN, "unknown: the site 'other' names no bone to compare", ())
    if planned.site != prior.site:
        return OverlapResult(Overlap.SEPARATE, f"{prior.describe()} is not {planned.describe()}")
    if planned.site in {str(site) for site in MIDLINE_SITES}:
        return OverlapResult(Overlap.OVERLAPS, f"same midline bone ({planned.describe()})")
    missing = [f"{p}laterality" for p, t in ((planned_field, planned), (prior_field, prior)) if t.laterality is None]
    if missing:
        return OverlapResult(Overlap.UNKNOWN, f"unknown: same site ({planned.site}), side not recorded", tuple(missing))
    if "midline" in (planned.laterality, prior.laterality):  # not a side of a paired bone: cannot compare
        return OverlapResult(
            Overlap.UNKNOWN,
            f"unknown: 'midline' does not say which side of the {planned.site}",
            tuple(f"{p}laterality" for p, t in ((planned_field, planned), (prior_field, prior)) if t.laterality == "midline"),
        )
    if planned.laterality == prior.laterality or "bilateral" in (planned.laterality, prior.laterality):
        return OverlapResult(Overlap.OVERLAPS, f"{prior.describe()} reaches {planned.describe()}")
    return OverlapResult(Overlap.SEPARATE, f"{prior.describe()} is the other side from {planned.describe()}")


def _placeable(target: Target) -> bool:
    if target.level_from is None:
        return True
    try:
        levels_between(target.level_from, target.level_to)
    except (KeyError, ValueError):
        return False  # level codes the rule cannot place (unknown, or reversed)
    return True


def course_reaches(planned: Target, course: PriorCourseFacts) -> bool | None:
    """Whether a recorded prior course reached ``planned``, by :func:`target_overlap` (clinical-rules.md §7):
    True (overlaps), False (separate), None (unknown: the course has no structured site, or a target's
    levels cannot be placed, or the rule needs a field that is not recorded).

    The one reading of a case's prior courses for the engines that ask "was this area irradiated": the
    risk engine (prior RT to a compression area) and the options engine (re-irradiation of a lesion).
    """
    if course.site is None:
        return None
    prior = Target(
        site=str(course.site),
        level_from=course.level_from,
        level_to=course.level_to,
        laterality=None if course.laterality is None else str(course.laterality),
    )
    if not (_placeable(planned) and _placeable(prior)):
        return None
    status = target_overlap(planned, prior).status
    return None if status is Overlap.UNKNOWN else status is Overlap.OVERLAPS
