"""AUTH-6 (SECURITY-PLAN; ASVS v5.0.0 6.3.8): sign-in and password reset do not tell which accounts exist.

Three kinds of attempt are compared: an unknown email address, a real account with a wrong password, and a locked
account. Each is sent 30 times, in turn, with the production password hasher (Argon2id, `cme.settings.base`).
The status and the body (CSRF token, CSP nonce and the typed email address taken out) must be identical. The
median time of each kind is measured and printed (`-s`) for SECURITY.md; it is not asserted (no timed asserts:
the machine is shared). The reset is also measured as in production, with a mail service that takes
MAIL_SERVICE_SECONDS per message (standing in for SMTP or GOV.UK Notify) and the tasks on the database queue:
sending the email in the request (as Django does) against queueing it for the background worker (as now).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.accounts.tests.factories import UserFactory
from cme.core.models import LocalAuthority
from cme.settings import base

TRIES = 30
MAIL_SERVICE_SECONDS = 0.05
PASSWORD = "correct horse battery staple"
WRONG = "not the password at all"
UNKNOWN = "nobody-here@example.org"
REAL = "officer@example.org"
LOCKED = "locked@example.org"


@pytest.fixture
def accounts(settings, db: None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A real and a locked account, their passwords hashed with the production hasher."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert get_hasher().algorithm == "argon2"
    la = LocalAuthority.objects.create(code="931", name="Testshire")
    for email in (REAL, LOCKED):
        UserFactory(email=email, local_authority=la)
    User.objects.filter(email=LOCKED).update(locked_until=timezone.now() + timedelta(days=1))
    assert User.objects.get(email=REAL).password.startswith("argon2$argon2id$")
    return {"unknown": UNKNOWN, "real": REAL, "locked": LOCKED}


def normalise(body: bytes, email: str) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return text.replace(email, "EMAIL")


def measure(attempt: Callable[[str], tuple[int, str, str]], cases: dict[str, str],
            before_each: Callable[[], None] = lambda: None) -> tuple[dict[str, set[tuple[int, str, str]]],
                                                                        dict[str, float]]:
    """Each case TRIES times, round-robin (so a slow moment of the machine hits all kinds alike). Returns the
    distinct responses and the median milliseconds per kind."""
    responses: dict[str, set[tuple[int, str, str]]] = {kind: set() for kind in cases}
    times: dict[str, list[float]] = {kind: [] for kind in cases}
    for _ in range(TRIES):
        for kind, email in cases.items():
            before_each()
            start = time.perf_counter()
            response = attempt(email)
            times[kind].append((time.perf_counter() - start) * 1000)
            responses[kind].add(response)
    return responses, {kind: statistics.median(ms) for kind, ms in times.items()}


def report(flow: str, medians: dict[str, float]) -> None:
    spread = max(medians.values()) - min(medians.values())
    shown = ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in medians.items())
    print(f"\nAUTH-6 {flow}: median of {TRIES} tries each: {shown}; largest difference {spread:.1f} ms")  # noqa: T201


@pytest.mark.usefixtures("accounts")
def test_auth6_sign_in_answers_unknown_wrong_and_locked_alike() -> None:
    client = Client()

    def attempt(email: str) -> tuple[int, str, str]:
        response = client.post(reverse("accounts:sign-in"), {"email": email, "password": WRONG})
        return response.status_code, response.get("Location", ""), normalise(response.content, email)

    def unlock_the_real_account() -> None:  # a wrong password would otherwise lock it after 5 tries
        User.objects.filter(email=REAL).update(failed_sign_in_count=0, locked_until=None)

    cases = {"unknown": UNKNOWN, "wrong password": REAL, "locked": LOCKED}
    responses, medians = measure(attempt, cases, unlock_the_real_account)
    report("sign-in", medians)
    distinct = set().union(*responses.values())
    assert len(distinct) == 1, {kind: len(found) for kind, found in responses.items()}
    status, _location, body = distinct.pop()
    assert status == 200 and "Enter a correct email address and password" in body
    # the locked account refuses its right password with the same answer
    right = client.post(reverse("accounts:sign-in"), {"email": LOCKED, "password": PASSWORD})
    assert (right.status_code, normalise(right.content, LOCKED)) == (status, body)


def test_auth6_password_reset_answers_unknown_real_and_locked_alike(accounts: dict[str, str], mailoutbox) -> None:  # type: ignore[no-untyped-def]
    client = Client()

    def attempt(email: str) -> tuple[int, str, str]:
        response = client.post(reverse("accounts:password-reset"), {"email": email})
        return response.status_code, response.get("Location", ""), normalise(response.content, email)

    responses, medians = measure(attempt, accounts)
    report("password reset", medians)
    distinct = set().union(*responses.values())
    assert len(distinct) == 1, {kind: len(found) for kind, found in responses.items()}
    assert distinct.pop()[:2] == (302, reverse("accounts:password-reset-sent"))
    # the real and the locked account were sent their links; nobody was told so on the page
    assert {message.to[0] for message in mailoutbox} == {REAL, LOCKED} and len(mailoutbox) == 2 * TRIES


class SlowMailService(EmailBackend):
    """Django's in-memory outbox, taking MAIL_SERVICE_SECONDS per message like a network mail service."""

    def send_messages(self, messages: Any) -> int:
        time.sleep(MAIL_SERVICE_SECONDS * len(messages))
        return super().send_messages(messages)


@pytest.mark.parametrize("tasks", ["inline", "queued"])
def test_auth6_password_reset_does_not_wait_for_the_mail_service(tasks: str, accounts: dict[str, str], settings,  # type: ignore[no-untyped-def]
                                                                 mailoutbox) -> None:
    from django_tasks_db.models import DBTaskResult

    from cme.accounts.tasks import password_reset_email

    settings.EMAIL_BACKEND = f"{__name__}.SlowMailService"
    settings.TASKS = {"default": {"BACKEND": {"inline": "django_tasks.backends.immediate.ImmediateBackend",
                                              "queued": "django_tasks_db.DatabaseBackend"}[tasks]}}
    client = Client()

    def attempt(email: str) -> tuple[int, str, str]:
        response = client.post(reverse("accounts:password-reset"), {"email": email})
        return response.status_code, response.get("Location", ""), normalise(response.content, email)

    responses, medians = measure(attempt, accounts)
    report(f"password reset, mail service {MAIL_SERVICE_SECONDS * 1000:.0f} ms, email sent {tasks}", medians)
    assert len(set().union(*responses.values())) == 1
    if tasks == "queued":  # nothing was sent during the requests; the worker sends the 60 queued emails
        assert mailoutbox == []
        queued = DBTaskResult.objects.filter(task_path=password_reset_email.module_path)
        assert queued.count() == 2 * TRIES
        for user_id in {job.args_kwargs["kwargs"]["user_id"] for job in queued}:
            job = next(j for j in queued if j.args_kwargs["kwargs"]["user_id"] == user_id)
            assert password_reset_email.call(**job.args_kwargs["kwargs"]) == "sent"
    assert {message.to[0] for message in mailoutbox} == {REAL, LOCKED}
    assert "/account/password-reset/" in mailoutbox[0].body
