"""The inputs digest of a stored match: what the re-match compares instead of the match itself.

A stored match is a pure function of the case facts, the trial version's criteria and the matcher
version, so the SHA-256 of those three identifies it: a re-match computes the digest of each case once
(canonical JSON of its facts, refs included, since explanations name lesions) and skips every pair whose
stored digest is the same, without evaluating the criteria or reading the stored payload back. Equal
inputs written differently (``20`` and ``20.0``) may hash differently: that only costs a recomputation,
never a missed change.
"""

from __future__ import annotations

import hashlib

from apps.cases.facts import facts_digest
from apps.trials.engine.version import ENGINE_VERSION

#: Hex SHA-256 of every fact of the case (``apps.cases.facts.facts_digest``, which the case row stores as
#: ``Case.facts_digest`` so an unchanged re-match chunk need not load the facts: issue 16).
case_facts_digest = facts_digest


def match_inputs_digest(facts_digest: str, criteria_digest: str, trial_version: int) -> str:
    """Hex SHA-256 of what one stored match was computed from: the case facts (their digest), the
    criteria and number of the trial version (the payload names the version) and the matcher version."""
    text = f"{ENGINE_VERSION}|{trial_version}|{criteria_digest}|{facts_digest}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
