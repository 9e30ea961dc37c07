from __future__ import annotations

from rest_framework import serializers

from apps.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.IntegerField(source="actor_id", allow_null=True, read_only=True)
    board = serializers.IntegerField(source="board_id", allow_null=True, read_only=True)
    case = serializers.IntegerField(source="case_id", allow_null=True, read_only=True)
    patient = serializers.IntegerField(source="patient_id", allow_null=True, read_only=True)
    action = serializers.CharField(source="event", read_only=True)

    class Meta:
        model = AuditEntry
        fields = (
            "id",
            "sequence",
            "occurred_at",
            "actor",
            "actor_label",
            "actor_role",
            "action",
            "board",
            "case",
            "patient",
            "subject_type",
            "subject_id",
            "subject_label",
            "before",
            "after",
            "reason",
            "ip_address",
            "request_id",
            "prev_hash",
            "hash",
        )
        read_only_fields = fields


class ChainStatusSerializer(serializers.Serializer[object]):
    intact = serializers.BooleanField()
    entries = serializers.IntegerField()
    broken_entry = serializers.IntegerField(allow_null=True)
    broken_sequence = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
