from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _enqueue_summaries(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    """``case_changed`` is sent after commit: the case's prior courses may have changed, so recompute."""
    from apps.dosimetry.tasks import compute_case_summaries

    compute_case_summaries.delay(case_id)


class DosimetryConfig(AppConfig):
    name = "apps.dosimetry"
    label = "dosimetry"
    verbose_name = "Dose summaries"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.cases.services import case_changed
        from apps.dosimetry.selectors import dose_summaries_section

        case_changed.connect(_enqueue_summaries, dispatch_uid="dosimetry.enqueue_summaries")
        register_section("dose_summaries", dose_summaries_section)
