from __future__ import annotations

from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "apps.trials"
    label = "trials"
    verbose_name = "Clinical trials"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.trials import handlers
        from apps.trials.selectors import trial_matches_pending, trial_matches_section

        handlers.connect()
        register_section("trial_matches", trial_matches_section, pending=trial_matches_pending)
