"""Trial registry representations (writes go through ``apps.trials.services`` with the engine's schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.core.api.serializers import StrictModelSerializer, StrictSerializer
from apps.trials.engine import is_recruiting, recruitment_note
from apps.trials.models import Trial


class TrialSerializer(StrictModelSerializer):
    """A registry entry with its current version's definition (``criteria`` etc.).

    Expects ``current`` prefetched (a one-element list holding the current ``TrialVersion``).
    """

    version = serializers.IntegerField(source="current_version", read_only=True)
    recruiting = serializers.SerializerMethodField(help_text="False when not recruiting; null when the status is unknown.")
    recruitment_note = serializers.SerializerMethodField()
    status_verified = serializers.SerializerMethodField()
    status_note = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Trial
        fields = (
            "identifier",
            "short_name",
            "title",
            "phase",
            "status",
            "recruiting",
            "recruitment_note",
            "status_verified",
            "status_note",
            "sponsor",
            "summary",
            "sources",
            "version",
            "criteria",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @staticmethod
    def _definition(trial: Trial) -> dict[str, Any]:
        current = getattr(trial, "current", None)
        if current is None:
            current = list(trial.versions.filter(version=trial.current_version))
        return current[0].definition if current else {}

    def get_recruiting(self, trial: Trial) -> bool | None:
        return is_recruiting(trial.status)

    def get_recruitment_note(self, trial: Trial) -> str:
        return recruitment_note(trial.status)

    def get_status_verified(self, trial: Trial) -> bool | None:
        return self._definition(trial).get("status_verified")

    def get_status_note(self, trial: Trial) -> str | None:
        return self._definition(trial).get("status_note")

    def get_sources(self, trial: Trial) -> list[str]:
        return list(self._definition(trial).get("sources", []))

    def get_criteria(self, trial: Trial) -> list[dict[str, Any]]:
        return list(self._definition(trial).get("criteria", []))


class TrialRefSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    short_name = serializers.CharField()
    title = serializers.CharField()
    phase = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    recruiting = serializers.BooleanField(allow_null=True, help_text="False when not recruiting; null when unknown.")
    recruitment_note = serializers.CharField(help_text='e.g. "Not recruiting: completed."')
    version = serializers.IntegerField()


class CriterionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=("inclusion", "exclusion"))
    result = serializers.ChoiceField(choices=("met", "not_met", "unknown"))
    explanation = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()  # type: ignore[assignment]  # the criterion's citation, not Field.source


class CaseTrialMatchSerializer(serializers.Serializer):
    """Documentation of one row of ``GET /cases/{id}/trial-matches/`` (built by ``selectors``)."""

    trial = TrialRefSerializer()
    eligibility = serializers.ChoiceField(choices=("eligible", "possibly_eligible", "ineligible"))
    criteria = CriterionResultSerializer(many=True)
    missing_fields = serializers.ListField(child=serializers.CharField())
    computed_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=("pending", "current", "stale"))


class TrialReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    trial = serializers.CharField(source="trial.identifier", read_only=True)
    trial_version = serializers.IntegerField(source="trial_version.version", read_only=True)
    status = serializers.CharField(read_only=True)
    eligibility_at_referral = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ReferralCreateSerializer(StrictSerializer):
    trial = serializers.CharField(max_length=64, help_text="The trial's identifier, e.g. NCT03862911.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralTransitionSerializer(StrictSerializer):
    status = serializers.CharField(max_length=20)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MatchFlagCreateSerializer(StrictSerializer):
    criterion_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    reason = serializers.CharField()


class MatchFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="match.case_id")
    trial = serializers.CharField(source="match.trial.identifier")
    trial_version = serializers.IntegerField(source="trial_version.version")
    criterion_code = serializers.CharField()
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by.get_username", default=None)
    created_at = serializers.DateTimeField()
    resolved = serializers.BooleanField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(source="resolved_by.get_username", default=None, allow_null=True)
    resolution_note = serializers.CharField(allow_blank=True)


class MatchFlagListQuerySerializer(serializers.Serializer):
    resolved = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: resolved flags only; false: open flags only."
    )


class MatchFlagResolveSerializer(StrictSerializer):
    note = serializers.CharField(help_text="How the flag was resolved: what changed, or why the match stands.")


class RematchJobSerializer(serializers.Serializer):
    """A re-match of the open cases (a ``Job`` of kind ``trial_rematch``) with its progress
    (``progress_pct`` of its chunks); ``error`` says why a ``failed`` one failed."""

    id = serializers.IntegerField()
    trial = serializers.CharField(source="params.trial", default=None, allow_null=True)
    reason = serializers.CharField(source="params.reason", default="")
    status = serializers.CharField()
    progress_pct = serializers.FloatField()
    cases_total = serializers.IntegerField(source="total")
    cases_done = serializers.IntegerField(source="done")
    chunks_total = serializers.IntegerField()
    chunks_done = serializers.IntegerField()
    matches_written = serializers.IntegerField(source="written")
    error = serializers.CharField()
    created_by = serializers.CharField(source="created_by.get_username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
