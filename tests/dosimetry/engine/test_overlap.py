"""Anatomical overlap of a prior course with the planned target (clinical-rules.md §1, §7; issue 9)."""

from __future__ import annotations

import pytest

from apps.dosimetry.engine import Overlap, Target, target_errors, target_overlap


def spine(level_from: str, level_to: str | None = None, site: str | None = None) -> Target:
    return Target(site=site, level_from=level_from, level_to=level_to)


def bone(site: str, laterality: str | None = None) -> Target:
    return Target(site=site, laterality=laterality)


@pytest.mark.parametrize(
    ("planned", "prior", "status"),
    [
        # the case: a prior T7-T9 course reaches a T8 plan
        (spine("T8"), spine("T7", "T9"), Overlap.OVERLAPS),
        (spine("T7", "T9"), spine("T8"), Overlap.OVERLAPS),
        # ranges that share only their end level
        (spine("T9", "T11"), spine("T7", "T9"), Overlap.OVERLAPS),
        (spine("T5", "T7"), spine("T7", "T9"), Overlap.OVERLAPS),
        # disjoint ranges, adjacent and not
        (spine("T10"), spine("T7", "T9"), Overlap.SEPARATE),
        (spine("L3"), spine("T7", "T9"), Overlap.SEPARATE),
        # a span across the thoracolumbar junction, whatever site code it was filed under
        (spine("L1", site="lumbar_spine"), spine("T12", "L1", site="thoracic_spine"), Overlap.OVERLAPS),
        (spine("C7", "T1"), spine("C7"), Overlap.OVERLAPS),
        (spine("S1"), spine("L5", "S1"), Overlap.OVERLAPS),
        # a spinal course without levels cannot be placed
        (spine("T8"), bone("thoracic_spine"), Overlap.UNKNOWN),
        (bone("lumbar_spine"), spine("L2"), Overlap.UNKNOWN),
        # spine against another bone
        (spine("T8"), bone("femur", "left"), Overlap.SEPARATE),
        (bone("pelvis", "right"), spine("L5", "S1"), Overlap.SEPARATE),
        # other sites: site and laterality
        (bone("femur", "left"), bone("femur", "left"), Overlap.OVERLAPS),
        (bone("femur", "right"), bone("femur", "left"), Overlap.SEPARATE),
        (bone("femur", "right"), bone("femur", "bilateral"), Overlap.OVERLAPS),
        (bone("pelvis", "bilateral"), bone("pelvis", "left"), Overlap.OVERLAPS),
        (bone("humerus", "left"), bone("femur", "left"), Overlap.SEPARATE),
        (bone("femur", "left"), bone("femur"), Overlap.UNKNOWN),
        (bone("femur"), bone("femur", "right"), Overlap.UNKNOWN),
        (bone("rib", "left"), bone("rib", "left"), Overlap.OVERLAPS),
        # midline bones: the same site overlaps
        (bone("sternum", "midline"), bone("sternum"), Overlap.OVERLAPS),
        (bone("skull"), bone("skull", "midline"), Overlap.OVERLAPS),
        (bone("skull"), bone("sternum"), Overlap.SEPARATE),
        # "other" names no bone
        (bone("other", "left"), bone("other", "left"), Overlap.UNKNOWN),
        # no structured target on either side: listed as unknown, never dropped
        (spine("T8"), Target(label="T7-T9"), Overlap.UNKNOWN),
        (Target(label="T8"), spine("T8"), Overlap.UNKNOWN),
    ],
)
def test_overlap_table(planned: Target, prior: Target, status: Overlap) -> None:
    result = target_overlap(planned, prior)
    assert result.status is status, result.reason
    assert result.reason


def test_unknown_names_the_fields_that_would_decide_it() -> None:
    result = target_overlap(bone("femur", "left"), bone("femur"), prior_field="prior_courses[2].")
    assert result.needs == ("prior_courses[2].laterality",)
    assert target_overlap(spine("T8"), Target(label="T7-T9"), prior_field="prior_courses[0].").needs == ("prior_courses[0].site",)
    assert "level_from" in target_overlap(spine("T8"), bone("thoracic_spine"), prior_field="p.").needs[0]


def test_adjacent_levels_are_separate_but_say_so() -> None:
    result = target_overlap(spine("T10"), spine("T7", "T9"))
    assert result.status is Overlap.SEPARATE
    assert "adjacent" in result.reason
    assert "adjacent" not in target_overlap(spine("L3"), spine("T7", "T9")).reason


@pytest.mark.parametrize(
    ("target", "field"),
    [
        (Target(site="liver"), "site"),
        (Target(level_from="T13"), "level_from"),
        (Target(level_to="T8"), "level_to"),
        (Target(level_from="T9", level_to="T7"), "level_to"),
        (Target(site="femur", level_from="T8"), "level_from"),
        (Target(site="thoracic_spine", level_from="T8", laterality="left"), "laterality"),
        (Target(site="sternum", laterality="right"), "laterality"),
        (Target(site="femur", laterality="midline"), "laterality"),
        (Target(site="femur", laterality="up"), "laterality"),
    ],
)
def test_incoherent_targets_are_named(target: Target, field: str) -> None:
    assert [path for path, _ in target_errors(target, "")] == [field]


def test_coherent_targets_have_no_error() -> None:
    for target in (spine("T7", "T9", site="thoracic_spine"), bone("femur", "left"), bone("skull", "midline"), Target()):
        assert target_errors(target, "") == []
