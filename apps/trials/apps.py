from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _on_case_changed(sender: Any, case_id: int, revision: int, **kwargs: Any) -> None:
    from apps.trials.tasks import match_case

    match_case.delay(case_id)


class TrialsConfig(AppConfig):
    name = "apps.trials"
    label = "trials"
    verbose_name = "Clinical trials"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.cases.services import case_changed
        from apps.trials.selectors import trial_matches_section

        case_changed.connect(_on_case_changed, dispatch_uid="trials.match_case_on_change")
        register_section("trial_matches", trial_matches_section)
