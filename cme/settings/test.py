"""Test settings: fast hashing, in-memory email, tasks run immediately. DATABASE_URL still selects PostgreSQL."""

from __future__ import annotations

from cme.settings.base import *  # noqa: F403
from cme.settings.base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-not-a-secret-" + "x" * 40  # noqa: S105 - used only by the test runner
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
MEDIA_ROOT = VAR_DIR / "test-uploads"
CME_QUARANTINE_DIR = VAR_DIR / "test-quarantine"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_ROOT = None  # type: ignore[assignment]  # served from the app folders by WhiteNoise finders; collectstatic only in production
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
