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
