"""SINS: Spinal Instability Neoplastic Score.

Source: 000_76782ef81e029740.txt (SBRT for Spinal Metastases Without Spinal Cord Compression: stability
assessment per SINS, ref. 29); Fourney DR et al., "Spinal instability neoplastic score: an analysis of
reliability and validity from the spine oncology study group", J Clin Oncol 2011;29:3072-3077;
clinical-rules.md §3.

| component | category: points |
| location | junctional (occiput-C2, C7-T2, T11-L1, L5-S1): 3; mobile (C3-C6, L2-L4): 2; |
| | semi-rigid (T3-T10): 1; rigid (S2-S5): 0 |
| pain | mechanical: 3; occasional non-mechanical: 1; pain-free: 0 |
| bone lesion | lytic: 2; mixed: 1; blastic: 0 |
| alignment | subluxation-translation: 4; de novo deformity: 2; normal: 0 |
| vertebral body collapse | > 50 %: 3; < 50 %: 2; no collapse with > 50 % involved: 1; none: 0 |
| posterolateral involvement | bilateral: 3; unilateral: 1; none: 0 |

Total 0-18: 0-6 ``stable``, 7-12 ``indeterminate`` (potentially unstable), 13-18 ``unstable``; 7 or more
calls for a spine-surgery consultation.

Interpretation choices:

- Occiput-C2 is C1 and C2 in the vocabulary (the occiput is not a vertebral level).
- A lesion spanning levels (``level_from`` .. ``level_to``) takes the highest location score of its levels.
- The coccyx is outside the published location table (occiput to S5). A lesion confined to the coccyx gets
  "not applicable" (no number); in a span reaching the coccyx the coccyx is not scored and the note says so.
- Unknown inputs leave the score None with ``possible_range``; the category is given only when every
  completion of the score falls in the same category (else None), and ``surgical_consultation`` is still
  decided when every completion falls on the same side of 7 (see ``SinsResult``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from apps.cases.facts import LesionFacts
from apps.cases.vocabulary import (
    SPINAL_SITES,
    VERTEBRAL_LEVELS,
    Alignment,
    PosterolateralInvolvement,
    RadiographicType,
    Site,
    SpinalPain,
    VertebralCollapse,
    levels_between,
)
from apps.risk.engine import sources
from apps.risk.engine._scoring import invalid_note, possible_range, remember
from apps.risk.engine.results import Component, Rule, SinsResult, unknown_text


class SinsCategory(StrEnum):
    STABLE = "stable"
    INDETERMINATE = "indeterminate"
    UNSTABLE = "unstable"


#: Lowest indeterminate and lowest unstable totals; the consultation threshold is the first (§3).
INDETERMINATE_THRESHOLD: Final = 7
UNSTABLE_THRESHOLD: Final = 13
SURGICAL_CONSULTATION_THRESHOLD: Final = 7

COCCYX: Final = "coccyx"

_JUNCTIONAL_OCC_C2 = (3, "junctional (occiput-C2)")
_JUNCTIONAL_C7_T2 = (3, "junctional (C7-T2)")
_JUNCTIONAL_T11_L1 = (3, "junctional (T11-L1)")
_JUNCTIONAL_L5_S1 = (3, "junctional (L5-S1)")
_MOBILE_C = (2, "mobile spine (C3-C6)")
_MOBILE_L = (2, "mobile spine (L2-L4)")
_SEMI_RIGID = (1, "semi-rigid (T3-T10)")
_RIGID = (0, "rigid (S2-S5)")

#: Location points of every vertebral level of the SINS table (the coccyx is not in it).
LEVEL_LOCATION: Final[dict[str, tuple[int, str]]] = {
    "C1": _JUNCTIONAL_OCC_C2,
    "C2": _JUNCTIONAL_OCC_C2,
    **{f"C{i}": _MOBILE_C for i in range(3, 7)},
    "C7": _JUNCTIONAL_C7_T2,
    "T1": _JUNCTIONAL_C7_T2,
    "T2": _JUNCTIONAL_C7_T2,
    **{f"T{i}": _SEMI_RIGID for i in range(3, 11)},
    "T11": _JUNCTIONAL_T11_L1,
    "T12": _JUNCTIONAL_T11_L1,
    "L1": _JUNCTIONAL_T11_L1,
    **{f"L{i}": _MOBILE_L for i in range(2, 5)},
    "L5": _JUNCTIONAL_L5_S1,
    "S1": _JUNCTIONAL_L5_S1,
    **{f"S{i}": _RIGID for i in range(2, 6)},
}

_COCCYX_NOTE: Final = "the coccyx is outside the SINS location table (occiput-S5): not scored"

_PAIN: Final[dict[str, Component]] = {
    SpinalPain.MECHANICAL: Component("pain", "mechanical", 3, "mechanical pain"),
    SpinalPain.OCCASIONAL_NON_MECHANICAL: Component("pain", "occasional_non_mechanical", 1, "occasional, non-mechanical pain"),
    SpinalPain.NONE: Component("pain", "none", 0, "pain-free"),
}
_BONE_LESION: Final[dict[str, Component]] = {
    RadiographicType.LYTIC: Component("bone_lesion", "lytic", 2, "lytic"),
    RadiographicType.MIXED: Component("bone_lesion", "mixed", 1, "mixed (lytic/blastic)"),
    RadiographicType.BLASTIC: Component("bone_lesion", "blastic", 0, "blastic"),
}
_ALIGNMENT: Final[dict[str, Component]] = {
    Alignment.SUBLUXATION_TRANSLATION: Component("alignment", "subluxation_translation", 4, "subluxation / translation present"),
    Alignment.DE_NOVO_DEFORMITY: Component("alignment", "de_novo_deformity", 2, "de novo deformity (kyphosis / scoliosis)"),
    Alignment.NORMAL: Component("alignment", "normal", 0, "normal alignment"),
}
_COLLAPSE: Final[dict[str, Component]] = {
    VertebralCollapse.GT50_COLLAPSE: Component("vertebral_collapse", "gt50_collapse", 3, "> 50 % collapse"),
    VertebralCollapse.LT50_COLLAPSE: Component("vertebral_collapse", "lt50_collapse", 2, "< 50 % collapse"),
    VertebralCollapse.NO_COLLAPSE_GT50_INVOLVED: Component(
        "vertebral_collapse", "no_collapse_gt50_involved", 1, "no collapse with > 50 % of the body involved"
    ),
    VertebralCollapse.NONE: Component("vertebral_collapse", "none", 0, "none of the above"),
}
_POSTEROLATERAL: Final[dict[str, Component]] = {
    PosterolateralInvolvement.BILATERAL: Component("posterolateral_involvement", "bilateral", 3, "bilateral"),
    PosterolateralInvolvement.UNILATERAL: Component("posterolateral_involvement", "unilateral", 1, "unilateral"),
    PosterolateralInvolvement.NONE: Component("posterolateral_involvement", "none", 0, "none"),
}

#: (lesion field, component name, table, (min, max) points) of the components read from one field each.
_PLAIN_COMPONENTS: Final = (
    ("spinal_pain", "pain", _PAIN, (0, 3)),
    ("radiographic_type", "bone_lesion", _BONE_LESION, (0, 2)),
    ("alignment", "alignment", _ALIGNMENT, (0, 4)),
    ("vertebral_collapse", "vertebral_collapse", _COLLAPSE, (0, 3)),
    ("posterolateral_involvement", "posterolateral_involvement", _POSTEROLATERAL, (0, 3)),
)
_LOCATION_SPAN: Final = (0, 3)


def span_label(level_from: str, level_to: str | None) -> str:
    """``"T5"`` for one level, ``"T11-L2"`` for a span."""
    return level_from if level_to is None or level_to == level_from else f"{level_from}-{level_to}"


def _location_component(level_from: str, level_to: str | None) -> Component | None:
    """Location component of a valid span, or None when the span is the coccyx alone."""
    levels = levels_between(level_from, level_to)
    scored = [level for level in levels if level != COCCYX]
    if not scored:
        return None
    points = max(LEVEL_LOCATION[level][0] for level in scored)
    zone_levels = [level for level in scored if LEVEL_LOCATION[level][0] == points]
    zone = LEVEL_LOCATION[zone_levels[0]][1]
    if len(levels) == 1:
        note = zone
    else:
        note = f"highest across {span_label(level_from, level_to)}: {zone} at {', '.join(zone_levels)}"
    if COCCYX in levels:
        note = f"{note}; {_COCCYX_NOTE}"
    return Component("location", span_label(level_from, level_to), points, note)


def _location_table() -> dict[tuple[str, str | None], Component | None]:
    table: dict[tuple[str, str | None], Component | None] = {}
    for i, level_from in enumerate(VERTEBRAL_LEVELS):
        table[level_from, None] = _location_component(level_from, None)
        for level_to in VERTEBRAL_LEVELS[i:]:
            table[level_from, level_to] = _location_component(level_from, level_to)
    return table


#: Every valid (level_from, level_to) span precomputed (27 levels: 405 entries); None marks coccyx-only.
_LOCATION: Final = _location_table()


def sins_category(total: int) -> SinsCategory:
    """0-6 stable, 7-12 indeterminate, 13-18 unstable (clinical-rules.md §3)."""
    if total >= UNSTABLE_THRESHOLD:
        return SinsCategory.UNSTABLE
    if total >= INDETERMINATE_THRESHOLD:
        return SinsCategory.INDETERMINATE
    return SinsCategory.STABLE


_RECOMMENDATION: Final[dict[SinsCategory, str]] = {
    SinsCategory.STABLE: "stable (0-6)",
    SinsCategory.INDETERMINATE: "indeterminate, potentially unstable (7-12): spine-surgery consultation",
    SinsCategory.UNSTABLE: "unstable (13-18): spine-surgery consultation",
}


def _not_applicable(reason: str) -> SinsResult:
    return SinsResult(
        rule=Rule.SINS,
        applicable=False,
        recommendation=f"not applicable: {reason}",
        source=sources.SINS,
    )


_NOT_APPLICABLE: Final[dict[Site, SinsResult]] = {
    site: _not_applicable(f"SINS scores spinal lesions only, not site {site.value} (clinical-rules.md §3)")
    for site in Site
    if site not in SPINAL_SITES
}
_COCCYX_ONLY: Final = _not_applicable(_COCCYX_NOTE)


_MEMO: Final[dict[tuple[object, ...], SinsResult]] = {}


def sins_score(lesion: LesionFacts) -> SinsResult:
    """SINS of one spinal lesion (rule ``sins``); see the module docstring for the table and choices.

    Source: 000_76782ef81e029740.txt (ref. 29, Fourney et al. JCO 2011); clinical-rules.md §3.
    """
    not_applicable = _NOT_APPLICABLE.get(lesion.site)
    if not_applicable is not None:
        return not_applicable
    key = (
        lesion.site,
        lesion.level_from,
        lesion.level_to,
        lesion.spinal_pain,
        lesion.radiographic_type,
        lesion.alignment,
        lesion.vertebral_collapse,
        lesion.posterolateral_involvement,
    )
    found = _MEMO.get(key)
    return found if found is not None else remember(_MEMO, key, _score(*key))


def _score(
    site: Site,
    level_from: str | None,
    level_to: str | None,
    spinal_pain: SpinalPain | None,
    radiographic_type: RadiographicType | None,
    alignment: Alignment | None,
    vertebral_collapse: VertebralCollapse | None,
    posterolateral_involvement: PosterolateralInvolvement | None,
) -> SinsResult:
    """The score from exactly the inputs it depends on (so they can key the memo table)."""
    if site not in SPINAL_SITES:
        return _not_applicable(f"SINS scores spinal lesions only, not site {site!s}")

    missing: list[str] = []
    notes: list[str] = []
    unknown_spans: list[tuple[int, int]] = []
    location: Component | None
    if level_from is None:
        location = Component("location", None, None, unknown_text(("level_from",)))
        missing.append("level_from")
        unknown_spans.append(_LOCATION_SPAN)
    else:
        span = (level_from, level_to)
        if span in _LOCATION:
            location = _LOCATION[span]
            if location is None:
                return _COCCYX_ONLY
        else:
            note = f"invalid level span {level_from!s}..{level_to!s}: needs a valid cranio-caudal span"
            location = Component("location", span_label(str(level_from), level_to), None, note)
            missing.extend(("level_from", "level_to"))
            unknown_spans.append(_LOCATION_SPAN)
            notes.append(note)
    components = [location]

    values = (spinal_pain, radiographic_type, alignment, vertebral_collapse, posterolateral_involvement)
    for value, (field, name, table, points_span) in zip(values, _PLAIN_COMPONENTS, strict=True):
        component = table.get(value) if value is not None else None
        if component is None:
            note = unknown_text((field,)) if value is None else invalid_note(field, value)
            component = Component(name, None if value is None else str(value), None, note)
            missing.append(field)
            unknown_spans.append(points_span)
        components.append(component)

    if missing:
        low, high = possible_range(components, unknown_spans)
        notes.append(f"possible range {low}-{high}: {sins_category(low)} to {sins_category(high)}")
        consultation: bool | None = None
        if low >= SURGICAL_CONSULTATION_THRESHOLD:
            consultation = True
            notes.append("spine-surgery consultation indicated whatever the missing components (>= 7)")
        elif high < SURGICAL_CONSULTATION_THRESHOLD:
            consultation = False
        # The total stays unknown; the category is certain when every possible total falls in one.
        certain = sins_category(low) if sins_category(low) == sins_category(high) else None
        return SinsResult(
            rule=Rule.SINS,
            applicable=True,
            category=certain,
            components=tuple(components),
            missing=tuple(missing),
            recommendation=(
                unknown_text(missing)
                if certain is None
                else f"SINS {low}-{high} ({unknown_text(missing)}): {_RECOMMENDATION[certain]}"
            ),
            notes=tuple(notes),
            source=sources.SINS,
            possible_range=(low, high),
            surgical_consultation=consultation,
        )

    total = sum(c.points for c in components if c.points is not None)
    category = sins_category(total)
    return SinsResult(
        rule=Rule.SINS,
        applicable=True,
        score=total,
        category=category,
        components=tuple(components),
        recommendation=f"SINS {total}: {_RECOMMENDATION[category]}",
        source=sources.SINS,
        surgical_consultation=total >= SURGICAL_CONSULTATION_THRESHOLD,
    )
