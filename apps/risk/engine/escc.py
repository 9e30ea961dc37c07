"""Epidural spinal cord compression (Bilsky ESCC grade) and the Patchell surgical-candidate checklist.

Source: clinical-rules.md §4; 000_76782ef81e029740.txt (Conventional Fractionation Schedules for
Symptomatic Compressive Spinal Metastases): Patchell RA et al., Lancet 2005;366:643-648; SCORE-2 (Rades D
et al., J Clin Oncol 2016;34:597); SCORAD (Hoskin PJ et al., JAMA 2019;322:2084-2094).

- Grades ``0`` (bone only), ``1a``/``1b``/``1c`` (epidural disease, cord not compressed), ``2``/``3``
  (cord compressed): 2-3 is high-grade compression, flagged for urgent surgical and radiation-oncology
  review.
- Patchell criteria for surgery + postoperative RT (30 Gy/10), each met / not_met / unknown with its own
  ``source`` and, when unknown, the fields that would settle it (``missing``):
  ``survival_gt_3_months``, ``single_area``, ``not_cauda_equina_only``, ``paraplegia_lt_48h``,
  ``no_prior_radiotherapy``, ``solid_not_radiosensitive``. All met: surgical candidate; any not met: not a
  Patchell candidate (whatever else is unknown); otherwise unknown.
- Not a surgical candidate: 8 Gy/1 or 20 Gy/5 when estimated survival < 6 months (SCORAD; SCORE-2),
  30 Gy/10 when longer.

Interpretation choices (a clinician should confirm those marked *):

- The checklist and the regimen suggestion are produced for high-grade compression (2-3) only: Patchell
  enrolled patients with cord compression, and the regimens are for compression treated without surgery.
- ``survival_gt_3_months``: strictly greater than 3 (3.0 is not met), as seed 000 and clinical-rules.md §4
  write it (*Patchell's methods read "expected survival of at least 3 months"). Regimens: < 6 months
  short, 6.0 or more "longer" (30 Gy/10).
- ``single_area`` (was ``single_level``): Patchell's compression "restricted to a single area, which could
  include several contiguous spinal or vertebral segments"; multiple discrete compressive lesions were
  excluded. The lesion's levels are merged with those of every other high-grade (2-3) spinal lesion of the
  case; met when they form one contiguous run (a T5-T6 lesion, or a T5 and a T6 lesion: one area), not met
  when another high-grade lesion lies apart (T6 and T9). Adjacent levels across regions are contiguous
  (C7-T1, T12-L1, L5-S1). Lesions of grade 0-1c are not compression. A spinal lesion whose grade is not
  recorded may be compressive: the answer is decided only when it does not matter either way.
- ``not_cauda_equina_only``: the conus medullaris usually ends at L1-L2 (*), so an area lying entirely at
  L2 or below (lumbar, sacral, coccygeal levels from L2 down) compresses the cauda equina only: not met. An
  area including L1 or any level above meets the criterion. The area is the merged run above.
- ``paraplegia_lt_48h``: "total paraplegia" is Frankel A or B (no motor function below the lesion, *);
  Frankel C-E meet the criterion; A/B are met when ``complete_paraplegia_hours`` < 48 (48 h exactly is not
  met, as "< 48 h" reads; *Patchell's text is "not totally paraplegic for longer than 48 h") and unknown
  without the hours. The legacy ``total_paraplegia_hours`` argument (0 = not paraplegic) overrides the
  case; ``CaseFacts.extra["total_paraplegia_hours"]`` is read only when the case fields are empty.
- ``no_prior_radiotherapy``: a prior course whose spinal levels intersect the compression area (clinical-
  rules.md §7) is not met whatever the lesion records; otherwise ``lesion.prior_radiotherapy``.
- ``solid_not_radiosensitive``: from the radiosensitivity table (``radiosensitivity.py``): lymphoma,
  myeloma and germ-cell tumours (radiosensitive) are not met; intermediate and radioresistant solid
  tumours are met; ``unknown_primary`` and ``other`` are unknown (* they may be a leukaemia or a germ-cell
  tumour; a carcinoma of unknown primary would meet the criterion once its histology is recorded).
- Patchell's general medical fitness for surgery and "at least one neurological sign or symptom" have no
  field: a note says they are a board judgement.
- The histology's radiosensitivity (NOMS) is also given as context; it does not change the grade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from typing import Final

from apps.cases.facts import CaseFacts, LesionFacts, PriorCourseFacts
from apps.cases.vocabulary import LEVEL_INDEX, SPINAL_SITES, EpiduralCompressionGrade, Site, levels_between
from apps.clinical.overlap import Target, course_reaches
from apps.risk.engine import sources
from apps.risk.engine._scoring import invalid_note, remember
from apps.risk.engine.radiosensitivity import RADIOSENSITIVITY_TABLE, Radiosensitivity, radiosensitivity_of
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
#: Legacy input (before ``complete_paraplegia_hours`` existed): still read when the case fields are empty.
PARAPLEGIA_EXTRA_KEY: Final = "total_paraplegia_hours"
#: Frankel grades without any motor function below the lesion: total paraplegia (clinical-rules.md §1b).
PARAPLEGIC_FRANKEL: Final = frozenset({"A", "B"})
MOTOR_FRANKEL: Final = frozenset({"C", "D", "E"})
#: Subsets of lesions of unknown grade enumerated for the single-area criterion before answering unknown.
_MAX_UNDECIDED_LESIONS: Final = 8

_MET, _NOT_MET, _UNKNOWN = CheckStatus.MET, CheckStatus.NOT_MET, CheckStatus.UNKNOWN

_PATCHELL = "Patchell RA et al., Lancet 2005;366:643-648"
SOURCE_SURVIVAL: Final = f"{sources.SEED_000} (Patchell inclusion: estimated survival > 3 months); clinical-rules.md §4"
SOURCE_SINGLE_AREA: Final = (
    f"{_PATCHELL} (compression restricted to a single area, which may include several contiguous segments); "
    f"{sources.SEED_000} ('single level cord compression'); clinical-rules.md §4"
)
SOURCE_CAUDA_EQUINA: Final = (
    f"{sources.SEED_000} ('compression of the cauda equina excluded'); {_PATCHELL} (cauda equina or spinal "
    "roots only excluded); clinical-rules.md §4"
)
SOURCE_PARAPLEGIA: Final = (
    f"{sources.SEED_000} (Patchell inclusion: total paraplegia < 48 h); clinical-rules.md §1b (frankel_grade, "
    "complete_paraplegia_hours) and §4"
)
SOURCE_PRIOR_RT: Final = (
    f"{sources.SEED_000} (Patchell inclusion: no prior radiation to the target area); clinical-rules.md §4 and §7 "
    "(overlap is anatomical)"
)
SOURCE_HISTOLOGY: Final = (
    f"{_PATCHELL} (solid tumours; radiosensitive lymphoma, leukaemia, multiple myeloma and germ-cell tumours "
    f"excluded); {sources.SEED_000} ('patients with solid malignancies'); clinical-rules.md §1b (radiosensitivity) "
    "and §4"
)
_BOARD_NOTE: Final = (
    "Patchell also required a general medical status acceptable for surgery and at least one neurological "
    "sign or symptom (pain included): a board judgement"
)


def _survival_check(months: float | None) -> CriterionCheck:
    code = "survival_gt_3_months"
    if months is None:
        missing = ("estimated_survival_months",)
        return CriterionCheck(code, _UNKNOWN, None, unknown_text(missing), missing, SOURCE_SURVIVAL)
    if months > SURVIVAL_SURGERY_MIN_MONTHS:
        return CriterionCheck(code, _MET, months, f"estimated survival {months:g} > 3 months", (), SOURCE_SURVIVAL)
    return CriterionCheck(code, _NOT_MET, months, f"estimated survival {months:g} months is not > 3", (), SOURCE_SURVIVAL)


def _span(lesion: LesionFacts) -> tuple[str, ...] | None:
    """The lesion's levels, or None when not recorded or not a valid cranio-caudal span."""
    if lesion.level_from is None:
        return None
    try:
        return levels_between(lesion.level_from, lesion.level_to)
    except (KeyError, ValueError):
        return None


