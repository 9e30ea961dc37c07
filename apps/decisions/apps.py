from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "apps.decisions"
    label = "decisions"
    verbose_name = "Board decisions"

    def ready(self) -> None:
        from apps.decisions import handlers

        handlers.connect()
