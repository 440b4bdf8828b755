"""Settings shared by every environment. Everything that differs comes from the environment.

SQLite is the embedded default (zero set-up); set DATABASE_URL=postgres://... for PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from cme.settings.env import env, envbool, envint, envlist, envsecret, envurlpath

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("CME_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = envsecret("SECRET_KEY")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cme.audit.admin_apps.AuditedAdminConfig",  # django.contrib.admin whose changes are audited (AC-8)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "cme.core",
    "cme.accounts",
    "cme.audit",
    "cme.children",
    "cme.matching",
    "cme.feeds",
    "cme.notifications",
    "cme.ehe",
    "cme.timetables",
    "cme.cnis",
    "cme.cases",
    "cme.panels",
    "cme.reports",
    "cme.api",
    "cme.privacy",
    "cme.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside the session, expiry and two-factor middleware, so that their redirects get these headers too (CFG-2).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cme.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cme.accounts.middleware.SessionExpiryMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cme.accounts.middleware.MFARequiredMiddleware",
    "cme.core.middleware.QuarantineMiddleware",  # FILE-4: infected uploads kept after the view's transaction
    "django.contrib.messages.middleware.MessageMiddleware",
    "cme.children.middleware.RestrictedRecordMiddleware",  # DP-6: a reason before a restricted record is shown
    "cme.audit.middleware.DenialAuditMiddleware",  # LOG-3: one audit event per 403/404 denial
]

ROOT_URLCONF = "cme.urls"
WSGI_APPLICATION = "cme.wsgi.application"

TEMPLATES = [
    {
        # Jinja2 first so the GOV.UK Design System macros (govuk-frontend-jinja) render the real markup.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "cme.jinja2.environment", "autoescape": True},
    },
    {
        # Django templates only for the admin (system admins).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cme.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a feed import writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["cme.accounts.backends.UserBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "cme.accounts.passwords.CommonPasswordPatternValidator"},  # AUTH-1: padded common passwords too
    {"NAME": "cme.accounts.passwords.BreachedPasswordValidator"},  # AUTH-1: 43,940 leaked passwords >= 12 chars
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# ASVS 6.2.12: a Pwned Passwords range service (k-anonymity), e.g. https://api.pwnedpasswords.com/range; off when
# empty (the shipped breach list always applies). A failed look-up lets the password through with a warning.
CME_HIBP_RANGE_URL = env("CME_HIBP_RANGE_URL", "")
CME_HIBP_TIMEOUT = envint("CME_HIBP_TIMEOUT", 3)
PASSWORD_RESET_TIMEOUT = 3600
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sign-in protection (issue 2): lock-out and session expiry. Values the DPO may change.
CME_LOCKOUT_FAILURES = envint("CME_LOCKOUT_FAILURES", 5)
CME_LOCKOUT_MINUTES = envint("CME_LOCKOUT_MINUTES", 30)
CME_SESSION_IDLE_SECONDS = envint("CME_SESSION_IDLE_SECONDS", 30 * 60)
CME_SESSION_ABSOLUTE_SECONDS = envint("CME_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
# How often the last-seen time is written to the session (PERF-1): the idle limit may end a session this much early.
CME_SESSION_TOUCH_SECONDS = envint("CME_SESSION_TOUCH_SECONDS", 60)
SESSION_COOKIE_AGE = CME_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = "Children missing education"
# AC-8: where the Django admin (system administrators only) is mounted. Production refuses the default "admin/";
# each council sets its own path (CME_ADMIN_PATH), so the admin is not at a well-known address.
CME_ADMIN_PATH = envurlpath("CME_ADMIN_PATH", "admin/")
# AC-8 (proposed, the council's decision): the admin only for a session verified with a security key (WebAuthn),
# not a code from an app. Off here (development, demo, tests); production turns it on (settings/production.py).
CME_ADMIN_REQUIRES_SECURITY_KEY = envbool("CME_ADMIN_REQUIRES_SECURITY_KEY", False)
# WebAuthn relying party: the service's domain (default: the first of ALLOWED_HOSTS). Keys registered for one
# domain work only there: set it once, before anyone registers a key. CME_WEBAUTHN_ORIGINS (optional) lists the
# exact origins; by default the page's own https://host, if that host is the relying party id or under it.
CME_WEBAUTHN_RP_ID = env("CME_WEBAUTHN_RP_ID", "")
CME_WEBAUTHN_ORIGINS = envlist("CME_WEBAUTHN_ORIGINS")
CME_WEBAUTHN_RP_NAME = "Children missing education"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env("CME_MEDIA_ROOT", str(VAR_DIR / "uploads")))  # outside the web root; served by views only
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
CME_MAX_UPLOAD_BYTES = envint("CME_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)  # deploy/nginx/cme.conf allows a bit more
# The audited client address comes from X-Forwarded-For only behind the reference proxy (production: BEHIND_TLS_PROXY).
CME_TRUST_X_FORWARDED_FOR = False
# FILE-4: clamd ("host:port" or the Unix socket path); every upload is scanned, and refused if clamd is down.
# Empty turns the scan off (development, tests); set it in production (freshclam keeps the signatures current).
CME_CLAMD_ADDRESS = env("CME_CLAMD_ADDRESS", "")
CME_CLAMD_TIMEOUT = envint("CME_CLAMD_TIMEOUT", 30)
# Infected uploads are kept here, encrypted, for the system administrators (never under MEDIA_ROOT, never served).
CME_QUARANTINE_DIR = Path(env("CME_QUARANTINE_DIR", str(VAR_DIR / "quarantine")))

# Email: an interface with a console/outbox backend by default (issue 4 adds GOV.UK Notify).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "cme-noreply@example.org")

# Background jobs: django-tasks with the database backend (run `manage.py db_worker`).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Content-Security-Policy (django-csp 4): no inline script without a nonce, no third-party origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "cme.core.logging.RedactingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "cme.core.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env("LOG_FORMAT", "plain"), "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# JSON API (django-ninja): per-token/user rate limit.
CME_API_RATE = env("CME_API_RATE", "600/m")
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
