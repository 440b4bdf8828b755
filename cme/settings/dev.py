"""Local development and `make demo`: SQLite, debug on, a per-checkout random secret key (never committed)."""

from __future__ import annotations

import secrets

from cme.settings.base import *  # noqa: F403
from cme.settings.base import VAR_DIR
from cme.settings.env import envbool, envsecret

DEBUG = envbool("DEBUG", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)
_key_file = VAR_DIR / "dev-secret-key"
if not _key_file.exists():
    _key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
SECRET_KEY = envsecret("SECRET_KEY") or _key_file.read_text(encoding="utf-8").strip()
EMAIL_BACKEND = "cme.core.email.OutboxFileBackend"

STATIC_ROOT = None  # type: ignore[assignment]  # served from the app folders by WhiteNoise finders; collectstatic only in production
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
