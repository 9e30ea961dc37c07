"""Board A's world: one object of every kind the URLs name, with marker texts that must never reach anyone
outside board A, and members of every role on board B only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.cases.models import Case, Lesion, Patient
from apps.decisions.models import Decision
from apps.discussion.services import comment_post
from apps.dosimetry.models import DoseImportJob, RadiotherapyPlan
from apps.dosimetry.services import plan_create
from apps.meetings.models import AgendaItem, CalendarToken, Meeting, MeetingSeries
from apps.trials.models import MatchFlag, Trial, TrialReferral
from apps.trials.services import case_match_trials, match_flag_create
from tests.conftest import Personas
from tests.decisions.helpers import PASSWORD, draft_body, sitting
from tests.factories import MembershipFactory, UserFactory

#: Texts only board A's records hold: none may appear in an answer to someone outside board A.
MARKERS = {
    "mrn": "MRN-ALPHA-7731",
    "family_name": "Quillfeather",
    "given_name": "Ottoline",
    "question": "QUESTION-ALPHA-fixation-or-radiotherapy",
    "comment": "COMMENT-ALPHA-consider-cement",
    "rationale": "RATIONALE-ALPHA-impending-fracture",
    "location": "ROOM-ALPHA-seminar",
    "flag": "FLAG-ALPHA-ecog-was-one",
}

CSV = b"structure,dose_gy,volume_cc,cumulative\nspinal_cord,0,10,true\nspinal_cord,10,10,true\nspinal_cord,20,0,true\n"


@dataclass
class World:
    personas: Personas
    patient: Patient
    case: Case
    lesion: Lesion
    series: MeetingSeries
    meeting: Meeting
    agenda_item: AgendaItem
    decision: Decision
    comment_id: int
    plan: RadiotherapyPlan
    dose_import: DoseImportJob
    referral: TrialReferral
    flag: MatchFlag
    trial: Trial
    calendar_token: str
    calendar_token_row: CalendarToken
    audit_entry: AuditEntry
    #: Board B's members, one per role (board B only).
    foreigners: dict[str, User] = field(default_factory=dict)

    def members(self) -> dict[str, User]:
        p = self.personas
        return {
            "coordinator": p.coordinator,
            "surgeon": p.surgeon,
            "radonc": p.radonc,
            "medonc": p.medonc,
            "radiologist": p.radiologist,
            "pathologist": p.pathologist,
        }


def build_world(p: Personas, capture: Callable[..., Any]) -> World:
    with capture(execute=True):
        s = sitting(p)
        case, lesion, meeting = s.case, s.lesion, s.meeting
        patient = case.patient
        Patient.objects.filter(pk=patient.pk).update(
            mrn=MARKERS["mrn"], family_name=MARKERS["family_name"], given_name=MARKERS["given_name"]
        )
        Case.objects.filter(pk=case.pk).update(question=MARKERS["question"])
        Meeting.objects.filter(pk=meeting.pk).update(location=MARKERS["location"])
        patient.refresh_from_db()
        case.refresh_from_db()
        radonc = p.client(p.radonc)
        created = radonc.post(f"/api/v1/cases/{case.pk}/decisions/", draft_body(s, rationale=MARKERS["rationale"]), format="json")
        assert created.status_code == 201, created.content
        decision_id = created.json()["id"]
        signed = radonc.post(f"/api/v1/decisions/{decision_id}/sign/", {"password": PASSWORD}, format="json")
        assert signed.status_code == 200, signed.content
        comment = comment_post(actor=p.surgeon, case_id=case.pk, body=MARKERS["comment"])
        plan = plan_create(
            actor=p.radonc, case=case, data={"levels": [{"fractions": 10, "total_dose_gy": 30}]}, target_lesions=[lesion]
        )
        imported = radonc.post(
            f"/api/v1/radiotherapy-plans/{plan.pk}/imports/",
            {"kind": "csv_dvh", "csv": SimpleUploadedFile("dvh.csv", CSV)},
            format="multipart",
        )
        assert imported.status_code == 202, imported.content
        case_match_trials(case.pk)
        trial = Trial.objects.order_by("pk").first()
        assert trial is not None
        flag = match_flag_create(actor=p.surgeon, case_id=case.pk, trial_identifier=trial.identifier, reason=MARKERS["flag"])
        referral = TrialReferral.objects.create(
            case=case,
            trial=trial,
            trial_version=trial.versions.order_by("-pk").first(),
            eligibility_at_referral="possibly_eligible",
            created_by=p.surgeon,
        )
        token = p.client(p.surgeon).post("/api/v1/calendar-tokens/", {"board": p.board.pk, "label": "phone"}, format="json")
        assert token.status_code == 201, token.content
    feed_url = token.json()["url"]
    foreigners = {"surgeon": p.other_member}
    for role, name in (
        (Role.COORDINATOR, "coordinator"),
        (Role.RADIATION_ONCOLOGIST, "radonc"),
        (Role.MEDICAL_ONCOLOGIST, "medonc"),
        (Role.RADIOLOGIST, "radiologist"),
        (Role.PATHOLOGIST, "pathologist"),
    ):
        user = UserFactory(username=f"b_{name}", role=role)
        MembershipFactory(board=p.other_board, user=user)
        foreigners[name] = user
    return World(
        personas=p,
        patient=patient,
        case=case,
        lesion=lesion,
        series=meeting.series,
        meeting=meeting,
        agenda_item=AgendaItem.objects.filter(meeting=meeting).order_by("pk").first(),  # type: ignore[arg-type]
        decision=Decision.objects.get(pk=decision_id),
        comment_id=comment.pk,
        plan=plan,
        dose_import=DoseImportJob.objects.get(pk=imported.json()["id"]),
        referral=referral,
        flag=flag,
        trial=trial,
        calendar_token=feed_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".ics"),
        calendar_token_row=CalendarToken.objects.filter(user=p.surgeon).latest("pk"),
        audit_entry=AuditEntry.objects.filter(board_id=p.board.pk).latest("pk"),
        foreigners=foreigners,
    )


@pytest.fixture
def world(personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]) -> World:
    return build_world(personas, django_capture_on_commit_callbacks)
