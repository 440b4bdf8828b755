"""The email service interface. Callers use `send_email(...)`; the backend decides how it leaves.

Default (dev/demo): `OutboxFileBackend` writes each message to var/outbox/ so nothing is sent.
Tests: Django's locmem backend. Production: SMTP or the GOV.UK Notify backend (intake issue).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class OutboxFileBackend(FileBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        outbox = Path(settings.VAR_DIR) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        kwargs["file_path"] = str(outbox)
        super().__init__(*args, **kwargs)


def send_email(*, to: Sequence[str], subject: str, body: str) -> int:
    """Send a plain-text email. Never put a child's name in the subject line."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(to), fail_silently=False)


__all__ = ["EmailMessage", "send_email", "OutboxFileBackend"]
