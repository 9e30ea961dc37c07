"""Choice sets named once in the OpenAPI schema (settings ``ENUM_NAME_OVERRIDES`` points here by path)."""

from __future__ import annotations

from apps.cases.vocabulary import choices
from apps.decisions.engine.recommendation import Intent, ResponseAssessment

RESPONSE_ASSESSMENT = choices(ResponseAssessment)
#: A decision's intent, read (``Decision``) and written (``DecisionWrite``): one enum, not two.
INTENT = choices(Intent)
