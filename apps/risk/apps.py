from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _enqueue_assessment(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """``case_changed`` is sent after commit: queue a recomputation of the case's risk."""
    from apps.risk.tasks import assess_case

    assess_case.delay(case_id)


class RiskConfig(AppConfig):
    name = "apps.risk"
    label = "risk"
    verbose_name = "SRE risk"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.cases.services import case_changed
        from apps.risk.selectors import risk_section

        case_changed.connect(_enqueue_assessment, dispatch_uid="risk.enqueue_assessment")
        register_section("risk", risk_section)