def _runs(levels: set[str]) -> list[tuple[str, ...]]:
    """The levels as contiguous runs in cranio-caudal order (T5, T6, T9 -> (T5, T6), (T9,))."""
    ordered = sorted(levels, key=LEVEL_INDEX.__getitem__)
    runs: list[list[str]] = []
    for level in ordered:
        if runs and LEVEL_INDEX[level] == LEVEL_INDEX[runs[-1][-1]] + 1:
            runs[-1].append(level)
        else:
            runs.append([level])
    return [tuple(run) for run in runs]


def _run_label(run: tuple[str, ...]) -> str:
    return span_label(run[0], run[-1] if len(run) > 1 else None)


@dataclass(frozen=True, slots=True)
class _Area:
    """The compression area of a high-grade lesion: its levels merged with every contiguous high-grade one."""

    check: CriterionCheck
    #: Levels of the area containing the lesion (None when the lesion's own levels are unknown).
    levels: tuple[str, ...] | None


def _describe(other: LesionFacts, index: int) -> str:
    where = span_label(other.level_from, other.level_to) if other.level_from else str(other.site)
    return f"lesion {index + 1} ({where})"


def _single_area(lesion: LesionFacts, own: tuple[str, ...] | None, case: CaseFacts | None) -> _Area:
    """``single_area``: the case's high-grade compression forms one contiguous run of levels.

    Patchell allowed one area spanning several contiguous segments and excluded multiple discrete
    compressive lesions. Other spinal lesions of the case count when their grade is 2-3; a grade that is
    not recorded leaves them possibly compressive, so the answer is decided only when every possibility
    agrees (a T7 lesion of unknown grade between compressions at T6 and T8 would join them or split them:
    unknown). A possibly compressive lesion without levels could lie anywhere: unknown.
    """
    code, source = "single_area", SOURCE_SINGLE_AREA
    if own is None:
        missing = ("level_from",) if lesion.level_from is None else ("level_from", "level_to")
        return _Area(CriterionCheck(code, _UNKNOWN, None, unknown_text(missing), missing, source), None)
    compressed = set(own)
    undecided: list[tuple[int, LesionFacts, tuple[str, ...]]] = []
    unplaced: list[tuple[int, LesionFacts, tuple[str, ...]]] = []
    needs: tuple[str, ...]
    others = () if case is None else case.lesions
    for index, other in enumerate(others):
        if other is lesion or other.site not in SPINAL_SITES:
            continue
        grade = other.epidural_compression_grade
        known_grade = grade in _CATEGORY
        if known_grade and grade not in HIGH_GRADES:
            continue
        levels = _span(other)
        if levels is None:
            needs = ("level_from",) if known_grade else ("epidural_compression_grade", "level_from")
            unplaced.append((index, other, needs))
        elif known_grade:
            compressed.update(levels)
        else:
            undecided.append((index, other, levels))
    area = next(run for run in _runs(compressed) if own[0] in run)
    label = _run_label(area)
    if unplaced:
        index, other, needs = unplaced[0]
        state = "compresses" if len(needs) == 1 else "may compress"
        text = f"{_describe(other, index)} {state} and has no valid level: {unknown_text(needs)}"
        return _Area(CriterionCheck(code, _UNKNOWN, label, text, needs, source), area)
    if len(undecided) > _MAX_UNDECIDED_LESIONS:
        needs = ("epidural_compression_grade",)
        text = f"{len(undecided)} other spinal lesions have no ESCC grade: {unknown_text(needs)}"
        return _Area(CriterionCheck(code, _UNKNOWN, label, text, needs, source), area)
    outcomes: set[bool] = set()
    for chosen in product((False, True), repeat=len(undecided)):
        possible = set(compressed)
        for (_, _, extra), take in zip(undecided, chosen, strict=True):
            if take:
                possible.update(extra)
        outcomes.add(len(_runs(possible)) == 1)
    if outcomes == {True}:
        merged = f" (contiguous levels count as one area; {len(area)} levels)" if len(area) > 1 else ""
        text = f"compression restricted to one area: {label}{merged}"
        return _Area(CriterionCheck(code, _MET, label, text, (), source), area)
    if outcomes == {False}:
        # The empty choice is among the outcomes, so the known compression alone already has several runs.
        elsewhere = ", ".join(_run_label(run) for run in _runs(compressed) if run != area)
        text = f"high-grade compression at {label} and also at {elsewhere}: separate areas"
        return _Area(CriterionCheck(code, _NOT_MET, label, text, (), source), area)
    names = ", ".join(_describe(other, index) for index, other, _ in undecided)
    needs = ("epidural_compression_grade",)
    text = f"depends on the ESCC grade of {names}: {unknown_text(needs)}"
    return _Area(CriterionCheck(code, _UNKNOWN, label, text, needs, source), area)


