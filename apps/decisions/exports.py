"""Reports of a signed decision for the patient's chart: a PDF (WeasyPrint) and a FHIR R4 CarePlan.

Both are built from the stored, signed version only (its snapshot of the results it was based on), so an
export made years later shows what the board saw and signed, not what the engines say today.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string

from apps.decisions.engine.recommendation import ActionKind, DecisionStatus
from apps.decisions.models import Decision
from apps.meetings.models import Attendance

#: Local code system of the platform (no standard code is claimed where none was checked).
SYSTEM = "urn:tumorboard"
#: ASTM E1762-95 signature type "Author's Signature" (the FHIR R4 signature-type value set).
SIGNATURE_TYPE = {"system": "urn:iso-astm:E1762-95:2013", "code": "1.2.840.10065.1.12.1.1", "display": "Author's Signature"}


def scores(section: Any) -> Iterator[dict[str, Any]]:
    """Every rule result in a stored risk snapshot (anything with a ``rule`` and a score or category)."""
    if isinstance(section, dict):
        if "rule" in section and ("score" in section or "category" in section) and section.get("applicable", True):
            yield {
                "rule": section.get("rule"),
                "score": section.get("score"),
                "category": section.get("category"),
                "recommendation": section.get("recommendation", ""),
                "source": section.get("source", ""),
                "engine_version": section.get("engine_version", ""),
            }
            return
        for value in section.values():
            yield from scores(value)
    elif isinstance(section, list):
        for value in section:
            yield from scores(value)


def action_text(action: dict[str, Any]) -> str:
    """One line per action, in the clinic's words."""
    kind = action.get("kind")
    if kind == ActionKind.RADIOTHERAPY:
        dose = action.get("regimen") or f"{action.get('total_dose_gy')} Gy in {action.get('fractions')} fraction(s)"
        technique = f", {action['technique']}" if action.get("technique") else ""
        return f"Radiotherapy {dose}{technique} to lesion(s) {', '.join(map(str, action.get('target_lesions', [])))}"
    if kind == ActionKind.SURGERY:
        detail = f" ({action['detail']})" if action.get("detail") else ""
        return f"Surgery: {str(action.get('procedure', '')).replace('_', ' ')}{detail}"
    if kind == ActionKind.SYSTEMIC_THERAPY:
        return f"Systemic therapy change: {action.get('change', '')}"
    if kind == ActionKind.BONE_MODIFYING_AGENT:
        return f"Bone-modifying agent: {action.get('agent', '')}"
    if kind == ActionKind.TRIAL_REFERRAL:
        return f"Referral to trial {action.get('trial', '')}"
    if kind == ActionKind.IMAGING_OR_BIOPSY:
        return f"Imaging or biopsy: {action.get('study', '')}"
    return "Best supportive care"


def _attendees(decision: Decision) -> list[Attendance]:
    if decision.meeting_id is None:
        return []
    return list(Attendance.objects.filter(meeting_id=decision.meeting_id).select_related("user").order_by("user__username"))


def report_context(decision: Decision) -> dict[str, Any]:
    case = decision.case
    risk = decision.based_on.get("risk", {}) if isinstance(decision.based_on, dict) else {}
    return {
        "decision": decision,
        "case": case,
        "patient": case.patient,
        "lesions": list(case.lesions.order_by("pk")),
        "scores": list(scores(risk.get("summary"))),
        "risk_engine_version": risk.get("engine_version"),
        "basis": decision.based_on,
        "actions": [action_text(a) for a in decision.actions],
        "attendees": _attendees(decision),
        "amends": decision.amends,
    }


def report_pdf(decision: Decision) -> bytes:
    """The chart report as PDF bytes (WeasyPrint; fonts and styles are local, nothing is fetched)."""
    from weasyprint import HTML

    html = render_to_string("decisions/report.html", report_context(decision))
    return bytes(HTML(string=html, base_url=None).write_pdf())


def _practitioner(local_id: str, user: Any) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": local_id,
        "identifier": [{"system": f"{SYSTEM}:user", "value": user.get_username()}],
        "name": [{"text": user.get_full_name() or user.get_username()}],
    }


