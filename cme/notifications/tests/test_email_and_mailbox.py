"""The email service (GOV.UK Notify behind send_email; tests never send) and reading .eml files."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from cme.core import email
from cme.notifications.mailbox import EmlInvalid, parse_eml


class FakeNotifyClient:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send_email_notification(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        return {"id": "fake"}


def test_notify_service_sends_one_notification_per_recipient_through_the_template() -> None:
    client = FakeNotifyClient()
    service = email.NotifyEmailService(api_key="unused", template_id="tmpl-1", reply_to_id="reply-1", client=client)
    assert service.send(to=["a@example.org", "b@example.org"], subject="Hello", body="Body", reference="CME-1") == 2
    assert client.calls[0] == {"email_address": "a@example.org", "template_id": "tmpl-1",
                               "personalisation": {"subject": "Hello", "body": "Body"}, "reference": "CME-1",
                               "email_reply_to_id": "reply-1"}


def test_tests_never_send_even_if_notify_is_chosen() -> None:
    with override_settings(CME_EMAIL_SERVICE="notify"):
        assert isinstance(email.email_service(), email.DjangoEmailService)
        email.send_email(to=["x@example.org", "", "x@example.org"], subject="S", body="B")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["x@example.org"]


def test_service_selection_outside_tests() -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend", CME_EMAIL_SERVICE="notify",
                           GOVUK_NOTIFY_API_KEY="", GOVUK_NOTIFY_TEMPLATE_ID=""):
        with pytest.raises(ImproperlyConfigured):
            email.email_service()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
                           CME_EMAIL_SERVICE="carrier-pigeon"):
        with pytest.raises(ImproperlyConfigured):
            email.email_service()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend", CME_EMAIL_SERVICE=""):
        assert isinstance(email.email_service(), email.DjangoEmailService)


def test_send_email_with_nobody_to_send_to_does_nothing() -> None:
    assert email.send_email(to=["", ""], subject="S", body="B") == 0
    assert mail.outbox == []


MULTIPART = (
    b"From: =?utf-8?q?Zo=C3=AB_Head?= <head@school.example>\r\nSubject: Missing pupil\r\n"
    b"Date: Tue, 24 Nov 2026 16:05:00 +0000\r\nMessage-ID: <m2@school.example>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n'
    b"<p>Not seen <b>since</b> October.</p>\r\n--b1\r\nContent-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="letter.pdf"\r\n\r\nJVBERi0=\r\n--b1--\r\n'
)


def test_parse_eml_reads_headers_html_body_and_attachment_names() -> None:
    parsed = parse_eml(MULTIPART)
    assert parsed.sender == "Zoë Head <head@school.example>" and parsed.subject == "Missing pupil"
    assert parsed.body == "Not seen since October." and parsed.attachment_names == ["letter.pdf"]
    assert parsed.message_id == "<m2@school.example>" and parsed.sent_at is not None
    assert parsed.sent_at.isoformat() == "2026-11-24T16:05:00+00:00"


def test_parse_eml_refuses_what_is_not_an_email_and_what_is_too_big() -> None:
    with pytest.raises(EmlInvalid):
        parse_eml(b"")
    with override_settings(CME_MAILBOX_MAX_BYTES=10), pytest.raises(EmlInvalid, match="smaller"):
        parse_eml(MULTIPART)
