"""Choice sets named once in the OpenAPI schema (settings ``ENUM_NAME_OVERRIDES`` points here by path, so
the settings import no domain code). Each must equal the model field's choices, labels included."""

from __future__ import annotations

from apps.cases.vocabulary import VERTEBRAL_LEVELS, ReceptorStatus, choices
from apps.cases.workflow import CaseStatus

RECEPTOR_STATUS = choices(ReceptorStatus)
VERTEBRAL_LEVEL = [(level, level) for level in VERTEBRAL_LEVELS]
CASE_STATUS = choices(CaseStatus)
