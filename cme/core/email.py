"""The email service interface. Callers use `send_email(...)`; the configured service decides how it leaves.

Services (setting or environment variable ``CME_EMAIL_SERVICE``):

- ``django`` (default): Django's ``EMAIL_BACKEND``. In dev/demo that is `OutboxFileBackend`, which writes each
  message to var/outbox/ so nothing is sent; in tests Django's locmem outbox; SMTP if configured.
- ``notify``: GOV.UK Notify through notifications-python-client (`NotifyEmailService`). Needs
  ``GOVUK_NOTIFY_API_KEY`` (or ``GOVUK_NOTIFY_API_KEY_FILE``) and ``GOVUK_NOTIFY_TEMPLATE_ID``: a Notify email
  template whose subject is ``((subject))`` and whose body is ``((body))``. ``GOVUK_NOTIFY_REPLY_TO_ID`` is optional.

Tests never send: whenever Django's locmem backend is configured (the test settings), `email_service()` returns
the Django service whatever ``CME_EMAIL_SERVICE`` says. `NotifyEmailBackend` lets Django's own mail (password
reset) go through Notify too: set ``EMAIL_BACKEND=cme.core.email.NotifyEmailBackend``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend

from cme.settings.env import env, envsecret

LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class OutboxFileBackend(FileBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        outbox = Path(settings.VAR_DIR) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        kwargs["file_path"] = str(outbox)
        super().__init__(*args, **kwargs)


class EmailService(Protocol):
    def send(self, *, to: Sequence[str], subject: str, body: str, reference: str = "") -> int: ...


class DjangoEmailService:
    """Whatever Django's EMAIL_BACKEND is: console/outbox (dev), locmem (tests), SMTP."""

    def send(self, *, to: Sequence[str], subject: str, body: str, reference: str = "") -> int:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(to), fail_silently=False)


class NotifyEmailService:
    """GOV.UK Notify: one email notification per recipient through a template of ((subject)) and ((body))."""

    def __init__(self, *, api_key: str, template_id: str, reply_to_id: str = "", client: Any = None) -> None:
        if client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            client = NotificationsAPIClient(api_key)  # type: ignore[no-untyped-call]
        self.client = client
        self.template_id = template_id
        self.reply_to_id = reply_to_id

    def send(self, *, to: Sequence[str], subject: str, body: str, reference: str = "") -> int:
        sent = 0
        for address in to:
            kwargs: dict[str, Any] = {
                "email_address": address,
                "template_id": self.template_id,
                "personalisation": {"subject": subject, "body": body},
            }
            if reference:
                kwargs["reference"] = reference
            if self.reply_to_id:
                kwargs["email_reply_to_id"] = self.reply_to_id
            self.client.send_email_notification(**kwargs)
            sent += 1
        return sent


def notify_service_from_settings() -> NotifyEmailService:
    api_key = getattr(settings, "GOVUK_NOTIFY_API_KEY", "") or envsecret("GOVUK_NOTIFY_API_KEY")
    template_id = getattr(settings, "GOVUK_NOTIFY_TEMPLATE_ID", "") or env("GOVUK_NOTIFY_TEMPLATE_ID")
    if not api_key or not template_id:
        raise ImproperlyConfigured("CME_EMAIL_SERVICE=notify needs GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID.")
    reply_to = getattr(settings, "GOVUK_NOTIFY_REPLY_TO_ID", "") or env("GOVUK_NOTIFY_REPLY_TO_ID")
    return NotifyEmailService(api_key=api_key, template_id=template_id, reply_to_id=reply_to)


def email_service() -> EmailService:
    """The configured service; always Django's (locmem) under the test settings, so tests never send."""
    if settings.EMAIL_BACKEND == LOCMEM_BACKEND:
        return DjangoEmailService()
    choice = (getattr(settings, "CME_EMAIL_SERVICE", "") or env("CME_EMAIL_SERVICE", "django")).strip().lower()
    if choice == "notify":
        return notify_service_from_settings()
    if choice != "django":
        raise ImproperlyConfigured(f"CME_EMAIL_SERVICE must be 'django' or 'notify', not {choice!r}.")
    return DjangoEmailService()


def send_email(*, to: Sequence[str], subject: str, body: str, reference: str = "") -> int:
    """Send a plain-text email. Never put a child's name in the subject line."""
    recipients = [address for address in dict.fromkeys(to) if address]
    if not recipients:
        return 0
    return email_service().send(to=recipients, subject=subject, body=body, reference=reference)


class NotifyEmailBackend(BaseEmailBackend):
    """A Django email backend over GOV.UK Notify, for mail Django sends itself (password reset)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        service = notify_service_from_settings()
        sent = 0
        for message in email_messages:
            sent += service.send(to=list(message.recipients()), subject=str(message.subject), body=str(message.body))
        return sent


__all__ = [
    "DjangoEmailService",
    "EmailMessage",
    "EmailService",
    "NotifyEmailBackend",
    "NotifyEmailService",
    "OutboxFileBackend",
    "email_service",
    "send_email",
]
