from __future__ import annotations

from django.apps import AppConfig


class OptionsConfig(AppConfig):
    name = "apps.options"
    label = "options"
    verbose_name = "Prognosis and treatment options"
