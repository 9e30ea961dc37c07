"""Choice sets named once in the OpenAPI schema (settings ``ENUM_NAME_OVERRIDES`` points here by path)."""

from __future__ import annotations

from apps.cases.vocabulary import choices
from apps.decisions.engine.recommendation import ResponseAssessment

RESPONSE_ASSESSMENT = choices(ResponseAssessment)
