"""The structured recommendation: its vocabulary and the checks of each action, field by field.

Plain Python (no Django). Errors are ``{"field": ["reason"]}``; the actions list is keyed by item index
(``{"actions": {"1": {"procedure": [...]}}}``), the form the rest of the API uses.

Sources: docs/api-contract.md "Decisions" (codes); issue 13 (the action kinds and their details);
21 CFR 11.50 (a signature names the signer, the time and its meaning).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Final


class DecisionStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


class Intent(StrEnum):
    PALLIATIVE = "palliative"
    PROPHYLACTIC = "prophylactic"
    ABLATIVE = "ablative"
    CURATIVE = "curative"


class ActionKind(StrEnum):
    RADIOTHERAPY = "radiotherapy"
    SURGERY = "surgery"
    SYSTEMIC_THERAPY = "systemic_therapy"
    BONE_MODIFYING_AGENT = "bone_modifying_agent"
    TRIAL_REFERRAL = "trial_referral"
    IMAGING_OR_BIOPSY = "imaging_or_biopsy"
    BEST_SUPPORTIVE_CARE = "best_supportive_care"


class SurgeryProcedure(StrEnum):
    FIXATION = "fixation"
    DECOMPRESSION_STABILISATION = "decompression_stabilisation"
    VERTEBRAL_AUGMENTATION = "vertebral_augmentation"
    RESECTION_RECONSTRUCTION = "resection_reconstruction"
    OTHER = "other"


class Consensus(StrEnum):
    CONSENSUS = "consensus"
    MAJORITY = "majority"


class Implementation(StrEnum):
    IMPLEMENTED = "implemented"
    MODIFIED = "modified"
    NOT_IMPLEMENTED = "not_implemented"


class FollowUpReason(StrEnum):
    PATIENT_WISH = "patient_wish"
    DEATH = "death"
    PHYSICIAN_DECISION = "physician_decision"
    MEDICAL_REASON = "medical_reason"
    OTHER = "other"


class ResponseAssessment(StrEnum):
    """Response at 3, 6 and 12 months (optional), in the words of a follow-up clinic."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    STABLE = "stable"
    PROGRESSION = "progression"
    NOT_ASSESSED = "not_assessed"


#: The signature's meaning, recorded with it (21 CFR 11.50(a)(3)).
SIGNATURE_MEANING: Final = "approved as the board's decision"

#: Radiotherapy techniques a board names (free text is refused so the FHIR export and reports can map them).
RT_TECHNIQUES: Final = ("conventional_3d", "imrt", "vmat", "sbrt", "srs", "other")

_TEXT_MAX: Final = 2000


def _codes(enum: type[StrEnum]) -> str:
    return ", ".join(m.value for m in enum)


def _text(value: Any, *, required: bool, field: str) -> list[str]:
    if value is None or value == "":
        return [f"{field} is required."] if required else []
    if not isinstance(value, str):
        return ["must be text."]
    if len(value) > _TEXT_MAX:
        return [f"at most {_TEXT_MAX} characters."]
    return []


def _positive_number(value: Any, *, maximum: float) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ["must be a number."]
    if not 0 < value <= maximum:
        return [f"must be greater than 0 and at most {maximum:g}."]
    return []


