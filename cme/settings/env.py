"""Small typed helpers to read settings from the environment (after healthchecks' envbool/envint/envsecret)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_URL_PATH = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envurlpath(name: str, default: str) -> str:
    """A URL path prefix such as "admin/" from NAME: slashes trimmed, one trailing slash added; letters, digits,
    `._~-` and inner slashes only (ImproperlyConfigured otherwise)."""
    value = os.environ.get(name, default).strip().strip("/")
    if not _URL_PATH.fullmatch(value) or any(part in {".", ".."} for part in value.split("/")):
        raise ImproperlyConfigured(f"{name} must be a URL path such as 'sysadmin/' (letters, digits, ._~- and /).")
    return f"{value}/"
