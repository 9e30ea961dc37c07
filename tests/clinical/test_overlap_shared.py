"""One anatomical overlap rule (clinical-rules.md §7) for both engines: the risk engine's "prior
radiotherapy to the compression area" (ESCC, Patchell) and the dose engine's re-irradiation decision read
``apps.clinical.overlap``, so the same prior course and the same levels get the same answer in both."""

from __future__ import annotations

import itertools

from apps.cases.facts import PriorCourseFacts
from apps.cases.vocabulary import LEVEL_INDEX, SPINAL_SITES, Site
from apps.clinical.overlap import Overlap, Target, target_overlap
from apps.risk.engine import escc

THORACIC = [level for level in LEVEL_INDEX if level.startswith("T")]


def test_the_dose_engine_uses_the_shared_module() -> None:
    from apps.dosimetry import engine

    assert engine.target_overlap is target_overlap and engine.Target is Target


def test_risk_and_dose_engines_agree_on_every_thoracic_level_range() -> None:
    pairs = [(a, b) for a, b in itertools.combinations_with_replacement(THORACIC, 2)]
    for (area_from, area_to), (prior_from, prior_to) in itertools.product(pairs[::7], pairs[::5]):
        area = tuple(THORACIC[THORACIC.index(area_from) : THORACIC.index(area_to) + 1])
        course = PriorCourseFacts(
            region="spine", total_dose_gy=8, fractions=1, site=Site.THORACIC_SPINE, level_from=prior_from, level_to=prior_to
        )
        dose = target_overlap(
            Target(site="thoracic_spine", level_from=area_from, level_to=area_to),
            Target(site="thoracic_spine", level_from=prior_from, level_to=prior_to),
        )
        assert escc._course_overlaps(course, area) is (dose.status == Overlap.OVERLAPS), (area, course)


def test_courses_the_rule_cannot_place_stay_undecided_in_the_risk_engine() -> None:
    area = ("T8",)
    no_levels = PriorCourseFacts(region="spine", total_dose_gy=8, fractions=1, site=Site.THORACIC_SPINE)
    no_target = PriorCourseFacts(region="T8", total_dose_gy=8, fractions=1)
    femur = PriorCourseFacts(region="femur", total_dose_gy=8, fractions=1, site=Site.FEMUR, laterality=None)
    assert escc._course_overlaps(no_levels, area) is None
    assert escc._course_overlaps(no_target, area) is None
    assert escc._course_overlaps(femur, area) is False


# --- the options engine reads the same rule (clinical-rules.md §7) ------------------------------------------

_SIDES = (None, "left", "right", "bilateral", "midline")
_NON_SPINAL = tuple(site for site in Site if site not in SPINAL_SITES)


def test_options_and_dose_engines_agree_on_every_non_spinal_site_and_side() -> None:
    """Every (lesion site, side) against every (prior site, side): the options engine's "does this course
    reach the lesion" is the dose engine's re-irradiation overlap (overlaps True, separate False, unknown None)."""
    from apps.cases.facts import LesionFacts
    from apps.options.engine.options import course_overlaps

    expected_of = {Overlap.OVERLAPS: True, Overlap.SEPARATE: False, Overlap.UNKNOWN: None}
    for (site, side), (prior_site, prior_side) in itertools.product(
        itertools.product(_NON_SPINAL, _SIDES), itertools.product(_NON_SPINAL, _SIDES)
    ):
        lesion = LesionFacts(site=site, laterality=side)  # type: ignore[arg-type]
        course = PriorCourseFacts(region="x", total_dose_gy=8, fractions=1, site=prior_site, laterality=prior_side)  # type: ignore[arg-type]
        dose = target_overlap(Target(site=str(site), laterality=side), Target(site=str(prior_site), laterality=prior_side)).status
        assert course_overlaps(lesion, course) is expected_of[dose], (site, side, prior_site, prior_side)


def test_options_engine_reads_midline_bones_other_and_midline_sides_by_the_rule() -> None:
    """The cases where the options engine's own copy of the rule answered differently (issue 16's
    duplicates): a sternum or skull course reaches the same bone whatever side is recorded; the site
    ``other`` names no bone; ``midline`` says no side of a paired bone."""
    from apps.cases.facts import LesionFacts
    from apps.options.engine.options import course_overlaps

    def course(site: Site, side: str | None) -> PriorCourseFacts:
        return PriorCourseFacts(region="x", total_dose_gy=8, fractions=1, site=site, laterality=side)  # type: ignore[arg-type]

    assert course_overlaps(LesionFacts(site=Site.STERNUM), course(Site.STERNUM, None)) is True
    assert course_overlaps(LesionFacts(site=Site.SKULL), course(Site.SKULL, "midline")) is True  # type: ignore[arg-type]
    assert course_overlaps(LesionFacts(site=Site.OTHER, laterality="left"), course(Site.OTHER, "left")) is None  # type: ignore[arg-type]
    assert course_overlaps(LesionFacts(site=Site.FEMUR, laterality="left"), course(Site.FEMUR, "midline")) is None  # type: ignore[arg-type]
    assert course_overlaps(LesionFacts(site=Site.FEMUR, laterality="left"), course(Site.HUMERUS, "left")) is False  # type: ignore[arg-type]
    # A spinal lesion against a course of unplaceable levels: undecided, never a guess.
    spine = LesionFacts(site=Site.THORACIC_SPINE, level_from="T8")
    reversed_levels = PriorCourseFacts(
        region="x", total_dose_gy=8, fractions=1, site=Site.THORACIC_SPINE, level_from="T9", level_to="T7"
    )
    assert course_overlaps(spine, reversed_levels) is None