def _radiotherapy(action: Mapping[str, Any], lesion_ids: frozenset[int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    targets = action.get("target_lesions")
    if not isinstance(targets, list) or not targets:
        errors["target_lesions"] = ["name at least one lesion of this case (its id)."]
    elif any(isinstance(t, bool) or not isinstance(t, int) for t in targets):
        errors["target_lesions"] = ["lesion ids are integers."]
    else:
        unknown = sorted(set(targets) - lesion_ids)
        if unknown:
            errors["target_lesions"] = [f"not lesions of this case: {', '.join(map(str, unknown))}."]
    regimen = action.get("regimen")
    dose, fractions = action.get("total_dose_gy"), action.get("fractions")
    if regimen in (None, ""):
        # Custom levels: a dose and a fraction number instead of a catalogue regimen.
        if dose is None or fractions is None:
            errors["regimen"] = ["give a catalogue regimen code, or custom levels (total_dose_gy and fractions)."]
    elif not isinstance(regimen, str):
        errors["regimen"] = ["must be a regimen code."]
    if dose is not None and (problem := _positive_number(dose, maximum=100)):
        errors["total_dose_gy"] = problem
    if fractions is not None:
        if isinstance(fractions, bool) or not isinstance(fractions, int):
            errors["fractions"] = ["must be a whole number."]
        elif not 1 <= fractions <= 50:
            errors["fractions"] = ["must be between 1 and 50."]
    technique = action.get("technique")
    if technique not in (None, "") and technique not in RT_TECHNIQUES:
        errors["technique"] = [f'"{technique}" is not a valid code. Allowed: {", ".join(RT_TECHNIQUES)}.']
    return errors


def _surgery(action: Mapping[str, Any], lesion_ids: frozenset[int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    procedure = action.get("procedure")
    if procedure not in {p.value for p in SurgeryProcedure}:
        errors["procedure"] = [f'"{procedure}" is not a valid code. Allowed: {_codes(SurgeryProcedure)}.']
    elif procedure == SurgeryProcedure.OTHER and (problem := _text(action.get("detail"), required=True, field="detail")):
        errors["detail"] = problem
    targets = action.get("target_lesions", [])
    if not isinstance(targets, list) or any(isinstance(t, bool) or not isinstance(t, int) for t in targets):
        errors["target_lesions"] = ["a list of lesion ids."]
    elif unknown := sorted(set(targets) - lesion_ids):
        errors["target_lesions"] = [f"not lesions of this case: {', '.join(map(str, unknown))}."]
    return errors


def _trial_referral(action: Mapping[str, Any], _: frozenset[int]) -> dict[str, list[str]]:
    trial = action.get("trial")
    if not isinstance(trial, str) or not trial.strip():
        return {"trial": ["name the trial (its registry id, e.g. NCT03862911)."]}
    return {}


def _described(name: str) -> Any:
    def check(action: Mapping[str, Any], _: frozenset[int]) -> dict[str, list[str]]:
        problem = _text(action.get(name), required=True, field=name)
        return {name: problem} if problem else {}

    return check


_CHECKS: Final = {
    ActionKind.RADIOTHERAPY: _radiotherapy,
    ActionKind.SURGERY: _surgery,
    ActionKind.SYSTEMIC_THERAPY: _described("change"),
    ActionKind.BONE_MODIFYING_AGENT: _described("agent"),
    ActionKind.TRIAL_REFERRAL: _trial_referral,
    ActionKind.IMAGING_OR_BIOPSY: _described("study"),
    ActionKind.BEST_SUPPORTIVE_CARE: lambda action, lesions: {},
}


def action_errors(actions: Any, lesion_ids: Sequence[int]) -> dict[str, Any]:
    """Field errors of the ``actions`` list, keyed by index; empty when every action is well formed."""
    if not isinstance(actions, list):
        return {"actions": ['a list of actions, each {"kind": ..., ...details}.']}
    lesions = frozenset(lesion_ids)
    per_item: dict[str, dict[str, list[str]]] = {}
    for index, action in enumerate(actions):
        if not isinstance(action, Mapping):
            per_item[str(index)] = {"kind": ["each action is an object with a kind."]}
            continue
        kind = action.get("kind")
        if kind not in {k.value for k in ActionKind}:
            per_item[str(index)] = {"kind": [f'"{kind}" is not a valid code. Allowed: {_codes(ActionKind)}.']}
            continue
        problems = _CHECKS[ActionKind(kind)](action, lesions)
        if problems:
            per_item[str(index)] = problems
    return {"actions": per_item} if per_item else {}


def dissent_errors(dissent: Any, member_usernames: Sequence[str] | None = None) -> dict[str, Any]:
    """Each dissent names a member and a reason; with ``member_usernames``, the member is on the board."""
    if not isinstance(dissent, list):
        return {"dissent": ['a list of {"member": username, "reason": text}.']}
    per_item: dict[str, dict[str, list[str]]] = {}
    for index, item in enumerate(dissent):
        problems: dict[str, list[str]] = {}
        if not isinstance(item, Mapping):
            per_item[str(index)] = {"member": ["each dissent is an object with member and reason."]}
            continue
        member = item.get("member")
        if not isinstance(member, str) or not member:
            problems["member"] = ["name the dissenting member (username)."]
        elif member_usernames is not None and member not in member_usernames:
            problems["member"] = [f'"{member}" is not a member of this board.']
        if reason_problem := _text(item.get("reason"), required=True, field="reason"):
            problems["reason"] = reason_problem
        if problems:
            per_item[str(index)] = problems
    return {"dissent": per_item} if per_item else {}


def signing_errors(
    *, intent: str | None, actions: Sequence[Mapping[str, Any]], rationale: str, consensus: str | None, dissent: Sequence[Any]
) -> dict[str, list[str]]:
    """What a draft still lacks before it can be signed as the board's decision."""
    errors: dict[str, list[str]] = {}
    if not intent:
        errors["intent"] = [f"a signed decision states its intent ({_codes(Intent)})."]
    if not actions:
        errors["actions"] = ["a signed decision has at least one action (best_supportive_care is one)."]
    if not rationale.strip():
        errors["rationale"] = ["a signed decision gives its rationale."]
    if not consensus:
        errors["consensus"] = ["say whether the decision was a consensus or a majority."]
    elif consensus == Consensus.MAJORITY and not dissent:
        errors["dissent"] = ["a majority decision names the dissenting members and their reasons."]
    elif consensus == Consensus.CONSENSUS and dissent:
        errors["dissent"] = ["a consensus has no dissent: record it as a majority decision."]
    return errors


def follow_up_errors(*, implementation: str, reason: str | None, note: str) -> dict[str, list[str]]:
    """A decision not implemented or modified says why (one of the reasons); implemented needs none."""
    errors: dict[str, list[str]] = {}
    if implementation not in {i.value for i in Implementation}:
        return {"implementation": [f'"{implementation}" is not a valid code. Allowed: {_codes(Implementation)}.']}
    if reason not in (None, "") and reason not in {r.value for r in FollowUpReason}:
        errors["reason"] = [f'"{reason}" is not a valid code. Allowed: {_codes(FollowUpReason)}.']
    elif implementation != Implementation.IMPLEMENTED and reason in (None, ""):
        errors["reason"] = [f"a decision {implementation.replace('_', ' ')} needs a reason ({_codes(FollowUpReason)})."]
    if reason == FollowUpReason.OTHER and not note.strip():
        errors["note"] = ['say what the "other" reason was.']
    return errors


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the signed content as canonical JSON (sorted keys, no spaces): the signature's seal.

    Anyone holding the exported content can recompute it; a changed byte changes the hash.
    """
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
