"""Production: secure defaults. SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL must come from the environment."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from cme.settings.base import *  # noqa: F403
from cme.settings.base import SECRET_KEY
from cme.settings.env import envbool, envint, envurlpath

DEBUG = False
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to at least 50 random characters.")

# AC-8: the admin is not on Django's default /admin/. Set CME_ADMIN_PATH to the council's own path.
CME_ADMIN_PATH = envurlpath("CME_ADMIN_PATH", "system-administration/")
if CME_ADMIN_PATH == "admin/":
    raise ImproperlyConfigured("CME_ADMIN_PATH must not be admin/ in production: choose the council's own path.")
# AC-8: a system administrator opens the admin only after signing in with a security key (phishing-resistant).
CME_ADMIN_REQUIRES_SECURITY_KEY = envbool("CME_ADMIN_REQUIRES_SECURITY_KEY", True)

# Persistent database connections (a new PostgreSQL connection per request costs several milliseconds), checked
# before reuse so a restarted database is reconnected cleanly.
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if envbool("BEHIND_TLS_PROXY", False):
    # Set only when the app is reachable through the proxy alone (deploy/nginx/cme.conf: unix socket or loopback);
    # the proxy overwrites both headers, so a client cannot choose the scheme or the audited address.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CME_TRUST_X_FORWARDED_FOR = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
