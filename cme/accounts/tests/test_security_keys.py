"""AC-8: the security key services (WebAuthn) against a software authenticator that signs real answers.

Registration and sign-in succeed with a good answer; each check that makes the factor phishing-resistant and
single-use refuses a bad one: another origin, another relying party id, a replayed or another session's or
another user's challenge, an expired challenge, a signature counter that does not go up, a key of another user,
a broken signature. Every outcome is audited, and no key material is in the audit trail. Run with `-s`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from cme.accounts import security_keys
from cme.accounts.models import SecurityKey, User
from cme.accounts.security_keys import SecurityKeyError
from cme.accounts.tests.soft_authenticator import SoftAuthenticator
from cme.audit.models import AuditEvent

ORIGIN = "http://testserver"


def make_request(user: User, session: SessionStore | None = None, host: str = "testserver") -> HttpRequest:
    request = RequestFactory().post("/account/security-keys/", HTTP_HOST=host)
    request.session = session if session is not None else SessionStore()
    request.user = user
    return request


def registered(user: User, key: SoftAuthenticator | None = None, name: str = "Blue key") -> SecurityKey:
    key = key or SoftAuthenticator()
    request = make_request(user)
    options = security_keys.registration_options(request=request, user=user)
    return security_keys.register(request=request, user=user, name=name, credential_json=key.create(options, ORIGIN))


def sign_in_answer(user: User, key: SoftAuthenticator, **kwargs: object) -> tuple[HttpRequest, str]:
    request = make_request(user)
    options = security_keys.authentication_options(request=request, user=user)
    return request, key.get(options, ORIGIN, **kwargs)  # type: ignore[arg-type]


def test_a_key_registers_and_signs_in_and_its_counter_moves_on(officer: User) -> None:
    key = SoftAuthenticator(sign_count=5)
    stored = registered(officer, key)
    assert (stored.user, stored.name, stored.sign_count, stored.confirmed) == (officer, "Blue key", 5, True)
    assert stored.transports == ["usb"] and bytes(stored.public_key)
    request, answer = sign_in_answer(officer, key)
    used = security_keys.authenticate(request=request, user=officer, credential_json=answer)
    used.refresh_from_db()
    assert used.pk == stored.pk and used.sign_count == 6 and used.last_used_at is not None
    assert security_keys.has_security_key(officer)


def test_the_options_name_only_the_users_own_keys_and_keep_one_user_handle(officer: User, manager: User) -> None:
    first, second = registered(officer), registered(officer, name="Spare key")
    registered(manager)
    request = make_request(officer)
    options = json.loads(security_keys.authentication_options(request=request, user=officer))
    assert {c["id"] for c in options["allowCredentials"]} == {first.credential_id, second.credential_id}
    assert options["rpId"] == "testserver"
    creation = json.loads(security_keys.registration_options(request=request, user=officer))
    assert {c["id"] for c in creation["excludeCredentials"]} == {first.credential_id, second.credential_id}
    assert creation["user"]["id"] == first.user_handle == second.user_handle  # one handle per user, not the pk
    assert first.user_handle != str(officer.pk)


REFUSALS: dict[str, Callable[[User, SoftAuthenticator], tuple[HttpRequest, str]]] = {}


def refusal(name: str):  # type: ignore[no-untyped-def]
    def register(fn):  # type: ignore[no-untyped-def]
        REFUSALS[name] = fn
        return fn
    return register


@refusal("another origin (a phishing page)")
def _other_origin(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request = make_request(user)
    return request, key.get(security_keys.authentication_options(request=request, user=user), "https://evil.test")


@refusal("another relying party id")
def _other_rp(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request = make_request(user)
    options = security_keys.authentication_options(request=request, user=user)
    return request, key.get(options, ORIGIN, rp_id="evil.test")


@refusal("the challenge answered twice (replay)")
def _replay(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request, answer = sign_in_answer(user, key)
    security_keys.authenticate(request=request, user=user, credential_json=answer)
    security_keys.authentication_options(request=request, user=user)  # a new challenge; the old answer is stale
    return request, answer


@refusal("another session's challenge")
def _other_session(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    _, answer = sign_in_answer(user, key)
    other = make_request(user)
    security_keys.authentication_options(request=other, user=user)
    return other, answer


@refusal("no challenge in the session")
def _no_challenge(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    _, answer = sign_in_answer(user, key)
    return make_request(user), answer


@refusal("the signature counter did not go up (a copied key)")
def _counter(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request, answer = sign_in_answer(user, key)
    security_keys.authenticate(request=request, user=user, credential_json=answer)
    return sign_in_answer(user, key, count=key.sign_count)


@refusal("a broken signature")
def _signature(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request, answer = sign_in_answer(user, key)
    data = json.loads(answer)
    data["response"]["signature"] = data["response"]["signature"][:-6] + "AAAAAA"
    return request, json.dumps(data)


@refusal("a key the user never registered")
def _unknown_key(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request = make_request(user)
    options = security_keys.authentication_options(request=request, user=user)
    stranger = SoftAuthenticator()
    return request, stranger.get(json.dumps({**json.loads(options), "allowCredentials": []}), ORIGIN)


@refusal("not JSON (the key did not answer)")
def _nothing(user: User, key: SoftAuthenticator) -> tuple[HttpRequest, str]:
    request = make_request(user)
    security_keys.authentication_options(request=request, user=user)
    return request, ""


@pytest.mark.parametrize("name", list(REFUSALS))
def test_each_bad_answer_is_refused_and_audited(name: str, officer: User) -> None:
    key = SoftAuthenticator()
    stored = registered(officer, key)
    request, answer = REFUSALS[name](officer, key)
    count_before = SecurityKey.objects.get(pk=stored.pk).sign_count
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED, actor=officer).count()
    with pytest.raises(SecurityKeyError):
        security_keys.authenticate(request=request, user=officer, credential_json=answer)
    assert SecurityKey.objects.get(pk=stored.pk).sign_count == count_before
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED, actor=officer)
    assert refused.count() == failures + 1


def test_refusals_figure(officer: User) -> None:
    refused = 0
    for name, make in REFUSALS.items():
        key = SoftAuthenticator()
        registered(officer, key, name=name[:60])
        request, answer = make(officer, key)
        try:
            security_keys.authenticate(request=request, user=officer, credential_json=answer)
        except SecurityKeyError:
            refused += 1
    print(f"\nAC-8: security key sign-in: {refused} of {len(REFUSALS)} bad answers refused "
          f"({', '.join(REFUSALS)})")
    assert refused == len(REFUSALS)


def test_another_users_challenge_does_not_answer(officer: User, manager: User) -> None:
    key = SoftAuthenticator()
    registered(officer, key)
    request = make_request(officer)
    options = security_keys.authentication_options(request=request, user=officer)
    request.user = manager
    with pytest.raises(SecurityKeyError):
        security_keys.authenticate(request=request, user=manager, credential_json=key.get(options, ORIGIN))


def test_a_challenge_expires(officer: User) -> None:
    key = SoftAuthenticator()
    registered(officer, key)
    request, answer = sign_in_answer(officer, key)
    with time_machine.travel(time.time() + security_keys.CHALLENGE_SECONDS + 5, tick=False), \
            pytest.raises(SecurityKeyError, match="expired"):
        security_keys.authenticate(request=request, user=officer, credential_json=answer)


def test_registration_refuses_another_origin_a_replay_and_a_key_registered_twice(officer: User) -> None:
    key = SoftAuthenticator()
    request = make_request(officer)
    options = security_keys.registration_options(request=request, user=officer)
    with pytest.raises(SecurityKeyError):
        security_keys.register(request=request, user=officer, name="k", credential_json=key.create(
            options, "https://evil.test"))
    options = security_keys.registration_options(request=request, user=officer)
    answer = key.create(options, ORIGIN)
    security_keys.register(request=request, user=officer, name="k", credential_json=answer)
    with pytest.raises(SecurityKeyError, match="expired"):  # the challenge was used
        security_keys.register(request=request, user=officer, name="k", credential_json=answer)
    options = security_keys.registration_options(request=request, user=officer)
    with pytest.raises(SecurityKeyError, match="already registered"):
        security_keys.register(request=request, user=officer, name="k2", credential_json=key.create(options, ORIGIN))
    assert SecurityKey.objects.filter(user=officer).count() == 1


def test_removal_is_the_owners_only_and_audited(officer: User, manager: User) -> None:
    key = registered(officer)
    assert security_keys.remove(request=make_request(manager), user=manager, key_id=key.pk) is None
    assert SecurityKey.objects.filter(pk=key.pk).exists()
    assert security_keys.remove(request=make_request(officer), user=officer, key_id=key.pk) is not None
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
    summaries = list(AuditEvent.objects.filter(actor=officer, action=AuditEvent.Action.MFA)
                     .order_by("id").values_list("summary", flat=True))
    assert summaries == ["security key added: Blue key", "security key removed: Blue key"]


def test_the_audit_trail_holds_no_key_material(officer: User) -> None:
    key = SoftAuthenticator()
    stored = registered(officer, key)
    request, answer = sign_in_answer(officer, key)
    security_keys.authenticate(request=request, user=officer, credential_json=answer)
    events = AuditEvent.objects.filter(actor=officer)
    text = json.dumps(list(events.values("summary", "changes", "reason")))
    assert [e.summary for e in events.order_by("id")] == ["security key added: Blue key",
                                                          "verified with security key Blue key"]
    for secret in (stored.credential_id, stored.user_handle, json.loads(answer)["response"]["signature"],
                   bytes(stored.public_key).hex()):
        assert secret not in text


def test_the_relying_party_comes_from_the_settings() -> None:
    with override_settings(CME_WEBAUTHN_RP_ID="", ALLOWED_HOSTS=[".cme.example.org", "other.example.org"]):
        assert security_keys.rp_id() == "cme.example.org"
    with override_settings(CME_WEBAUTHN_RP_ID="Example.org", ALLOWED_HOSTS=["cme.example.org"]):
        assert security_keys.rp_id() == "example.org"
    with override_settings(CME_WEBAUTHN_RP_ID="", ALLOWED_HOSTS=["*"]), pytest.raises(ImproperlyConfigured):
        security_keys.rp_id()


def test_the_origin_must_be_the_relying_party_or_under_it(officer: User) -> None:
    hosts = ["cme.example.org", "evil.example.net"]
    with override_settings(CME_WEBAUTHN_RP_ID="cme.example.org", ALLOWED_HOSTS=hosts):
        assert security_keys.expected_origins(make_request(officer, host="cme.example.org")) == [
            "http://cme.example.org"]
        with pytest.raises(SecurityKeyError):
            security_keys.expected_origins(make_request(officer, host="evil.example.net"))
    with override_settings(CME_WEBAUTHN_ORIGINS=["https://cme.example.org"]):
        assert security_keys.expected_origins(make_request(officer)) == ["https://cme.example.org"]


def test_a_counter_that_goes_backwards_is_audited_as_a_copied_key(officer: User) -> None:
    key = SoftAuthenticator(sign_count=10)
    registered(officer, key)
    request, answer = sign_in_answer(officer, key, count=3)
    with pytest.raises(SecurityKeyError):
        security_keys.authenticate(request=request, user=officer, credential_json=answer)
    event = AuditEvent.objects.get(actor=officer, action=AuditEvent.Action.SIGN_IN_FAILED)
    assert event.summary.startswith("security key refused: its signature counter went backwards")


def test_a_key_without_a_counter_signs_in_again_and_again(officer: User) -> None:
    key = SoftAuthenticator()
    registered(officer, key)
    for _ in range(3):  # passkeys often keep no counter: 0 each time is allowed (WebAuthn L2 6.1.1)
        request, answer = sign_in_answer(officer, key, count=0)
        security_keys.authenticate(request=request, user=officer, credential_json=answer)
