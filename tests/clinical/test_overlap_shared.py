"""One anatomical overlap rule (clinical-rules.md §7) for both engines: the risk engine's "prior
radiotherapy to the compression area" (ESCC, Patchell) and the dose engine's re-irradiation decision read
``apps.clinical.overlap``, so the same prior course and the same levels get the same answer in both."""

from __future__ import annotations

import itertools

from apps.cases.facts import PriorCourseFacts
from apps.cases.vocabulary import LEVEL_INDEX, Site
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
