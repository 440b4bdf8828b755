"""Settings for the nightly DAST run (scripts/dast.py): production settings, served over TLS on 127.0.0.1.

Everything comes from cme.settings.production (DEBUG off, HTTPS redirect, HSTS, __Host- Secure cookies, CSP,
password hashers, middleware) except the static files, which are served from the app folders by WhiteNoise
instead of a collectstatic manifest (a throwaway scan has no build step). SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL come from the environment as in production.
"""

from cme.settings.production import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # type: ignore[assignment]  # served from the app folders (no collectstatic for a scan)
