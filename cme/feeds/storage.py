"""Raw files as received, stored once by checksum under MEDIA_ROOT/feeds (write-once, crash-safe)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "feeds"


def raw_store(data: bytes, digest: str | None = None) -> str:
    """Keep the bytes at feeds/<aa>/<sha256> (relative to MEDIA_ROOT); the same content is stored once."""
    digest = digest or sha256(data)
    relative = f"feeds/{digest[:2]}/{digest}"
    target = Path(settings.MEDIA_ROOT) / relative
    if target.exists() and target.stat().st_size == len(data):
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return relative


def raw_read(relative: str) -> bytes:
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if raw_root().resolve() not in path.parents:
        raise ValueError("Not a stored feed file.")
    return path.read_bytes()
