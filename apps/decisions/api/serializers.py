"""The contract's decision representation (docs/api-contract.md, "Decisions")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.cases.vocabulary import choices
from apps.core.api.fields import CodeChoiceField
from apps.core.api.serializers import StrictModelSerializer, StrictSerializer
from apps.decisions.engine.recommendation import ActionKind, Consensus, FollowUpReason, Implementation, Intent, ResponseAssessment
from apps.decisions.models import Decision, FollowUp


def _user_ref(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "username": user.get_username()}


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = (
            "id",
            "implementation",
            "reason",
            "note",
            "response_3_months",
            "response_6_months",
            "response_12_months",
            "treatment_started_on",
            "return_to_agenda",
            "recorded_by",
            "created_at",
        )
        read_only_fields = fields

    def get_recorded_by(self, row: FollowUp) -> dict[str, Any] | None:
        return _user_ref(row.created_by)


class FollowUpWriteSerializer(StrictSerializer[Any]):
    implementation = CodeChoiceField(choices=[i.value for i in Implementation])
    reason = CodeChoiceField(choices=[r.value for r in FollowUpReason], required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    response_3_months = CodeChoiceField(choices=choices(ResponseAssessment), required=False, allow_null=True)
    response_6_months = CodeChoiceField(choices=choices(ResponseAssessment), required=False, allow_null=True)
    response_12_months = CodeChoiceField(choices=choices(ResponseAssessment), required=False, allow_null=True)
    treatment_started_on = serializers.DateField(required=False, allow_null=True, default=None)
    return_to_agenda = serializers.BooleanField(required=False, default=False)


class DecisionSerializer(StrictModelSerializer[Decision]):
    """Read shape; every write goes through ``apps.decisions.services``."""

    case = serializers.IntegerField(source="case_id", read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True, allow_null=True)
    amends = serializers.IntegerField(source="amends_id", read_only=True, allow_null=True)
    amended_by = serializers.SerializerMethodField()
    signed_by = serializers.SerializerMethodField()
    urgent = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = (
            "id",
            "case",
            "version",
            "status",
            "meeting",
            "urgent",
            "urgent_reason",
            "intent",
            "actions",
            "rationale",
            "consensus",
            "dissent",
            "quorum_met",
            "amends",
            "amendment_reason",
            "amended_by",
            "started_from_option",
            "cautions",
            "based_on",
            "signed_by",
            "signer_name",
            "signed_at",
            "signature_meaning",
            "content_hash",
            "follow_ups",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_signed_by(self, decision: Decision) -> dict[str, Any] | None:
        return _user_ref(decision.signed_by)

    def get_urgent(self, decision: Decision) -> bool:
        """True for an urgent decision taken between meetings (``meeting`` null)."""
        return decision.meeting_id is None

    def get_amended_by(self, decision: Decision) -> int | None:
        try:
            return decision.amended_by.pk
        except Decision.DoesNotExist:
            return None


class _ActionSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=choices(ActionKind))
    # Further keys are the kind's details (docs/decisions.md), checked by the service's rules.


class _DissentSerializer(serializers.Serializer[Any]):
    member = serializers.CharField(help_text="User name of a member of the board.")
    reason = serializers.CharField()


class DecisionWriteSerializer(StrictSerializer[Any]):
    """The writable fields of a draft (``apps.decisions.services.EDITABLE_FIELDS``), all optional on PATCH.

    It documents the body and names the keys it may hold (``refuse_unknown_fields``); the values are checked
    by ``apps.decisions.services`` in the clinic's words.
    """

    meeting = serializers.IntegerField(required=False, allow_null=True, help_text="Null for an urgent decision.")
    urgent_reason = serializers.CharField(required=False, allow_blank=True)
    intent = serializers.ChoiceField(choices=choices(Intent), required=False, allow_null=True)
    actions = _ActionSerializer(many=True, required=False)
    rationale = serializers.CharField(required=False, allow_blank=True)
    consensus = serializers.ChoiceField(choices=choices(Consensus), required=False, allow_null=True)
    dissent = _DissentSerializer(many=True, required=False)
    started_from_option = serializers.CharField(required=False, allow_blank=True, max_length=100)


class SignSerializer(StrictSerializer[Any]):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class AmendSerializer(StrictSerializer[Any]):
    reason = serializers.CharField(max_length=5000)


class QualityQuerySerializer(serializers.Serializer[Any]):
    board = serializers.IntegerField()
    # ``from``/``to``: ``from`` is a Python keyword, so both are declared through the fields mapping below.

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["must be on or after from."]})
        if (attrs["to"] - attrs["from"]).days > 3 * 366:
            raise serializers.ValidationError({"to": ["a report covers at most three years."]})
        return attrs
