"""`django.contrib.admin` with the audited site as `admin.site` (AC-8); in INSTALLED_APPS in its place."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "cme.audit.admin_site.AuditedAdminSite"
