from __future__ import annotations

from django.apps import AppConfig


class DosimetryConfig(AppConfig):
    name = "apps.dosimetry"
    label = "dosimetry"
    verbose_name = "Dose summaries"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.dosimetry import handlers
        from apps.dosimetry.selectors import dose_summaries_pending, dose_summaries_section

        handlers.connect()
        register_section("dose_summaries", dose_summaries_section, pending=dose_summaries_pending)
