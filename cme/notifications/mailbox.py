"""Reading an email saved from the CME mailbox (.eml) with the standard library's `email` package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags

from cme.settings.env import envint

#: Largest .eml accepted (setting CME_MAILBOX_MAX_BYTES): enough for a long thread, not for big attachments.
DEFAULT_MAX_EML_BYTES = 2 * 1024 * 1024


def max_eml_bytes() -> int:
    value = getattr(settings, "CME_MAILBOX_MAX_BYTES", None)
    return int(value) if value is not None else envint("CME_MAILBOX_MAX_BYTES", DEFAULT_MAX_EML_BYTES)


class EmlInvalid(ValueError):
    pass


@dataclass
class ParsedEmail:
    sender: str
    subject: str
    sent_at: dt.datetime | None
    body: str
    message_id: str
    attachment_names: list[str] = field(default_factory=list)


def _header(message: object, name: str) -> str:
    try:
        value = message.get(name)  # type: ignore[attr-defined]
    except (ValueError, TypeError, IndexError):  # malformed header the policy could not parse
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _sent_at(message: object) -> dt.datetime | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when if timezone.is_aware(when) else timezone.make_aware(when)


def parse_eml(raw: bytes) -> ParsedEmail:
    """Sender, subject, date, message id, plain-text body and attachment names of an RFC 5322 message."""
    if len(raw) > max_eml_bytes():
        raise EmlInvalid(f"The email must be smaller than {max_eml_bytes() // (1024 * 1024)} MB")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender, subject = _header(message, "From"), _header(message, "Subject")
    body = ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            body = part.get_content()
            if part.get_content_type() == "text/html":
                body = strip_tags(body)
    except (LookupError, KeyError, ValueError, UnicodeError):
        body = ""
    if not sender and not subject and not body.strip():
        raise EmlInvalid("The file is not an email message: save the email as a .eml file and try again")
    attachments = []
    try:
        attachments = [name for part in message.iter_attachments() if (name := part.get_filename())]
    except (AttributeError, KeyError, ValueError):  # not multipart, or a broken part
        attachments = []
    return ParsedEmail(sender=sender[:200], subject=subject[:300], sent_at=_sent_at(message),
                       body=body.strip(), message_id=_header(message, "Message-ID")[:200],
                       attachment_names=attachments)
