"""SESS-5 (SECURITY-PLAN; ASVS 5.0.0 7.4.2/7.4.3): disabling an account or changing its password ends every
session of that user at their next request.

This comes from Django (ModelBackend.get_user refuses an inactive user; the session keeps a hash of the password
and is flushed when it no longer matches); these tests hold the project's middleware (session expiry, two-factor,
OTP) and sign-in to it, for two browser sessions of one user.
"""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cme.accounts.models import User
from cme.children.tests.factories import ChildFactory
from cme.personas import sign_in

NEW_PASSWORD = "plum orchard lantern 42"


def _two_sessions(user: User) -> tuple[Client, Client]:
    first, second = sign_in(Client(), user), sign_in(Client(), user)
    child = ChildFactory(local_authority=user.local_authority)
    for client in (first, second):  # both really signed in (and past two-factor) before the change
        assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200
    return first, second


def _signed_out(client: Client) -> bool:
    response = client.get(reverse("children:search"))
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in"))


def test_disabling_an_account_signs_out_both_its_sessions(officer: User) -> None:
    first, second = _two_sessions(officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert _signed_out(first) and _signed_out(second)
    assert "_auth_user_id" not in first.session and "_auth_user_id" not in second.session
    officer.is_active = True  # enabling it again does not bring the old sessions back
    officer.save(update_fields=["is_active"])
    assert _signed_out(first) and _signed_out(second)


def test_enabling_the_account_again_does_not_revive_sessions_that_made_no_request_meanwhile(officer: User) -> None:
    """Django alone would revive them (the password hash is unchanged): User.session_epoch prevents it."""
    first, second = _two_sessions(officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    officer.is_active = True
    officer.save(update_fields=["is_active"])
    assert _signed_out(first) and _signed_out(second)
    assert sign_in(Client(), officer).get(reverse("children:search")).status_code == 200  # a new sign-in works


def test_a_password_reset_signs_out_every_other_session(officer: User) -> None:
    first, second = _two_sessions(officer)
    reset = Client()
    link = reverse("accounts:password-reset-confirm", args=[urlsafe_base64_encode(force_bytes(officer.pk)),
                                                            default_token_generator.make_token(officer)])
    form_url = reset.get(link)["Location"]  # Django swaps the token for a session key, then shows the form
    response = reset.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password-reset-complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert _signed_out(first) and _signed_out(second)


def test_a_password_changed_by_a_service_signs_out_the_sessions_too(officer: User) -> None:
    """Any code path that sets the password (set_password + save) invalidates the session hash."""
    first, second = _two_sessions(officer)
    officer.set_password(NEW_PASSWORD)
    officer.save(update_fields=["password"])
    assert _signed_out(first) and _signed_out(second)
