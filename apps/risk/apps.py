from __future__ import annotations

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "apps.risk"
    label = "risk"
    verbose_name = "SRE risk"

    def ready(self) -> None:
        from apps.cases.derived import register_section
        from apps.risk import handlers
        from apps.risk.selectors import risk_pending, risk_section

        handlers.connect()
        register_section("risk", risk_section, pending=risk_pending)
