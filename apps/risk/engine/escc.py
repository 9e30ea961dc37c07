"""Epidural spinal cord compression (Bilsky ESCC grade) and the Patchell surgical-candidate checklist.

Source: clinical-rules.md §4; 000_76782ef81e029740.txt (Conventional Fractionation Schedules for
Symptomatic Compressive Spinal Metastases): Patchell RA et al., Lancet 2005;366:643-648; SCORE-2 (Rades D
et al., J Clin Oncol 2016;34:597); SCORAD (Hoskin PJ et al., JAMA 2019;322:2084-2094).

- Grades ``0`` (bone only), ``1a``/``1b``/``1c`` (epidural disease, cord not compressed), ``2``/``3``
  (cord compressed): 2-3 is high-grade compression, flagged for urgent surgical and radiation-oncology
  review.
- Patchell criteria for surgery + postoperative RT (30 Gy/10), each met / not_met / unknown:
  ``survival_gt_3_months``, ``single_level``, ``not_cauda_equina_only``, ``paraplegia_lt_48h``,
  ``no_prior_radiotherapy``. All met: surgical candidate; any not met: not a Patchell candidate.
- Not a surgical candidate: 8 Gy/1 or 20 Gy/5 when estimated survival < 6 months (SCORAD; SCORE-2),
  30 Gy/10 when longer.

Interpretation choices:

- The checklist and the regimen suggestion are produced for high-grade compression (2-3) only: Patchell
  enrolled patients with cord compression, and the regimens are for compression treated without surgery.
- ``survival_gt_3_months``: strictly greater than 3 (3.0 is not met). Regimens: < 6 months short,
  6.0 or more "longer" (30 Gy/10).
- ``single_level``: the lesion spans one level (``level_to`` None or equal to ``level_from``) and no other
  lesion of the case (when given) has high-grade compression at another level.
- ``not_cauda_equina_only``: the conus medullaris usually ends at L1-L2, so a lesion lying entirely at L2
  or below (lumbar, sacral, coccygeal levels from L2 down) compresses the cauda equina only: not met. A
  lesion including L1 or any level above meets the criterion.
- ``paraplegia_lt_48h``: the vocabulary has no field for it. Pass ``total_paraplegia_hours`` (0 = not
  paraplegic; met when < 48) or put it in ``CaseFacts.extra["total_paraplegia_hours"]``; otherwise unknown.
- ``no_prior_radiotherapy``: ``lesion.prior_radiotherapy``.
- The histology's radiosensitivity (NOMS) is given as context when the case is known; it does not change
  the grade or the checklist.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Final

from apps.cases.facts import CaseFacts, LesionFacts
from apps.cases.vocabulary import LEVEL_INDEX, SPINAL_SITES, EpiduralCompressionGrade, Site, levels_between
from apps.risk.engine import sources
from apps.risk.engine._scoring import invalid_note, remember
from apps.risk.engine.radiosensitivity import Radiosensitivity, radiosensitivity_of
from apps.risk.engine.results import CheckStatus, CriterionCheck, EsccResult, Rule, unknown_text
from apps.risk.engine.sins import span_label


class EsccCategory(StrEnum):
    BONE_ONLY = "bone_only"
    LOW_GRADE_EPIDURAL = "low_grade_epidural"
    HIGH_GRADE_COMPRESSION = "high_grade_compression"


HIGH_GRADES: Final = frozenset({EpiduralCompressionGrade.G2, EpiduralCompressionGrade.G3})
_CATEGORY: Final[dict[str, EsccCategory]] = {
    EpiduralCompressionGrade.G0: EsccCategory.BONE_ONLY,
    EpiduralCompressionGrade.G1A: EsccCategory.LOW_GRADE_EPIDURAL,
    EpiduralCompressionGrade.G1B: EsccCategory.LOW_GRADE_EPIDURAL,
    EpiduralCompressionGrade.G1C: EsccCategory.LOW_GRADE_EPIDURAL,
    EpiduralCompressionGrade.G2: EsccCategory.HIGH_GRADE_COMPRESSION,
    EpiduralCompressionGrade.G3: EsccCategory.HIGH_GRADE_COMPRESSION,
}
_GRADE_TEXT: Final[dict[str, str]] = {
    EpiduralCompressionGrade.G0: "bone-only disease",
    EpiduralCompressionGrade.G1A: "epidural impingement without thecal sac deformation",
    EpiduralCompressionGrade.G1B: "thecal sac deformed, cord not abutted",
    EpiduralCompressionGrade.G1C: "thecal sac deformed, cord abutted but not compressed",
    EpiduralCompressionGrade.G2: "cord compressed, CSF visible",
    EpiduralCompressionGrade.G3: "cord compressed, no CSF",
}

SURVIVAL_SURGERY_MIN_MONTHS: Final = 3.0
SHORT_SURVIVAL_MONTHS: Final = 6.0
PARAPLEGIA_MAX_HOURS: Final = 48.0
#: First level below the usual end of the conus medullaris (L1-L2): from here down, cauda equina only.
CAUDA_EQUINA_FROM_LEVEL: Final = "L2"
SHORT_SURVIVAL_REGIMENS: Final = ("8 Gy/1", "20 Gy/5")
LONGER_SURVIVAL_REGIMENS: Final = ("30 Gy/10",)
PARAPLEGIA_EXTRA_KEY: Final = "total_paraplegia_hours"

_MET, _NOT_MET, _UNKNOWN = CheckStatus.MET, CheckStatus.NOT_MET, CheckStatus.UNKNOWN


def _survival_check(months: float | None) -> CriterionCheck:
    if months is None:
        missing = ("estimated_survival_months",)
        return CriterionCheck("survival_gt_3_months", _UNKNOWN, None, unknown_text(missing), missing)
    if months > SURVIVAL_SURGERY_MIN_MONTHS:
        return CriterionCheck("survival_gt_3_months", _MET, months, f"estimated survival {months:g} > 3 months")
    return CriterionCheck("survival_gt_3_months", _NOT_MET, months, f"estimated survival {months:g} months is not > 3")


def _high_grade_levels(case: CaseFacts | None, lesion: LesionFacts) -> tuple[set[str], bool]:
    """Levels of the other high-grade lesions of the case, and whether one of them has no usable levels."""
    levels: set[str] = set()
    undetermined = False
    if case is None:
        return levels, undetermined
    for other in case.lesions:
        if other is lesion or other.site not in SPINAL_SITES or other.epidural_compression_grade not in HIGH_GRADES:
            continue
        if other.level_from is None:
            undetermined = True
            continue
        try:
            levels.update(levels_between(other.level_from, other.level_to))
        except (KeyError, ValueError):
            undetermined = True
    return levels, undetermined


def _single_level_check(lesion: LesionFacts, levels: tuple[str, ...] | None, case: CaseFacts | None) -> CriterionCheck:
    code = "single_level"
    if levels is None:
        missing = ("level_from",) if lesion.level_from is None else ("level_from", "level_to")
        return CriterionCheck(code, _UNKNOWN, None, unknown_text(missing), missing)
    label = span_label(levels[0], levels[-1])
    if len(levels) > 1:
        return CriterionCheck(code, _NOT_MET, label, f"compression spans {len(levels)} levels ({label})")
    others, undetermined = _high_grade_levels(case, lesion)
    elsewhere = sorted(others - set(levels), key=LEVEL_INDEX.__getitem__)
    if elsewhere:
        return CriterionCheck(code, _NOT_MET, label, f"high-grade compression also at {', '.join(elsewhere)} (other lesions)")
    if undetermined:
        return CriterionCheck(
            code,
            _UNKNOWN,
            label,
            "another lesion with high-grade compression has no valid level: needs its level_from",
            ("level_from",),
        )
    return CriterionCheck(code, _MET, label, f"single level ({label})")


def _cauda_equina_check(levels: tuple[str, ...] | None) -> CriterionCheck:
    code = "not_cauda_equina_only"
    if levels is None:
        return CriterionCheck(code, _UNKNOWN, None, unknown_text(("level_from",)), ("level_from",))
    label = span_label(levels[0], levels[-1])
    if LEVEL_INDEX[levels[0]] >= LEVEL_INDEX[CAUDA_EQUINA_FROM_LEVEL]:
        return CriterionCheck(code, _NOT_MET, label, f"{label} lies entirely at L2 or below: cauda equina compression only")
    return CriterionCheck(code, _MET, label, f"{label} includes a level above L2 (spinal cord / conus)")


def _paraplegia_check(hours: float | None) -> CriterionCheck:
    code = "paraplegia_lt_48h"
    if hours is None:
        return CriterionCheck(
            code,
            _UNKNOWN,
            None,
            "unknown: needs total_paraplegia_hours (duration of total paraplegia; 0 if none)",
            (PARAPLEGIA_EXTRA_KEY,),
        )
    if hours < PARAPLEGIA_MAX_HOURS:
        text = "no total paraplegia" if hours == 0 else f"total paraplegia for {hours:g} h (< 48 h)"
        return CriterionCheck(code, _MET, hours, text)
    return CriterionCheck(code, _NOT_MET, hours, f"total paraplegia for {hours:g} h (>= 48 h)")


_PRIOR_RT: Final[dict[bool | None, CriterionCheck]] = {
    None: CriterionCheck(
        "no_prior_radiotherapy",
        _UNKNOWN,
        None,
        unknown_text(("prior_radiotherapy",)),
        ("prior_radiotherapy",),
    ),
    True: CriterionCheck("no_prior_radiotherapy", _NOT_MET, True, "prior radiotherapy to the area"),
    False: CriterionCheck("no_prior_radiotherapy", _MET, False, "no prior radiotherapy to the area"),
}


def _paraplegia_hours(case: CaseFacts | None, explicit: float | None) -> float | None:
    """The explicit argument, else ``case.extra["total_paraplegia_hours"]``; None if absent or not numeric."""
    value = explicit if explicit is not None or case is None else case.extra.get(PARAPLEGIA_EXTRA_KEY)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def non_surgical_regimens(estimated_survival_months: float | None) -> tuple[str, ...]:
    """8 Gy/1 or 20 Gy/5 below 6 months of estimated survival, 30 Gy/10 from 6 months; () when unknown.

    Source: 000_76782ef81e029740.txt (SCORE-2: 20 Gy/5 non-inferior to 30 Gy/10 for < 6 months; SCORAD:
    8 Gy/1 vs 20 Gy/5); clinical-rules.md §4.
    """
    if estimated_survival_months is None:
        return ()
    if estimated_survival_months < SHORT_SURVIVAL_MONTHS:
        return SHORT_SURVIVAL_REGIMENS
    return LONGER_SURVIVAL_REGIMENS


def _not_applicable(site: object) -> EsccResult:
    return EsccResult(
        rule=Rule.ESCC,
        applicable=False,
        recommendation=f"not applicable: ESCC grades spinal lesions only, not site {site!s}",
        source=sources.ESCC,
    )


_NOT_APPLICABLE: Final[dict[Site, EsccResult]] = {site: _not_applicable(site.value) for site in Site if site not in SPINAL_SITES}


_MEMO: Final[dict[tuple[object, ...], EsccResult]] = {}


def escc_assessment(
    lesion: LesionFacts,
    case: CaseFacts | None = None,
    *,
    total_paraplegia_hours: float | None = None,
) -> EsccResult:
    """ESCC grade, high-grade flag, Patchell checklist and non-surgical regimen (rule ``escc``).

    ``case`` supplies the estimated survival, the other lesions (single-level check), the histology
    (radiosensitivity context) and, through ``extra``, the paraplegia duration; see the module docstring.

    Source: clinical-rules.md §4; 000_76782ef81e029740.txt (Patchell 2005, SCORE-2, SCORAD).
    """
    not_applicable = _NOT_APPLICABLE.get(lesion.site)
    if not_applicable is not None:
        return not_applicable
    if lesion.site not in SPINAL_SITES:
        return _not_applicable(lesion.site)

    radiosensitivity = None if case is None else radiosensitivity_of(case.primary_histology)
    grade = lesion.epidural_compression_grade
    if grade not in HIGH_GRADES:
        # Below grade 2 (or unknown) the answer depends on the grade and the histology's class only.
        key = (grade, radiosensitivity)
        found = _MEMO.get(key)
        return found if found is not None else remember(_MEMO, key, _without_compression(*key))
    return _high_grade(lesion, case, str(grade), radiosensitivity, total_paraplegia_hours)


def _context(radiosensitivity: Radiosensitivity | None) -> tuple[str, ...]:
    return () if radiosensitivity is None else (f"histology radiosensitivity (NOMS): {radiosensitivity}",)


def _without_compression(grade: EpiduralCompressionGrade | None, radiosensitivity: Radiosensitivity | None) -> EsccResult:
    """Result for a grade below 2, or an unknown / invalid grade."""
    context = _context(radiosensitivity)
    category = _CATEGORY.get(grade) if grade is not None else None
    if category is None:
        grade_missing = ("epidural_compression_grade",)
        notes = context if grade is None else (invalid_note("epidural_compression_grade", grade), *context)
        return EsccResult(
            rule=Rule.ESCC,
            applicable=True,
            missing=grade_missing,
            recommendation=unknown_text(grade_missing),
            notes=notes,
            source=sources.ESCC,
            grade=None if grade is None else str(grade),
            radiosensitivity=radiosensitivity,
        )
    grade_code = str(grade)
    return EsccResult(
        rule=Rule.ESCC,
        applicable=True,
        category=category,
        recommendation=f"ESCC grade {grade_code}: {_GRADE_TEXT[grade_code]}; not high-grade compression",
        notes=context,
        source=sources.ESCC,
        grade=grade_code,
        high_grade=False,
        radiosensitivity=radiosensitivity,
    )


def _high_grade(
    lesion: LesionFacts,
    case: CaseFacts | None,
    grade_code: str,
    radiosensitivity: Radiosensitivity | None,
    total_paraplegia_hours: float | None,
) -> EsccResult:
    """Grade 2-3: the urgent-review flag, the Patchell checklist and the non-surgical regimens."""
    try:
        levels = None if lesion.level_from is None else levels_between(lesion.level_from, lesion.level_to)
    except (KeyError, ValueError):
        levels = None
    survival = None if case is None else case.estimated_survival_months
    checks = (
        _survival_check(survival),
        _single_level_check(lesion, levels, case),
        _cauda_equina_check(levels),
        _paraplegia_check(_paraplegia_hours(case, total_paraplegia_hours)),
        _PRIOR_RT[lesion.prior_radiotherapy],
    )
    statuses = {check.status for check in checks}
    if _NOT_MET in statuses:
        candidate = _NOT_MET
        pathway = "not a Patchell surgical candidate"
    elif _UNKNOWN in statuses:
        candidate = _UNKNOWN
        pathway = "Patchell surgical candidacy unknown"
    else:
        candidate = _MET
        pathway = "meets the Patchell criteria: decompressive surgery + postoperative RT 30 Gy/10"
    regimens = non_surgical_regimens(survival)
    if regimens:
        pathway += f"; without surgery: {' or '.join(regimens)}"
    missing: list[str] = []
    for check in checks:
        for field in check.missing:
            if field not in missing:
                missing.append(field)
    if not regimens and "estimated_survival_months" not in missing:
        missing.append("estimated_survival_months")
    return EsccResult(
        rule=Rule.ESCC,
        applicable=True,
        category=EsccCategory.HIGH_GRADE_COMPRESSION,
        missing=tuple(missing),
        recommendation=(
            f"ESCC grade {grade_code}: {_GRADE_TEXT[grade_code]}: high-grade compression, urgent surgical "
            f"and radiation-oncology review; {pathway}"
        ),
        notes=_context(radiosensitivity),
        source=sources.ESCC,
        grade=grade_code,
        high_grade=True,
        patchell_criteria=checks,
        surgical_candidate=candidate,
        non_surgical_regimens=regimens,
        radiosensitivity=radiosensitivity,
    )