def _activity(index: int, action: dict[str, Any]) -> dict[str, Any]:
    kind = str(action.get("kind"))
    if kind == ActionKind.TRIAL_REFERRAL:
        return {"reference": {"reference": f"#trial-referral-{index}", "display": action_text(action)}}
    detail: dict[str, Any] = {
        "code": {"coding": [{"system": f"{SYSTEM}:action-kind", "code": kind}], "text": kind.replace("_", " ")},
        "status": "not-started",
        "description": action_text(action),
    }
    if kind == ActionKind.RADIOTHERAPY and action.get("total_dose_gy") is not None:
        detail["quantity"] = {"value": action["total_dose_gy"], "unit": "Gy", "system": "http://unitsofmeasure.org", "code": "Gy"}
    return {"detail": detail}


def fhir_care_plan(decision: Decision) -> dict[str, Any]:
    """The signed decision as a FHIR R4 CarePlan (JSON), validated with ``fhir.resources.R4B`` before it leaves.

    Author and signer are contained Practitioners; each trial referral is a contained ServiceRequest the
    activity references; the signature is a contained Provenance targeting the CarePlan (``#``) with the
    content hash as its signature data.
    """
    from fhir.resources.R4B.careplan import CarePlan

    case = decision.case
    patient = case.patient
    author = decision.created_by or decision.signed_by
    assert decision.signed_by is not None and decision.signed_at is not None
    signed_at = decision.signed_at.isoformat()
    subject = {
        "identifier": {"system": f"{SYSTEM}:mrn:{patient.institution_id}", "value": patient.mrn},
        "display": f"{patient.family_name}, {patient.given_name}",
    }
    contained: list[dict[str, Any]] = [_practitioner("author", author), _practitioner("signer", decision.signed_by)]
    for index, action in enumerate(decision.actions):
        if action.get("kind") == ActionKind.TRIAL_REFERRAL:
            contained.append(
                {
                    "resourceType": "ServiceRequest",
                    "id": f"trial-referral-{index}",
                    "status": "active",
                    "intent": "plan",
                    "code": {"text": f"Referral to clinical trial {action.get('trial')}"},
                    "identifier": [{"system": "https://clinicaltrials.gov", "value": str(action.get("trial"))}],
                    "subject": subject,
                    "requester": {"reference": "#signer"},
                    "authoredOn": signed_at,
                }
            )
    contained.append(
        {
            "resourceType": "Provenance",
            "id": "signature",
            "target": [{"reference": "#"}],
            "recorded": signed_at,
            "activity": {"text": decision.signature_meaning},
            "agent": [{"who": {"reference": "#signer", "display": decision.signer_name}}],
            "signature": [
                {
                    "type": [SIGNATURE_TYPE],
                    "when": signed_at,
                    "who": {"reference": "#signer"},
                    "sigFormat": "text/plain",
                    "data": base64.b64encode(f"sha256:{decision.content_hash}".encode()).decode(),
                }
            ],
        }
    )
    notes = [{"text": f"Intent: {decision.intent}. Rationale: {decision.rationale}"}]
    notes += [{"text": f"Dissent of {d['member']}: {d['reason']}"} for d in decision.dissent]
    if decision.meeting_id is None:
        notes.append({"text": f"Urgent decision outside a board meeting: {decision.urgent_reason}"})
    elif decision.quorum_met is False:
        notes.append({"text": "Signed in a meeting without quorum."})
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(decision.uuid),
        "identifier": [{"system": f"{SYSTEM}:decision", "value": str(decision.uuid)}],
        "contained": contained,
        "status": "active" if decision.status == DecisionStatus.SIGNED else "revoked",
        "intent": "plan",
        "category": [
            {
                "coding": [{"system": f"{SYSTEM}:careplan-category", "code": "multidisciplinary-assessment"}],
                "text": "multidisciplinary assessment",
            }
        ],
        "title": f"Tumor board decision, version {decision.version}",
        "description": decision.rationale,
        "subject": subject,
        "created": signed_at,
        "author": {"reference": "#author"},
        "activity": [_activity(i, a) for i, a in enumerate(decision.actions)],
        "note": notes,
    }
    if decision.amends is not None:
        plan["replaces"] = [{"identifier": {"system": f"{SYSTEM}:decision", "value": str(decision.amends.uuid)}}]
    validated = CarePlan.model_validate(plan)
    return dict(json.loads(validated.model_dump_json(exclude_none=True)))
