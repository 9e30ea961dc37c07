"""factory_boy factories: one for every concrete model of ``apps/`` (``tests/test_factories.py`` checks it).

Each builds a valid row (``full_clean()`` passes) with the fewest fields its constraints need; related
rows come from the factories of their models.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, Board, BoardMembership, Institution, User
from apps.accounts.roles import Role
from apps.audit.events import AuditEvent
from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.services import audit_record
from apps.cases.models import Case, Lesion, Patient, PriorRadiotherapyCourse
from apps.core.models import IdempotencyKey, Job, OutboxMessage
from apps.decisions.models import Decision, FollowUp, FollowUpReminder
from apps.discussion.models import Comment, CommentRevision, Opinion
from apps.dosimetry.models import ConstraintSet, DoseImportJob, DoseSummary, OrganConstraint, RadiotherapyPlan, Regimen
from apps.meetings.models import (
    AgendaItem,
    Attendance,
    CalendarToken,
    Meeting,
    MeetingSeries,
    Notification,
    NotificationPreference,
    QuorumRequirement,
)
from apps.options.models import TreatmentOptionsResult
from apps.risk.models import LesionAssessment, RiskAssessment
from apps.trials.models import MatchFlag, Trial, TrialMatch, TrialReferral, TrialVersion


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Hospital {n}")
    code = factory.Sequence(lambda n: f"hosp-{n}")


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Bone metastasis board {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.COORDINATOR
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMembership

    board = factory.SubFactory(BoardFactory)
    user = factory.SubFactory(UserFactory)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    institution = factory.SubFactory(InstitutionFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = "Ada"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = dt.date(1960, 5, 17)
    sex = "female"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    board = factory.SubFactory(BoardFactory)
    patient = factory.SubFactory(PatientFactory, institution=factory.SelfAttribute("..board.institution"))
    question = "Stabilise or irradiate?"
    primary_histology = "breast"


class LesionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesion

    case = factory.SubFactory(CaseFactory)
    site = "femur"
    subsite = "peritrochanteric"
    radiographic_type = "lytic"
    cortical_involvement = "gt_two_thirds"
    pain = "functional"


# --- every other model (issue 10: a factory for every concrete model; tests/test_factories.py) ----------


class PriorRadiotherapyCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorRadiotherapyCourse

    case = factory.SubFactory(CaseFactory)
    region = "left femur"
    site = "femur"
    laterality = "left"
    total_dose_gy = 8.0
    fractions = 1
    date = dt.date(2025, 3, 1)
    technique = "conventional"


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    task_name = "cases.case_changed"
    args = factory.LazyFunction(lambda: [1, 1])


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    kind = "recompute_risk"


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """An entry appended through the service, the only way onto the hash chain."""

    class Meta:
        model = AuditEntry

    actor = factory.SubFactory(UserFactory)
    event = AuditEvent.PATIENT_CREATED
    subject = factory.SubFactory(PatientFactory)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AuditEntry:
        with transaction.atomic():
            return audit_record(**kwargs)


class AuditChainHeadFactory(factory.django.DjangoModelFactory):
    """The chain's single head row (``id`` is always 1)."""

    class Meta:
        model = AuditChainHead
        django_get_or_create = ("id",)

    id = 1


def _digest(n: int) -> str:
    return f"{n:064x}"


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    case = factory.SubFactory(CaseFactory)
    inputs_digest = factory.Sequence(_digest)
    engine_version = "test"
    case_revision = 1
    payload = factory.LazyFunction(lambda: {"engine_version": "test"})
    computed_at = factory.LazyFunction(timezone.now)


class LesionAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LesionAssessment

    assessment = factory.SubFactory(RiskAssessmentFactory)
    lesion_ref = factory.Sequence(lambda n: f"lesion-{n}")


class RadiotherapyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RadiotherapyPlan

    case = factory.SubFactory(CaseFactory)
    name = "Single fraction"
    levels = factory.LazyFunction(lambda: [{"fractions": 1, "total_dose_gy": 8.0}])


class DoseSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoseSummary

    plan = factory.SubFactory(RadiotherapyPlanFactory)
    inputs_digest = factory.Sequence(_digest)
    engine_version = "test"
    plan_revision = 1
    case_revision = 1
    payload = factory.LazyFunction(lambda: {"engine_version": "test"})
    computed_at = factory.LazyFunction(timezone.now)


class RegimenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regimen

    code = factory.Sequence(lambda n: f"test-regimen-{n}")
    name = factory.Sequence(lambda n: f"Test regimen {n}")
    category = "conventional"
    fractions = 1
    levels = factory.LazyFunction(lambda: [{"total_dose_gy": 8.0, "target": ""}])
    technique = "conventional"
    intent = "palliative"


class ConstraintSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConstraintSet

    code = factory.Sequence(lambda n: f"test-set-{n}")
    name = factory.Sequence(lambda n: f"Test constraint set {n}")


class OrganConstraintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganConstraint

    set = factory.SubFactory(ConstraintSetFactory)
    code = factory.Sequence(lambda n: f"cord-{n}")
    organ = "spinal_cord"
    metric = "Dmax"
    limit = 14.0
    unit = "gy"
    direction = "max"


class DoseImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoseImportJob

    job = factory.SubFactory(JobFactory, kind="dose_import")
    plan = factory.SubFactory(RadiotherapyPlanFactory)
    kind = "csv_dvh"


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trial

    identifier = factory.Sequence(lambda n: f"NCT9{n:07d}")
    short_name = factory.Sequence(lambda n: f"TEST-{n}")
    title = "A test trial"
    status = "recruiting"
    summary = "For tests."


class TrialVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialVersion

    trial = factory.SubFactory(TrialFactory)
    version = 1
    definition = factory.LazyFunction(lambda: {"criteria": {"all": []}})
    criteria_digest = factory.Sequence(_digest)


class TrialMatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialMatch

    case = factory.SubFactory(CaseFactory)
    trial_version = factory.SubFactory(TrialVersionFactory)
    trial = factory.SelfAttribute("trial_version.trial")
    eligibility = "possibly_eligible"
    payload = factory.LazyFunction(lambda: {"engine_version": "test"})
    case_revision = 1
    engine_version = "test"
    computed_at = factory.LazyFunction(timezone.now)


class TrialReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrialReferral

    case = factory.SubFactory(CaseFactory)
    trial_version = factory.SubFactory(TrialVersionFactory)
    trial = factory.SelfAttribute("trial_version.trial")
    eligibility_at_referral = "possibly_eligible"


class MatchFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchFlag

    match = factory.SubFactory(TrialMatchFactory)
    trial_version = factory.SelfAttribute("match.trial_version")
    reason = "The case has a lesion the criteria did not see."


class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingSeries

    board = factory.SubFactory(BoardFactory)
    title = "Weekly bone metastasis board"
    rule = "FREQ=WEEKLY;BYDAY=TU"
    first_date = dt.date(2026, 1, 6)
    start_time = dt.time(7, 30)
    timezone = "Europe/London"
    chair = factory.SubFactory(UserFactory)


_MEETING_START = dt.datetime(2026, 1, 6, 7, 30, tzinfo=dt.UTC)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    title = "Bone metastasis board"
    original_start = factory.Sequence(lambda n: _MEETING_START + dt.timedelta(days=7 * n))
    starts_at = factory.SelfAttribute("original_start")
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    local_date = factory.LazyAttribute(lambda o: o.starts_at.date())
    timezone = "Europe/London"
    submission_deadline = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(hours=48))
    remind_at = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(hours=24))
    chair = factory.SubFactory(UserFactory)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    case = factory.SubFactory(CaseFactory, board=factory.SelfAttribute("..meeting.board"))
    position = factory.Sequence(lambda n: n + 1)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)


class QuorumRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuorumRequirement

    board = factory.SubFactory(BoardFactory)
    role = Role.SURGEON


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    key = factory.Sequence(lambda n: f"test-notification-{n}")
    recipient = factory.SubFactory(UserFactory)
    kind = "reminder"
    subject = "Board tomorrow"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    kind = "reminder"


class CalendarTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarToken

    user = factory.SubFactory(UserFactory)
    scope = "user"
    digest = factory.Sequence(_digest)


class TreatmentOptionsResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentOptionsResult

    case = factory.SubFactory(CaseFactory)
    inputs_digest = factory.Sequence(_digest)
    engine_version = "test"
    case_revision = 1
    risk_digest = factory.Sequence(_digest)
    plans_stamp = "none"
    catalogue_stamp = "none"
    payload = factory.LazyFunction(lambda: {"engine_version": "test"})
    computed_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    case = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(UserFactory, role=Role.SURGEON)
    author_role = factory.SelfAttribute("author.role")
    body = "Fixation first."
    body_html = "<p>Fixation first.</p>"


class CommentRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommentRevision

    comment = factory.SubFactory(CommentFactory)
    body = "Fixation first?"
    body_html = "<p>Fixation first?</p>"
    written_at = factory.LazyFunction(timezone.now)


class OpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opinion

    case = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(UserFactory, role=Role.RADIATION_ONCOLOGIST)
    specialty = factory.SelfAttribute("author.role")
    assessment = "Painful lytic lesion, Mirels 10."
    recommendation = "Prophylactic fixation, then 8 Gy in one fraction."


class DecisionFactory(factory.django.DjangoModelFactory):
    """A draft decision taken between meetings (a signed one goes through ``decisions.services``)."""

    class Meta:
        model = Decision

    case = factory.SubFactory(CaseFactory)
    version = 1
    urgent_reason = "Impending fracture: decided before the next board."


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    decision = factory.SubFactory(DecisionFactory)
    implementation = "implemented"


class FollowUpReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpReminder

    decision = factory.SubFactory(DecisionFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; real keys come from ``accounts.services.api_token_create`` (the key is shown once)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    prefix = factory.Sequence(lambda n: f"{n:08x}")
    digest = factory.Sequence(lambda n: ApiToken.digest_of(f"factory-key-{n}"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    method = "POST"
    path = "/api/v1/cases/"
    body_digest = "0" * 64
    response_status = 201
    response_body = factory.LazyFunction(lambda: {"id": 1})
    response_headers = factory.LazyFunction(lambda: {"Location": "/api/v1/cases/1/"})
