"""The options inputs digest: what changes it, and the catalogue fingerprinted once per chunk."""

from __future__ import annotations

import dataclasses

from apps.options.engine import OptionInputs, options_inputs_digest
from apps.options.engine.digest import catalogue_fingerprint
from tests.options.engine.builders import CATALOGUE, case_of, real_risk, spine


def _inputs(catalogue: dict) -> tuple:  # type: ignore[type-arg]
    case = case_of(spine())
    return case, OptionInputs(risk=real_risk(case), catalogue=catalogue)


def test_a_given_fingerprint_gives_the_digest_computed_without_it() -> None:
    case, inputs = _inputs(dict(CATALOGUE))
    assert options_inputs_digest(case, inputs) == options_inputs_digest(
        case, inputs, catalogue=catalogue_fingerprint(inputs.catalogue)
    )


def test_every_catalogue_change_changes_the_digest() -> None:
    case, inputs = _inputs(dict(CATALOGUE))
    before = options_inputs_digest(case, inputs)
    code, entry = next(iter(sorted(CATALOGUE.items())))
    first_field = dataclasses.fields(entry)[0].name
    for changed in (
        {k: v for k, v in CATALOGUE.items() if k != code},  # a regimen withdrawn
        {**CATALOGUE, code: dataclasses.replace(entry, **{first_field: f"{getattr(entry, first_field)}-x"})},
    ):
        assert options_inputs_digest(case, dataclasses.replace(inputs, catalogue=changed)) != before
    # The order the catalogue arrives in does not matter.
    assert options_inputs_digest(case, dataclasses.replace(inputs, catalogue=dict(reversed(list(CATALOGUE.items()))))) == before


def _digest_with_asdict(case, inputs) -> str:  # type: ignore[no-untyped-def]
    """The digest as written before issue 16's round 4, with ``dataclasses.asdict``: the reference."""
    import hashlib

    from apps.options.engine.digest import ENGINE_VERSION, _canonical
    from apps.risk.engine.digest import canonical_case

    asdict = dataclasses.asdict
    catalogue = hashlib.sha256(
        _canonical({code: asdict(entry) for code, entry in sorted(inputs.catalogue.items())}).encode("utf-8")
    ).hexdigest()
    payload = {
        "engine_version": ENGINE_VERSION,
        "case": canonical_case(case),
        "prior_courses": [asdict(course) for course in case.prior_courses],
        "inputs": {
            "risk": asdict(inputs.risk),
            "catalogue": catalogue,
            "plans": sorted((asdict(plan) for plan in inputs.plans), key=lambda p: p["plan_id"]),
            "trials": sorted((asdict(trial) for trial in inputs.trials), key=lambda t: t["identifier"]),
        },
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def test_the_digest_is_the_one_asdict_gave() -> None:
    """Round 4 replaced ``asdict`` (a deep copy of every leaf) by a plain walk: every stored digest still
    holds, so no stored options are recomputed after the deploy."""
    from apps.cases.facts import PriorCourseFacts
    from apps.options.engine import PlanEntry, TrialEntry

    case, inputs = _inputs(dict(CATALOGUE))
    course = PriorCourseFacts(region="T8", total_dose_gy=30.0, fractions=10, site="spine")  # type: ignore[arg-type]
    case = dataclasses.replace(case, prior_courses=(course,))
    inputs = dataclasses.replace(
        inputs,
        plans=(PlanEntry(7, "Spine 8 Gy", "conv_8gy_1fx", "conventional", ("spine",)),),
        trials=(
            TrialEntry("NCT03862911", "SABR-COMET-3", "recruiting", "eligible", True),
            TrialEntry("NCT01446744", "SABR-COMET", "completed", "possibly_eligible", False),
        ),
    )
    assert options_inputs_digest(case, inputs) == _digest_with_asdict(case, inputs)
