from __future__ import annotations

from rest_framework import serializers

from apps.core.api.fields import CodeChoiceField


class CodeModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose choice fields name the allowed codes in their errors."""

    serializer_choice_field = CodeChoiceField