def _cauda_equina_check(area: tuple[str, ...] | None) -> CriterionCheck:
    code, source = "not_cauda_equina_only", SOURCE_CAUDA_EQUINA
    if area is None:
        return CriterionCheck(code, _UNKNOWN, None, unknown_text(("level_from",)), ("level_from",), source)
    label = _run_label(area)
    if LEVEL_INDEX[area[0]] >= LEVEL_INDEX[CAUDA_EQUINA_FROM_LEVEL]:
        text = f"{label} lies entirely at L2 or below: cauda equina compression only"
        return CriterionCheck(code, _NOT_MET, label, text, (), source)
    return CriterionCheck(code, _MET, label, f"{label} includes a level above L2 (spinal cord / conus)", (), source)


def _hours_check(hours: float, frankel: str | None, *, legacy: bool = False) -> CriterionCheck:
    """``legacy``: the old ``total_paraplegia_hours`` input, where 0 meant "not paraplegic"."""
    code, source = "paraplegia_lt_48h", SOURCE_PARAPLEGIA
    who = f"Frankel {frankel}, " if frankel else ""
    if hours < PARAPLEGIA_MAX_HOURS:
        text = "no total paraplegia" if legacy and hours == 0 else f"{who}total paraplegia for {hours:g} h (< 48 h)"
        return CriterionCheck(code, _MET, hours, text, (), source)
    return CriterionCheck(code, _NOT_MET, hours, f"{who}total paraplegia for {hours:g} h (not < 48 h)", (), source)


