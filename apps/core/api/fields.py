"""Serializer fields whose errors say what would have been accepted."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class CodeChoiceField(serializers.ChoiceField):
    """A ChoiceField whose error lists the allowed codes, so an integrator can fix the call at once."""

    default_error_messages = {"invalid_choice": '"{input}" is not a valid code. Allowed: {allowed}.'}

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            self.fail("invalid_choice", input=data, allowed=", ".join(self.choice_strings_to_values))


class CodeMultipleChoiceField(serializers.ListField):
    """A list of codes (e.g. systemic therapy classes), each checked against the vocabulary."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        super().__init__(child=CodeChoiceField(choices=choices), **kwargs)
