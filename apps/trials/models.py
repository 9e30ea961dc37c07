"""The trial registry (trials and their immutable versions) and the stored matches of cases against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.trials.engine.matcher import Eligibility
from apps.trials.engine.schema import TRIAL_PHASES, TRIAL_STATUSES


class Trial(models.Model):
    """A registry entry; its criteria live in the ``TrialVersion`` numbered ``current_version``."""

    identifier = models.CharField(max_length=64, unique=True, help_text="Registry number, e.g. NCT03862911.")
    short_name = models.CharField(max_length=120)
    title = models.TextField()
    phase = models.CharField(max_length=8, null=True, blank=True, choices=[(p, p) for p in TRIAL_PHASES])
    status = models.CharField(max_length=32, choices=[(s, s.replace("_", " ")) for s in TRIAL_STATUSES])
    sponsor = models.CharField(max_length=200, null=True, blank=True)
    summary = models.TextField()
    current_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("identifier",)
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=list(TRIAL_STATUSES)), name="trial_status_valid"),
            models.CheckConstraint(
                condition=models.Q(phase__isnull=True) | models.Q(phase__in=list(TRIAL_PHASES)),
                name="trial_phase_valid",
            ),
            models.CheckConstraint(condition=models.Q(current_version__gte=1), name="trial_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.short_name})"


class TrialVersion(models.Model):
    """One immutable edit of a trial: the whole validated definition, criteria included."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    criteria_digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("trial_id", "-version")
        constraints = [models.UniqueConstraint(fields=("trial", "version"), name="trial_version_unique")]

    def __str__(self) -> str:
        return f"{self.trial_id} v{self.version}"


class TrialMatch(models.Model):
    """The latest match of one case against one trial (one row per case and trial, updated in place)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="trial_matches")
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="matches")
    trial_version = models.ForeignKey(TrialVersion, on_delete=models.PROTECT, related_name="matches")
    eligibility = models.CharField(max_length=20, choices=[(e.value, e.value) for e in Eligibility])
    payload = models.JSONField(help_text="The matcher's TrialMatch.to_dict().")
    #: SHA-256 of the case facts, the trial version and the matcher version the payload was computed from
    #: (``apps.trials.engine.digest``): a re-match compares it instead of recomputing and comparing payloads.
    inputs_digest = models.CharField(max_length=64, blank=True, default="")
    case_revision = models.PositiveIntegerField()
    engine_version = models.CharField(max_length=32)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ("case_id", "trial_id")
        constraints = [
            models.UniqueConstraint(fields=("case", "trial"), name="trial_match_case_trial_unique"),
            models.CheckConstraint(
                condition=models.Q(eligibility__in=[e.value for e in Eligibility]),
                name="trial_match_eligibility_valid",
            ),
        ]
        indexes = [models.Index(fields=("trial", "eligibility"), name="trial_match_trial_elig_idx")]

    def __str__(self) -> str:
        return f"case {self.case_id} x trial {self.trial_id}: {self.eligibility}"


class ReferralStatus(models.TextChoices):
    """Referral life cycle (issue 5): referred -> screening -> consented -> enrolled, or it ends as
    screen_failed, declined or withdrawn (each end needs a reason)."""

    REFERRED = "referred"
    SCREENING = "screening"
    CONSENTED = "consented"
    ENROLLED = "enrolled"
    SCREEN_FAILED = "screen_failed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


#: Statuses a referral may move to from each status (absent: terminal).
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.REFERRED: frozenset({ReferralStatus.SCREENING, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}),
    ReferralStatus.SCREENING: frozenset(
        {ReferralStatus.CONSENTED, ReferralStatus.SCREEN_FAILED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}
    ),
    ReferralStatus.CONSENTED: frozenset({ReferralStatus.ENROLLED, ReferralStatus.SCREEN_FAILED, ReferralStatus.WITHDRAWN}),
    ReferralStatus.ENROLLED: frozenset({ReferralStatus.WITHDRAWN}),
}
#: Ends of a referral: each is recorded with the reason.
ENDING_REFERRAL_STATUSES: frozenset[str] = frozenset(
    {ReferralStatus.SCREEN_FAILED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN}
)
ACTIVE_REFERRAL_STATUSES: tuple[str, ...] = (
    ReferralStatus.REFERRED,
    ReferralStatus.SCREENING,
    ReferralStatus.CONSENTED,
    ReferralStatus.ENROLLED,
)


class TrialReferral(models.Model):
    """A case referred to a trial and followed to enrolment (or its end); steps are in the audit trail."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="trial_referrals")
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="referrals")
    trial_version = models.ForeignKey(TrialVersion, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    eligibility_at_referral = models.CharField(max_length=20, choices=[(e.value, e.value) for e in Eligibility])
    note = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: Set by ``referral_transition`` (for the referral reports; the steps themselves are in the audit trail).
    enrolled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ReferralStatus.values), name="trial_referral_status_valid"),
            models.CheckConstraint(
                condition=models.Q(eligibility_at_referral__in=[e.value for e in Eligibility]),
                name="trial_referral_eligibility_valid",
            ),
            models.UniqueConstraint(
                fields=("case", "trial"),
                condition=models.Q(status__in=ACTIVE_REFERRAL_STATUSES),
                name="trial_referral_one_active_per_case_trial",
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} -> {self.trial_id} ({self.status})"


class MatchFlag(models.Model):
    """A clinician's report that a stored match (or one criterion of it) is wrong.

    The administrators who curate the criteria resolve it (``match_flag_resolve``): who, when and what was
    done (a criterion corrected in a new version, or the match confirmed). The database refuses a resolved
    flag without those, and an open flag carrying them.
    """

    match = models.ForeignKey(TrialMatch, on_delete=models.CASCADE, related_name="flags")
    trial_version = models.ForeignKey(TrialVersion, on_delete=models.PROTECT, related_name="match_flags")
    criterion_code = models.CharField(max_length=64, blank=True, default="", help_text="Blank: the whole match.")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution_note = models.TextField(blank=True, default="", help_text="What was done about the flag.")

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="match_flag_reason_not_empty"),
            models.CheckConstraint(
                condition=(
                    models.Q(resolved=False, resolved_at__isnull=True, resolved_by__isnull=True, resolution_note="")
                    | (
                        models.Q(resolved=True, resolved_at__isnull=False, resolved_by__isnull=False)
                        & ~models.Q(resolution_note="")
                    )
                ),
                name="match_flag_resolution_complete",
                violation_error_message="A resolved flag records who resolved it, when and how; an open one none of these.",
            ),
        ]

    def __str__(self) -> str:
        return f"flag on match {self.match_id} ({self.criterion_code or 'whole match'})"
