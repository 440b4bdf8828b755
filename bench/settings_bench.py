"""Production settings for the web benchmark over plain HTTP on loopback (bench/web_bench.py only).

Everything from cme.settings.production (DEBUG off, WhiteNoise, password hashers, middleware, templates) except
what cannot work without TLS on 127.0.0.1: no HTTPS redirect, HSTS or secure-only cookies (a client does not
send a Secure cookie over http://), and static files served from the app folders instead of a collectstatic
manifest. SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL come from the environment as in production.
"""

from cme.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # type: ignore[assignment]  # served from the app folders (no collectstatic for a benchmark)
