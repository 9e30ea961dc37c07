"""The board's decision on a case: versions, the chair's signature, amendments, implementation follow-up.

A ``Decision`` row is one version. A draft is edited freely by the board's clinicians; signing seals it
(name, time, meaning, SHA-256 of the content) and from then on the database itself refuses UPDATE and
DELETE of the row (triggers of migration ``0002``), except the single change an amendment makes: a signed
version becoming ``superseded`` with every other column untouched. Implementation follow-up lives in its
own rows so recording it never touches the signed version.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.cases.models import Case
from apps.cases.vocabulary import choices
from apps.core.models import TimeStampedModel
from apps.decisions.engine.recommendation import (
    Consensus,
    DecisionStatus,
    FollowUpReason,
    Implementation,
    Intent,
    ResponseAssessment,
)
from apps.meetings.models import Meeting


def _in(field: str, enum: type[StrEnum], *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__in": [m.value for m in enum]})
    return condition | Q(**{f"{field}__isnull": True}) if nullable else condition


class Decision(TimeStampedModel):
    """One version of the board's recommendation on a case (the contract's decision)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=choices(DecisionStatus), default=DecisionStatus.DRAFT.value)
    #: The meeting it was taken in; null for an urgent decision between meetings (``urgent_reason`` says why).
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    urgent_reason = models.TextField(blank=True)
    intent = models.CharField(max_length=16, choices=choices(Intent), null=True, blank=True)
    actions = models.JSONField(default=list, blank=True)
    rationale = models.TextField(blank=True)
    consensus = models.CharField(max_length=16, choices=choices(Consensus), null=True, blank=True)
    dissent = models.JSONField(default=list, blank=True)
    #: Quorum of the meeting at signing; null while a draft and for a decision outside a meeting.
    quorum_met = models.BooleanField(null=True, blank=True)
    amends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by")
    amendment_reason = models.TextField(blank=True)
    #: The treatment option the draft started from (its code in the case's options), if any.
    started_from_option = models.CharField(max_length=100, blank=True)
    #: Risk, dose, trial and option results the decision was based on, each with its engine version.
    based_on = models.JSONField(default=dict, blank=True)
    #: Systemic-therapy cautions that apply to the recommended radiotherapy (risk engine), at the last save.
    cautions = models.JSONField(default=list, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=300, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signature_meaning = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("case", "version")
        constraints = [
            models.UniqueConstraint(fields=("case", "version"), name="decision_version_once_per_case"),
            models.UniqueConstraint(
                fields=("case",), condition=Q(status=DecisionStatus.DRAFT.value), name="decision_one_draft_per_case"
            ),
            models.UniqueConstraint(
                fields=("case",), condition=Q(status=DecisionStatus.SIGNED.value), name="decision_one_signed_per_case"
            ),
            models.CheckConstraint(condition=_in("status", DecisionStatus), name="decision_status_valid"),
            models.CheckConstraint(condition=_in("intent", Intent, nullable=True), name="decision_intent_valid"),
            models.CheckConstraint(condition=_in("consensus", Consensus, nullable=True), name="decision_consensus_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="decision_version_positive"),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.DRAFT.value)
                | (
                    Q(signed_by__isnull=False, signed_at__isnull=False, intent__isnull=False, consensus__isnull=False)
                    & ~Q(content_hash="")
                    & ~Q(signature_meaning="")
                ),
                name="decision_signed_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=DecisionStatus.DRAFT.value) | Q(signed_by__isnull=True, signed_at__isnull=True),
                name="decision_draft_is_unsigned",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""), name="decision_amendment_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | ~Q(urgent_reason=""), name="decision_outside_meeting_says_why"
            ),
        ]

    def __str__(self) -> str:
        return f"decision v{self.version} on case {self.case_id} ({self.status})"


class FollowUp(TimeStampedModel):
    """Whether the decision was carried out, and the response at 3, 6 and 12 months when known.

    One row per recording; the latest is the current state (earlier ones stay as history).
    """

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="follow_ups")
    implementation = models.CharField(max_length=16, choices=choices(Implementation))
    reason = models.CharField(max_length=24, choices=choices(FollowUpReason), null=True, blank=True)
    note = models.TextField(blank=True)
    response_3_months = models.CharField(max_length=16, choices=choices(ResponseAssessment), null=True, blank=True)
    response_6_months = models.CharField(max_length=16, choices=choices(ResponseAssessment), null=True, blank=True)
    response_12_months = models.CharField(max_length=16, choices=choices(ResponseAssessment), null=True, blank=True)
    #: The day the recommended treatment started (for the share of cases discussed prospectively).
    treatment_started_on = models.DateField(null=True, blank=True)
    #: Whether the case owner asked for the case to come back to the next meeting's agenda.
    return_to_agenda = models.BooleanField(default=False)

    class Meta:
        ordering = ("decision", "created_at", "id")
        constraints = [
            models.CheckConstraint(condition=_in("implementation", Implementation), name="follow_up_implementation_valid"),
            models.CheckConstraint(condition=_in("reason", FollowUpReason, nullable=True), name="follow_up_reason_valid"),
            models.CheckConstraint(
                condition=Q(implementation=Implementation.IMPLEMENTED.value) | Q(reason__isnull=False),
                name="follow_up_not_implemented_has_reason",
            ),
            *(
                models.CheckConstraint(
                    condition=_in(f"response_{m}_months", ResponseAssessment, nullable=True), name=f"follow_up_response_{m}_valid"
                )
                for m in (3, 6, 12)
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up of {self.decision_id}: {self.implementation}"


class FollowUpReminder(models.Model):
    """A reminder sent to the case owner that no follow-up was recorded; one per decision (idempotency)."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="follow_up_reminder")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-sent_at",)

    def __str__(self) -> str:
        return f"follow-up reminder for {self.decision_id}"