def _paraplegia_check(case: CaseFacts | None, explicit: float | None) -> CriterionCheck:
    """``paraplegia_lt_48h`` from ``frankel_grade`` and ``complete_paraplegia_hours``.

    Frankel C, D or E: motor function remains, so the patient is not totally paraplegic (met). Frankel A
    or B (no motor function): met when ``complete_paraplegia_hours`` < 48, not met from 48 h, unknown
    without the hours. No grade: unknown, unless the hours alone decide. The legacy inputs
    (``total_paraplegia_hours`` argument, then ``extra``; 0 = not paraplegic) are read when given.
    """
    code, source = "paraplegia_lt_48h", SOURCE_PARAPLEGIA
    missing: tuple[str, ...]
    if explicit is not None:
        return _hours_check(explicit, None, legacy=True)
    if case is None:
        missing = ("frankel_grade",)
        return CriterionCheck(code, _UNKNOWN, None, unknown_text(missing), missing, source)
    grade = None if case.frankel_grade is None else str(case.frankel_grade)
    hours = _number(case.complete_paraplegia_hours)
    if grade in MOTOR_FRANKEL:
        if hours is not None:
            missing = ("frankel_grade", "complete_paraplegia_hours")
            text = f"Frankel {grade} records motor function but complete_paraplegia_hours is {hours:g}: correct one"
            return CriterionCheck(code, _UNKNOWN, grade, text, missing, source)
        return CriterionCheck(code, _MET, grade, f"Frankel {grade}: motor function preserved, not totally paraplegic", (), source)
    if hours is not None:
        return _hours_check(hours, grade)
    if grade in PARAPLEGIC_FRANKEL:
        missing = ("complete_paraplegia_hours",)
        text = f"Frankel {grade} (total paraplegia) for how long: {unknown_text(missing)}"
        return CriterionCheck(code, _UNKNOWN, grade, text, missing, source)
    legacy = _number(case.extra.get(PARAPLEGIA_EXTRA_KEY))
    if legacy is not None:
        return _hours_check(legacy, None, legacy=True)
    missing = ("frankel_grade",)
    text = f"{unknown_text(missing)} (and complete_paraplegia_hours for Frankel A or B)"
    if grade is not None:
        text = f"frankel_grade '{grade}' is not a code of the vocabulary: {text}"
    return CriterionCheck(code, _UNKNOWN, grade, text, missing, source)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _course_label(course: PriorCourseFacts) -> str:
    when = f", {course.date.isoformat()}" if course.date is not None else ""
    return f"{course.total_dose_gy:g} Gy/{course.fractions} to {course.region or 'an unnamed region'}{when}"


def _course_overlaps(course: PriorCourseFacts, area: tuple[str, ...]) -> bool | None:
    """Whether a prior course reached the compression area, decided by the one anatomical overlap rule
    (``apps.clinical.overlap.course_reaches``, clinical-rules.md §7) for each contiguous run of the area's
    levels: spinal level ranges intersect; a course to a non-spinal site did not; a course without a
    structured spinal target (no site, or no levels): None."""
    answers = {course_reaches(Target(level_from=run[0], level_to=run[-1]), course) for run in _runs(set(area))}
    if True in answers:
        return True
    return None if None in answers else False


