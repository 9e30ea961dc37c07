from __future__ import annotations

from django.apps import AppConfig


class OptionsConfig(AppConfig):
    name = "apps.options"
    label = "options"
    verbose_name = "Prognosis and treatment options"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.options import handlers
        from apps.options.selectors import prognosis_section, treatment_options_pending, treatment_options_section

        handlers.connect()
        register_section("prognosis", prognosis_section)
        register_section("treatment_options", treatment_options_section, pending=treatment_options_pending)
