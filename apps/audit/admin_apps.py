"""The admin's app config, pointing it at the audited default site (no model imports: loaded before models)."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    """Replaces ``django.contrib.admin`` in ``INSTALLED_APPS``."""

    default_site = "apps.audit.admin_site.AuditedAdminSite"
