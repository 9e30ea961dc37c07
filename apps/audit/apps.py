from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from apps.audit import db, signals

        auth_signals.user_logged_in.connect(signals.on_logged_in, dispatch_uid="audit.login")
        auth_signals.user_logged_out.connect(signals.on_logged_out, dispatch_uid="audit.logout")
        auth_signals.user_login_failed.connect(signals.on_login_failed, dispatch_uid="audit.login_failed")
        connection_created.connect(db.on_connection_created, dispatch_uid="audit.sqlite_function")
        post_migrate.connect(_reassert_triggers, sender=self, dispatch_uid="audit.triggers")


def _reassert_triggers(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it: put them back after every migrate."""
    from django.db import connections

    from apps.audit import db

    connection = connections[using]
    if "audit_auditentry" in connection.introspection.table_names():
        db.install_append_only(connection)
