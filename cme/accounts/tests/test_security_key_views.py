"""AC-8: the security key pages (add, remove, the two-factor step with a key, the admin's 'needs a key' page)."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.models import SecurityKey, User
from cme.accounts.tests.soft_authenticator import SoftAuthenticator, options_in
from cme.audit.models import AuditEvent

ORIGIN = "http://testserver"


def add_key(client: Client, key: SoftAuthenticator, name: str = "Blue key") -> SecurityKey:
    page = client.get(reverse("accounts:security-keys")).content.decode()
    response = client.post(reverse("accounts:security-keys"),
                           {"name": name, "credential": key.create(options_in(page), ORIGIN)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return SecurityKey.objects.get(name=name)


def password_only(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_user_adds_a_key_and_sees_it_listed(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    page = client.get(reverse("accounts:security-keys"))
    body = page.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"])
    assert nonce and f'security-keys.mjs" nonce="{nonce.group(1)}"' in body.replace(
        re.search(r'src="[^"]*security-keys', body).group(0), 'src="security-keys')  # type: ignore[union-attr]
    key = add_key(client, SoftAuthenticator())
    assert key.user == officer
    listed = client.get(reverse("accounts:security-keys")).content.decode()
    assert "Blue key" in listed and "Security key ‘Blue key’ added" in listed
    assert TOTPDevice.objects.filter(user=officer).exists()  # as well as the app, not instead


def test_a_missing_name_or_answer_adds_nothing(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    page = client.get(reverse("accounts:security-keys")).content.decode()
    answer = SoftAuthenticator().create(options_in(page), ORIGIN)
    no_name = client.post(reverse("accounts:security-keys"), {"name": "", "credential": answer})
    assert no_name.status_code == 200 and "Enter a name for the key" in no_name.content.decode()
    client.get(reverse("accounts:security-keys"))
    no_answer = client.post(reverse("accounts:security-keys"), {"name": "Key", "credential": ""})
    assert no_answer.status_code == 200 and "did not answer" in no_answer.content.decode()
    stale = client.post(reverse("accounts:security-keys"), {"name": "Key", "credential": answer})
    assert "There is a problem" in stale.content.decode()  # the first challenge was used up by the first POST
    assert not SecurityKey.objects.exists()


def test_adding_a_key_needs_a_recent_password(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    client.get(reverse("core:home"))
    session = client.session
    session["cme_started_at"] = time.time() - 3600
    session.save()
    response = client.get(reverse("accounts:security-keys"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))


def test_a_key_is_removed_by_its_owner_only(client_for, officer: User, manager: User) -> None:  # type: ignore[no-untyped-def]
    owner = client_for(officer)
    key = add_key(owner, SoftAuthenticator())
    remove = reverse("accounts:security-key-remove", args=[key.pk])
    assert client_for(manager).post(remove).status_code == 404
    assert owner.get(remove).status_code == 405
    assert owner.post(remove).status_code == 302
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
    assert AuditEvent.objects.filter(actor=officer, summary="security key removed: Blue key").count() == 1


def test_every_role_may_add_a_key_but_not_before_the_second_step(client_for, school_user: User) -> None:  # type: ignore[no-untyped-def]
    """AUTH-3: every role signs in with two factors, so school users can add a key too; a session past the password
    step only is sent to the two-factor step first."""
    assert client_for(school_user).get(reverse("accounts:security-keys")).status_code == 200
    page = password_only(school_user).get(reverse("accounts:security-keys"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two-factor"))


def test_sign_in_with_a_key_at_the_two_factor_step(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    key = SoftAuthenticator()
    add_key(client_for(officer), key)
    client = password_only(officer)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:two-factor")
    assert "Use your security key instead" in client.get(reverse("accounts:two-factor")).content.decode()
    url = f"{reverse('accounts:two-factor-security-key')}?next=/cases/"
    page = client.get(url)
    assert page.status_code == 200 and "Use your security key" in page.content.decode()
    session_before = client.session.session_key
    done = client.post(url, {"credential": key.get(options_in(page.content.decode()), ORIGIN), "next": "/cases/"})
    assert done.status_code == 302 and done["Location"] == "/cases/"
    assert client.get(reverse("core:home")).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("accounts.securitykey/")
    assert client.session.session_key != session_before  # a new session id after the second factor
    assert AuditEvent.objects.filter(actor=officer, action=AuditEvent.Action.MFA,
                                     summary="verified with security key Blue key").count() == 1


def test_a_bad_answer_does_not_sign_in(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    key = SoftAuthenticator()
    add_key(client_for(officer), key)
    client = password_only(officer)
    page = client.get(reverse("accounts:two-factor-security-key")).content.decode()
    refused = client.post(reverse("accounts:two-factor-security-key"),
                          {"credential": key.get(options_in(page), "https://evil.test")})
    assert refused.status_code == 200 and "was not accepted" in refused.content.decode()
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:two-factor")


def test_without_a_key_the_key_step_sends_to_the_code(officer: User) -> None:
    client = password_only(officer)
    response = client.get(reverse("accounts:two-factor-security-key"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-factor"))
    assert "security key" not in client.get(reverse("accounts:two-factor")).content.decode().lower()


@pytest.mark.parametrize("has_key", [False, True])
def test_the_security_key_required_page_says_how(client_for, la_admin: User, has_key: bool) -> None:  # type: ignore[no-untyped-def]
    client = client_for(la_admin)
    if has_key:
        add_key(client, SoftAuthenticator())
    body = client.get(reverse("accounts:security-key-required") + "?next=/admin/").content.decode()
    assert "You need to use a security key" in body
    if has_key:
        assert f"{reverse('accounts:two-factor-security-key')}?next=/admin/" in body
    else:
        assert reverse("accounts:security-keys") in body and "Get a security key" in body


def test_the_security_keys_page_is_linked_under_the_users_name(client_for, officer: User,  # type: ignore[no-untyped-def]
                                                               school_user: User) -> None:
    link = f'href="{reverse("accounts:security-keys")}"'
    assert link in client_for(officer).get(reverse("core:home")).content.decode()
    assert link in client_for(school_user).get(reverse("core:home")).content.decode()
    assert link not in password_only(school_user).get(reverse("accounts:two-factor")).content.decode()
