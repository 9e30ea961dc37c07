"""Mirels score: risk of pathological fracture of a long bone.

Source: 003_694939402052979f.txt §3.4 (Mirels is the main surgical-indication tool); Mirels H, "Metastatic
disease in long bones. A proposed scoring system for diagnosing impending pathologic fractures", Clin
Orthop Relat Res 1989;249:256-264; clinical-rules.md §2.

| points | site | pain | lesion | size (cortical involvement) |
| 1 | upper limb | mild | blastic | < 1/3 |
| 2 | lower limb | moderate | mixed | 1/3 - 2/3 |
| 3 | peritrochanteric | functional | lytic | > 2/3 |

Interpretation choices (each stated where it applies in a result's ``notes``):

- Categories: total >= 9 ``impending_fracture`` (prophylactic fixation recommended), 8 ``borderline``
  (clinical judgement, surgical opinion), <= 7 ``low_risk`` (radiotherapy and observation). Mirels' 1989
  abstract said a score of 8 or more should be fixed; the >= 9 / 8 / <= 7 convention is the one used in
  practice and by common calculators, and it is what clinical-rules.md §2 prescribes.
- Site: ``peritrochanteric`` and ``femoral_neck`` subsites of the femur score 3; the rest of the femur
  (``proximal``, ``shaft``, ``distal``, ``femoral_head``), ``tibia``, ``fibula``, ``metatarsal`` score 2;
  ``humerus``, ``radius``, ``ulna``, ``clavicle``, ``metacarpal`` score 1 (clinical-rules.md §2 site list).
- A femur lesion without a subsite is unknown (2 or 3 points: never guessed): ``missing=("subsite",)``.
- With any component unknown the score is None and ``possible_range`` gives the lowest and highest
  totals; the category is given only when every possible total falls in the same one (e.g. 11-12 is
  an impending fracture whatever the subsite), else it is None too.
- ``phalanx``: the vocabulary has one code for hand and foot phalanges, which score 1 and 2. Without the
  optional ``phalanx_limb`` argument the phalanx scores 2 (foot), the conservative reading (it can only
  over-state the fracture risk, never hide it), and the result gives the hand-phalanx total too.
- Pain ``none`` scores as mild (1), and the result says so (clinical-rules.md §2).
- Any other site (spine, pelvis, scapula, rib, ...) is not applicable: score and category None, never a
  number, because the published table covers long (and small tubular) bones only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from apps.cases.facts import LesionFacts
from apps.cases.vocabulary import (
    SUBSITES_BY_SITE,
    CorticalInvolvement,
    LimbPain,
    RadiographicType,
    Site,
    Subsite,
)
from apps.risk.engine import sources
from apps.risk.engine._scoring import invalid_note, possible_range, remember
from apps.risk.engine.results import Component, Rule, ScoreResult, unknown_text


class MirelsCategory(StrEnum):
    LOW_RISK = "low_risk"
    BORDERLINE = "borderline"
    IMPENDING_FRACTURE = "impending_fracture"


class PhalanxLimb(StrEnum):
    """Which limb a ``phalanx`` lesion belongs to, when the caller knows it."""

    HAND = "hand"
    FOOT = "foot"


#: Lowest total read as an impending fracture, and the single borderline total (clinical-rules.md §2).
IMPENDING_THRESHOLD: Final = 9
BORDERLINE_TOTAL: Final = 8

_UPPER_LIMB = "upper limb"
_LOWER_LIMB = "lower limb"

#: Site points for every Mirels site except the femur (subsite-dependent) and phalanx (hand or foot).
_SITE_POINTS: Final[dict[Site, tuple[int, str]]] = {
    Site.HUMERUS: (1, _UPPER_LIMB),
    Site.RADIUS: (1, _UPPER_LIMB),
    Site.ULNA: (1, _UPPER_LIMB),
    Site.CLAVICLE: (1, _UPPER_LIMB),
    Site.METACARPAL: (1, _UPPER_LIMB),
    Site.TIBIA: (2, _LOWER_LIMB),
    Site.FIBULA: (2, _LOWER_LIMB),
    Site.METATARSAL: (2, _LOWER_LIMB),
}
#: Femoral subsites scored as the peritrochanteric region (3); every other femoral subsite scores 2.
_PERITROCHANTERIC: Final = frozenset({Subsite.PERITROCHANTERIC, Subsite.FEMORAL_NECK})

#: The sites the calculator applies to; everything else is "not applicable".
MIRELS_SITES: Final[frozenset[Site]] = frozenset({*_SITE_POINTS, Site.FEMUR, Site.PHALANX})

_PAIN_NONE_NOTE: Final = "pain 'none' scores as mild (1) (clinical-rules.md §2)"

_PAIN: Final[dict[str, Component]] = {
    LimbPain.NONE: Component("pain", "none", 1, _PAIN_NONE_NOTE),
    LimbPain.MILD: Component("pain", "mild", 1, "mild pain"),
    LimbPain.MODERATE: Component("pain", "moderate", 2, "moderate pain"),
    LimbPain.FUNCTIONAL: Component("pain", "functional", 3, "functional pain (aggravated by function)"),
}
_LESION: Final[dict[str, Component]] = {
    RadiographicType.BLASTIC: Component("lesion", "blastic", 1, "blastic"),
    RadiographicType.MIXED: Component("lesion", "mixed", 2, "mixed"),
    RadiographicType.LYTIC: Component("lesion", "lytic", 3, "lytic"),
}
_SIZE: Final[dict[str, Component]] = {
    CorticalInvolvement.LT_ONE_THIRD: Component("size", "lt_one_third", 1, "< 1/3 of the cortex"),
    CorticalInvolvement.ONE_THIRD_TO_TWO_THIRDS: Component("size", "one_third_to_two_thirds", 2, "1/3 - 2/3 of the cortex"),
    CorticalInvolvement.GT_TWO_THIRDS: Component("size", "gt_two_thirds", 3, "> 2/3 of the cortex"),
}

#: (field name, component name, table) of the pain, lesion and size components, in that order.
_PLAIN_COMPONENTS: Final = (
    ("pain", "pain", _PAIN),
    ("radiographic_type", "lesion", _LESION),
    ("cortical_involvement", "size", _SIZE),
)
#: (min, max) points of an unknown component: every Mirels component scores 1-3, a femur's site 2-3.
_SPAN: Final = (1, 3)
_FEMUR_SITE_SPAN: Final = (2, 3)


def _site_components() -> dict[tuple[Site, Subsite | None], Component]:
    table: dict[tuple[Site, Subsite | None], Component] = {}
    for site, (points, limb) in _SITE_POINTS.items():
        for subsite in (None, *SUBSITES_BY_SITE[site]):
            table[site, subsite] = Component("site", site.value, points, limb)
    for subsite in SUBSITES_BY_SITE[Site.FEMUR]:
        if subsite in _PERITROCHANTERIC:
            note = f"femur, {subsite.value}: peritrochanteric region"
            table[Site.FEMUR, subsite] = Component("site", Site.FEMUR.value, 3, note)
        else:
            note = f"femur, {subsite.value}: lower limb"
            table[Site.FEMUR, subsite] = Component("site", Site.FEMUR.value, 2, note)
    return table


#: Precomputed site components of every valid (site, subsite) pair: the hot path is one dict lookup.
_SITE: Final = _site_components()

_PHALANX: Final[dict[PhalanxLimb | None, Component]] = {
    None: Component(
        "site",
        Site.PHALANX.value,
        2,
        "phalanx, hand or foot not recorded: scored as a foot phalanx (2), the conservative reading; a hand phalanx scores 1",
    ),
    PhalanxLimb.FOOT: Component("site", Site.PHALANX.value, 2, "foot phalanx: lower limb"),
    PhalanxLimb.HAND: Component("site", Site.PHALANX.value, 1, "hand phalanx: upper limb"),
}


def mirels_category(total: int) -> MirelsCategory:
    """Category of a Mirels total: >= 9 impending fracture, 8 borderline, <= 7 low risk (see module doc)."""
    if total >= IMPENDING_THRESHOLD:
        return MirelsCategory.IMPENDING_FRACTURE
    if total == BORDERLINE_TOTAL:
        return MirelsCategory.BORDERLINE
    return MirelsCategory.LOW_RISK


_RECOMMENDATION: Final[dict[MirelsCategory, str]] = {
    MirelsCategory.IMPENDING_FRACTURE: "impending fracture (>= 9): prophylactic fixation recommended",
    MirelsCategory.BORDERLINE: "borderline (8): clinical judgement, obtain a surgical opinion",
    MirelsCategory.LOW_RISK: "low risk (<= 7): radiotherapy and observation",
}


def _not_applicable(site: object) -> ScoreResult:
    return ScoreResult(
        rule=Rule.MIRELS,
        applicable=False,
        recommendation=(f"not applicable: Mirels scores long and tubular bones only, not site {site!s} (clinical-rules.md §2)"),
        source=sources.MIRELS,
    )


_NOT_APPLICABLE: Final[dict[Site, ScoreResult]] = {site: _not_applicable(site.value) for site in Site if site not in MIRELS_SITES}


_MEMO: Final[dict[tuple[object, ...], ScoreResult]] = {}


def mirels_score(lesion: LesionFacts, *, phalanx_limb: PhalanxLimb | str | None = None) -> ScoreResult:
    """Mirels score of one lesion (rule ``mirels``); see the module docstring for the table and choices.

    ``phalanx_limb`` (``hand``/``foot``) settles a ``phalanx`` lesion's site points; without it a phalanx
    scores as a foot phalanx and the note gives the hand total. Raises ``ValueError`` for any other
    ``phalanx_limb`` value (a programming error, not missing data).

    Source: 003_694939402052979f.txt §3.4; Mirels H, Clin Orthop 1989; clinical-rules.md §2.
    """
    site = lesion.site
    not_applicable = _NOT_APPLICABLE.get(site)
    if not_applicable is not None:
        return not_applicable
    key = (
        site,
        lesion.subsite,
        lesion.pain,
        lesion.radiographic_type,
        lesion.cortical_involvement,
        phalanx_limb,
    )
    found = _MEMO.get(key)
    return found if found is not None else remember(_MEMO, key, _score(*key))


def _score(
    site: Site,
    subsite: Subsite | None,
    pain: LimbPain | None,
    radiographic_type: RadiographicType | None,
    cortical_involvement: CorticalInvolvement | None,
    phalanx_limb: PhalanxLimb | str | None,
) -> ScoreResult:
    """The score from exactly the inputs it depends on (so they can key the memo table)."""
    if site not in MIRELS_SITES:
        return _not_applicable(site)

    components: list[Component] = []
    missing: list[str] = []
    notes: list[str] = []
    unknown_spans: list[tuple[int, int]] = []

    if site == Site.PHALANX:
        limb = PhalanxLimb(phalanx_limb) if phalanx_limb is not None else None
        site_component = _PHALANX[limb]
        if limb is None:
            notes.append(site_component.note)
    else:
        found = _SITE.get((site, subsite))
        if found is not None:
            site_component = found
        elif site == Site.FEMUR:
            # Peritrochanteric (3) or other femur (2): the subsite decides, and it is absent or invalid.
            note = "femur without a subsite: 2 or 3 points"
            if subsite is not None:
                note = f"femur with subsite '{subsite}', not a femoral region: 2 or 3 points"
            site_component = Component("site", Site.FEMUR.value, None, note)
            missing.append("subsite")
            unknown_spans.append(_FEMUR_SITE_SPAN)
        else:
            points, limb_note = _SITE_POINTS[Site(site)]
            site_component = Component("site", str(site), points, limb_note)
            notes.append(f"subsite {subsite!s} is not a region of {site!s}: ignored")
    components.append(site_component)

    values = (pain, radiographic_type, cortical_involvement)
    for value, (field, name, table) in zip(values, _PLAIN_COMPONENTS, strict=True):
        component = table.get(value) if value is not None else None
        if component is None:
            note = unknown_text((field,)) if value is None else invalid_note(field, value)
            component = Component(name, None if value is None else str(value), None, note)
            missing.append(field)
            unknown_spans.append(_SPAN)
        elif value == LimbPain.NONE:
            notes.append(_PAIN_NONE_NOTE)
        components.append(component)

    if missing:
        low, high = possible_range(components, unknown_spans)
        notes.append(f"possible range {low}-{high}: {mirels_category(low)} to {mirels_category(high)}")
        # The total stays unknown; the category is certain when every possible total falls in one.
        certain = mirels_category(low) if mirels_category(low) == mirels_category(high) else None
        return ScoreResult(
            rule=Rule.MIRELS,
            applicable=True,
            category=certain,
            components=tuple(components),
            missing=tuple(missing),
            recommendation=(
                unknown_text(missing)
                if certain is None
                else f"Mirels {low}-{high} ({unknown_text(missing)}): {_RECOMMENDATION[certain]}"
            ),
            notes=tuple(notes),
            source=sources.MIRELS,
            possible_range=(low, high),
        )

    total = sum(c.points for c in components if c.points is not None)
    category = mirels_category(total)
    if site == Site.PHALANX and phalanx_limb is None:
        hand_total = total - 1
        notes.append(f"as a hand phalanx: total {hand_total}, {mirels_category(hand_total)}")
    return ScoreResult(
        rule=Rule.MIRELS,
        applicable=True,
        score=total,
        category=category,
        components=tuple(components),
        recommendation=f"Mirels {total}: {_RECOMMENDATION[category]}",
        notes=tuple(notes),
        source=sources.MIRELS,
    )