def _prior_rt_check(lesion: LesionFacts, area: tuple[str, ...] | None, case: CaseFacts | None) -> CriterionCheck:
    """``no_prior_radiotherapy`` to the area: the lesion's ``prior_radiotherapy`` and the case's prior courses.

    A recorded course whose spinal levels intersect the compression area is prior RT to the area whatever
    the lesion says (not met). Otherwise the lesion's field decides: True not met, False met (a course whose
    target cannot be placed is named in the explanation), None unknown (an empty course list does not prove
    that no course was given).
    """
    code, source = "no_prior_radiotherapy", SOURCE_PRIOR_RT
    courses = () if case is None else case.prior_courses
    overlapping: list[str] = []
    undecided: list[str] = []
    for course in courses:
        overlap = None if area is None else _course_overlaps(course, area)
        if overlap:
            overlapping.append(_course_label(course))
        elif overlap is None:
            undecided.append(_course_label(course))
    if overlapping:
        where = _run_label(area) if area else "the area"
        text = f"prior radiotherapy reached {where}: {'; '.join(overlapping)}"
        return CriterionCheck(code, _NOT_MET, True, text, (), source)
    prior = lesion.prior_radiotherapy
    if prior is True:
        return CriterionCheck(code, _NOT_MET, True, "prior radiotherapy to the area", (), source)
    placed = f" (overlap unknown for {'; '.join(undecided)})" if undecided else ""
    if prior is False:
        return CriterionCheck(code, _MET, False, f"no prior radiotherapy to the area{placed}", (), source)
    missing = ("prior_radiotherapy",)
    return CriterionCheck(code, _UNKNOWN, None, unknown_text(missing) + placed, missing, source)


def _histology_check(case: CaseFacts | None) -> CriterionCheck:
    """``solid_not_radiosensitive``: the radiosensitivity table decides (lymphoma, myeloma, germ-cell
    radiosensitive: not met; intermediate or radioresistant solid tumours: met). ``unknown_primary`` and
    ``other`` may hide a leukaemia or a germ-cell tumour: unknown."""
    code, source = "solid_not_radiosensitive", SOURCE_HISTOLOGY
    histology = None if case is None else case.primary_histology
    missing = ("primary_histology",)
    if histology is None:
        return CriterionCheck(code, _UNKNOWN, None, unknown_text(missing), missing, source)
    entry = RADIOSENSITIVITY_TABLE.get(histology)
    if entry is None:
        return CriterionCheck(code, _UNKNOWN, str(histology), invalid_note("primary_histology", histology), missing, source)
    name = entry.histology.value
    if entry.radiosensitivity is None:
        text = f"{name}: the histology is not known, so neither is its radiosensitivity; {unknown_text(missing)}"
        return CriterionCheck(code, _UNKNOWN, name, text, missing, source)
    if entry.radiosensitivity is Radiosensitivity.RADIOSENSITIVE:
        text = f"{name} is radiosensitive: Patchell excluded lymphoma, leukaemia, myeloma and germ-cell tumours"
        return CriterionCheck(code, _NOT_MET, name, text, (), source)
    text = f"{name}: solid tumour, {entry.radiosensitivity.value} to conventional RT (not radiosensitive)"
    return CriterionCheck(code, _MET, name, text, (), source)


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

    ``case`` supplies the estimated survival, the other lesions (single-area check), the histology
    (radiosensitivity), the Frankel grade and paraplegia duration, and the prior courses; see the module
    docstring. ``total_paraplegia_hours`` is the legacy explicit input (0 = not paraplegic).

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
    survival = None if case is None else case.estimated_survival_months
    area = _single_area(lesion, _span(lesion), case)
    checks = (
        _survival_check(survival),
        area.check,
        _cauda_equina_check(area.levels),
        _paraplegia_check(case, total_paraplegia_hours),
        _prior_rt_check(lesion, area.levels, case),
        _histology_check(case),
    )
    statuses = {check.status for check in checks}
    if _NOT_MET in statuses:
        candidate = _NOT_MET
        unmet = ", ".join(check.code for check in checks if check.status is _NOT_MET)
        pathway = f"not a Patchell surgical candidate ({unmet} not met)"
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
        notes=(*_context(radiosensitivity), _BOARD_NOTE),
        source=sources.ESCC,
        grade=grade_code,
        high_grade=True,
        patchell_criteria=checks,
        surgical_candidate=candidate,
        non_surgical_regimens=regimens,
        radiosensitivity=radiosensitivity,
    )
