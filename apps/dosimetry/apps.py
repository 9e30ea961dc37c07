from django.apps import AppConfig


class DosimetryConfig(AppConfig):
    name = "apps.dosimetry"
    label = "dosimetry"
    verbose_name = "Dose summaries"
