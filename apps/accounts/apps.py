from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Users and boards"

    def ready(self) -> None:
        from apps.accounts import handlers

        handlers.connect()
