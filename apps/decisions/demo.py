"""Demo content for ``seed_demo``: discussions, opinions, signed decisions (one with dissent, one amended)
and follow-ups in each implementation state, all written through the services (so the audit trail and the
quality reports have content). Idempotent: a board that already has decisions is left alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.accounts.models import Board, User
from apps.cases.models import Case
from apps.cases.workflow import CaseStatus
from apps.decisions import services
from apps.decisions.models import Decision
from apps.discussion import services as discussion
from apps.meetings.models import Meeting, MeetingStatus


def _bsc_or_rt(case: Case) -> list[dict[str, Any]]:
    lesion = case.lesions.order_by("pk").first()
    if lesion is None:
        return [{"kind": "best_supportive_care"}]
    return [
        {
            "kind": "radiotherapy",
            "target_lesions": [lesion.pk],
            "total_dose_gy": 8,
            "fractions": 1,
            "technique": "conventional_3d",
        },
        {"kind": "bone_modifying_agent", "agent": "denosumab 120 mg every 4 weeks"},
    ]


def seed_decisions(board: Board, users: Mapping[str, User], password: str) -> str:
    if Decision.objects.filter(case__board=board).exists():
        return "decisions already seeded"
    meeting = Meeting.objects.filter(board=board, status=MeetingStatus.HELD).order_by("-starts_at").first()
    if meeting is None:
        return "no held meeting: no demo decisions"
    # The cases the board discussed at that meeting (meetings.demo), else any waiting ones.
    cases = [i.case for i in meeting.items.select_related("case").order_by("position")][:4] or list(
        Case.objects.filter(board=board, status__in=[CaseStatus.SUBMITTED, CaseStatus.SCHEDULED]).order_by("id")[:4]
    )
    chair = meeting.chair
    surgeon, radonc, medonc = users["surgeon"], users["radonc"], users["medonc"]
    plans = [
        ("consensus", [], "implemented", None),
        ("majority", [{"member": "medonc", "reason": "Would start systemic therapy first."}], "not_implemented", "patient_wish"),
        ("consensus", [], "modified", "medical_reason"),
        ("consensus", [], None, None),
    ]
    signed = 0
    for index, (case, (consensus, dissent, implementation, reason)) in enumerate(zip(cases, plans, strict=False)):
        root = discussion.comment_post(
            actor=radonc, case_id=case.pk, body=f"@surgeon is the lesion stable enough for **RT alone**? (case {case.pk})"
        )
        discussion.comment_post(actor=surgeon, case_id=case.pk, body="Yes: no fixation needed.", parent_id=root.pk)
        discussion.opinion_file(
            actor=medonc,
            case_id=case.pk,
            assessment="Systemic therapy can continue.",
            recommendation="Add a bone-modifying agent.",
        )
        decision = services.decision_create(
            actor=surgeon,
            case_id=case.pk,
            data={
                "meeting": meeting.pk,
                "intent": "palliative",
                "actions": _bsc_or_rt(case),
                "rationale": "Painful bone metastasis with a limited prognosis: single-fraction RT (seed 001 Table 1).",
                "consensus": consensus,
                "dissent": dissent,
            },
        )
        decision = services.decision_sign(actor=chair, decision_id=decision.pk, password=password)
        if index == 2:  # the amended one
            draft = services.decision_amend(
                actor=surgeon, decision_id=decision.pk, reason="Dose corrected to 20 Gy in 5 fractions."
            )
            actions = [dict(a) for a in draft.actions]
            if actions and actions[0].get("kind") == "radiotherapy":
                actions[0].update(total_dose_gy=20, fractions=5)
            services.decision_update(actor=surgeon, decision_id=draft.pk, data={"actions": actions})
            decision = services.decision_sign(actor=chair, decision_id=draft.pk, password=password)
        if implementation:
            services.follow_up_record(
                actor=surgeon,
                decision_id=decision.pk,
                implementation=implementation,
                reason=reason,
                note="Patient preferred to wait." if reason == "patient_wish" else "",
            )
        signed += 1
    return f"{signed} signed decision(s) with discussions and follow-ups"
