"""AC-6 (SECURITY-PLAN; ASVS v5.0.0 8.2.1/8.2.2): a partner may submit a referral but must not learn from the answer
whether the child is known: no matching oracle.

The partner refers four children, in the browser and through the API: one nobody knows; one on the register
(matched by UPN and linked at once); one on the register with a risk flag that needs an immediate referral (the
queue item is escalated); and one another agency has already referred (the referral is attached to that one).
Everything the partner is shown (the redirect, the confirmation and its page, the list of what it has sent, the
acknowledgement email, the API receipt) is compared once the values it typed itself and the reference are
taken out: it must be the same for the four. The matching itself still happens (the officer's side is checked).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.api.services import api_token_issue
from cme.audit.services import Auditor
from cme.children.models import RiskFlagType
from cme.children.tests.factories import ChildFactory, RiskFlagFactory
from cme.core.tests.factories import OrganisationFactory
from cme.law import upn as upns
from cme.notifications.models import Notification
from cme.notifications.services.routes import partner_referral_submit
from cme.notifications.tests.factories import referral_input

pytestmark = pytest.mark.django_db

CHILDREN = {  # scenario -> (forename, surname, date of birth, UPN)
    "unknown": ("Idris", "Okafor", dt.date(2014, 3, 2), upns.make_upn("825", "2001", 20, 41)),
    "known": ("Maya", "Fenwick", dt.date(2013, 7, 9), upns.make_upn("825", "2001", 20, 42)),
    "known with an urgent risk flag": ("Leo", "Brannigan", dt.date(2012, 1, 21), upns.make_upn("825", "2001", 20, 43)),
    "already referred by another agency": ("Zara", "Quayle", dt.date(2015, 11, 30),
                                           upns.make_upn("825", "2001", 20, 44)),
}


@pytest.fixture
def register(la: Any, partner_user: User, officer: User) -> None:
    _, _, dob, upn = CHILDREN["known"]
    ChildFactory(local_authority=la, legal_forename="Maya", legal_surname="Fenwick", date_of_birth=dob, upn=upn)
    forename, surname, dob, upn = CHILDREN["known with an urgent risk flag"]
    flagged = ChildFactory(local_authority=la, legal_forename=forename, legal_surname=surname, date_of_birth=dob,
                           upn=upn)
    urgent = RiskFlagType.objects.filter(needs_immediate_referral=True, is_active=True).first()
    assert urgent is not None
    RiskFlagFactory(child=flagged, flag_type=urgent)
    forename, surname, dob, upn = CHILDREN["already referred by another agency"]

    other = UserFactory(email="health@example.org", role=Role.PARTNER_USER, local_authority=la,
                        organisation=OrganisationFactory(local_authority=la, name="Health visitors"))
    partner_referral_submit(actor=Auditor.for_user(other), user=other, notify=False, data=referral_input(
        forename=forename, surname=surname, date_of_birth=dob, upn=upn))


def _typed(scenario: str) -> dict[str, str]:
    forename, surname, dob, upn = CHILDREN[scenario]
    return {"forename": forename, "surname": surname, "date_of_birth-day": str(dob.day),
            "date_of_birth-month": str(dob.month), "date_of_birth-year": str(dob.year), "upn": upn}


def _normalise(text: str, scenario: str, references: list[str], pks: list[int]) -> str:
    forename, surname, dob, upn = CHILDREN[scenario]
    for value in (forename, surname, upn, f"{dob.day} {dob:%B %Y}", dob.isoformat(), *references):
        text = text.replace(value, "<typed>")
    for pk in pks:
        text = re.sub(rf"/{pk}/", "/<pk>/", text)
    text = re.sub(r"nonce-[^']+'|nonce=\"[^\"]+\"", "nonce", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    return re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4}( at [0-9:apm.]+)?", "<date>", text)


def _browser(client: Client, scenario: str, partner: User,
             mailoutbox: list[Any]) -> tuple[dict[str, Any], Notification]:
    form = {"referrer_agency": "police", "referrer_name": "PC Jones", "concern": "whereabouts_unknown",
            "what_is_known": "Not seen for a month.", **_typed(scenario)}
    posted = client.post(reverse("notifications:referral-new"), form)
    n = Notification.objects.filter(submitted_by=partner).latest("pk")
    page = client.get(posted["Location"])
    listing = client.get(reverse("notifications:my-submissions")).content.decode()
    refs, pks = [n.reference], [n.pk]
    mails = [m.body for m in mailoutbox if n.reference in m.subject]
    return {
        "redirect": (posted.status_code, _normalise(posted["Location"], scenario, refs, pks)),
        "page": (page.status_code, _normalise(page.content.decode(), scenario, refs, pks)),
        "listing": _normalise(_rows_of(listing, refs), scenario, refs, pks),
        "email": [_normalise(body, scenario, refs, pks) for body in mails],
    }, n


def _api(token: str, scenario: str, partner: User) -> tuple[dict[str, Any], Notification]:
    forename, surname, dob, upn = CHILDREN[scenario]
    response = Client().post("/api/v1/referrals", {
        "referrer_agency": "police", "referrer_name": "PC Jones", "concern": "whereabouts_unknown",
        "forename": forename, "surname": surname, "date_of_birth": dob.isoformat(), "upn": upn,
        "what_is_known": "Not seen for a month."}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}")
    receipt = {k: v for k, v in response.json().items() if k not in ("reference", "received_at")}
    return {"api": (response.status_code, sorted(receipt.items()))}, Notification.objects.filter(
        submitted_by=partner).latest("pk")


@pytest.mark.parametrize("channel", ["browser", "api"])
def test_ac6_the_answer_is_the_same_for_a_known_and_an_unknown_child(channel: str, register: None,
                                                                     partner_user: User, la_admin: User, client_for,
                                                                     mailoutbox) -> None:  # type: ignore[no-untyped-def]
    _, token = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=partner_user,
                               name="AC-6")
    seen: dict[str, dict[str, Any]] = {}
    known: dict[str, tuple[bool, str, bool]] = {}
    for scenario in CHILDREN:
        if channel == "browser":
            answer, n = _browser(client_for(partner_user), scenario, partner_user, mailoutbox)
        else:
            answer, n = _api(token, scenario, partner_user)
        seen[scenario] = answer
        known[scenario] = (n.child_id is not None, n.status, n.is_urgent or bool(n.duplicate_of and
                                                                                  n.duplicate_of.is_urgent))
    keys = sorted(next(iter(seen.values())))
    distinct = {key: len({repr(v[key]) for v in seen.values()}) for key in keys}
    print(f"\nAC-6 {channel}: 4 referrals (unknown, known, known + urgent flag, already referred); distinct "  # noqa: T201
          f"answers {distinct}; what the service knows (linked, status, urgent): {list(known.values())}")
    # The service did tell these apart (linked, escalated, attached) ...
    assert not known["unknown"][0] and known["unknown"][1] == Notification.Status.NEW
    assert known["known"][0] and known["known with an urgent risk flag"][2]
    assert known["already referred by another agency"][1] == Notification.Status.ATTACHED
    # ... and the partner was told the same thing each time.
    for key, count in distinct.items():
        assert count == 1, (key, {s: v[key] for s, v in seen.items()})


def _rows_of(html: str, references: list[str]) -> str:
    """The rows of the submissions list about these references."""
    rows = re.findall(r"<tr class=\"govuk-table__row\">.*?</tr>", html, flags=re.DOTALL)
    return "\n".join(row for row in rows if any(ref in row for ref in references))
