"""Two councils for the JSON API tests (AC-9 BOLA fuzz, VAL-1 API fuzz), with an API token for every user.

Council A (931) and council B (825) each have a school with its organisation, a partner agency, one user of every
role (the school user at the council's first school) and an API token for each (the way systems call the API; a
token acts as its user, so the same policy and scoped querysets apply). Council A also has a second school with
its own school user. Children (surnames "Aldous" in A, "Bexley" in B; half of A's at each school), an open case for
each child, a referral, and feed sources: "health" in both councils (slugs are per council) and "a-only" in A.
The schema is loaded in-process (schemathesis calls the WSGI application) and a request counter is kept from
Django's request signal, so checks that send requests of their own are counted too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from schemathesis.config import SchemathesisConfig

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.api.services import api_token_issue
from cme.audit.services import Auditor
from cme.cases.models import Case
from cme.cases.tests.factories import open_case
from cme.children.models import Child, School
from cme.children.tests.factories import ChildFactory, EnrolmentFactory, SchoolFactory
from cme.core.models import LocalAuthority, Organisation
from cme.core.tests.factories import LocalAuthorityFactory, OrganisationFactory
from cme.feeds.models import FeedSource
from cme.notifications.tests.factories import NotificationFactory
from cme.wsgi import application

COUNCIL_A, COUNCIL_B = "931", "825"
SURNAMES = {COUNCIL_A: "Aldous", COUNCIL_B: "Bexley"}
CHILDREN_PER_COUNCIL = 6

#: Refusals on business rules the document cannot express ("give a name or a UPN", "date of birth in the past",
#: a file whose content is not what its name says) are 422 with the common error body, so schema-valid data may be
#: refused with 422 (and 409 when the daily run holds the import lock): positive_data_acceptance allows them.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)

REQUESTS: Counter[str] = Counter()


def _count(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    REQUESTS["all"] += 1


@dataclass
class Council:
    la: LocalAuthority
    schools: list[School]
    users: dict[str, User]
    tokens: dict[str, str]  # role -> full bearer token
    children: list[Child] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    second_school_user: User | None = None
    second_school_token: str = ""

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _council(code: str, name: str, schools: int) -> Council:
    la = LocalAuthorityFactory(code=code, name=name)
    built = []
    for number in range(1, schools + 1):
        laestab = f"{code}{2000 + number}"
        org = OrganisationFactory(local_authority=la, kind=Organisation.Kind.SCHOOL, partner_type="",
                                  name=f"{name} School {number}", laestab=laestab)
        built.append(SchoolFactory(local_authority=la, organisation=org, laestab=laestab,
                                   name=f"{name} Primary {number}"))
    partner = OrganisationFactory(local_authority=la, name=f"{name} Police")
    users = {}
    for role in Role:
        org = {Role.SCHOOL_USER: built[0].organisation, Role.PARTNER_USER: partner}.get(role)
        users[role.value] = UserFactory(email=f"{role.value}@{code}.example.org", role=role, local_authority=la,
                                        organisation=org)
    admin = users[Role.SYSTEM_ADMIN]
    tokens = {role: api_token_issue(actor=Auditor.for_user(admin), created_by=admin, service_account=user,
                                    name=f"{role} system")[1] for role, user in users.items()}
    council = Council(la=la, schools=built, users=users, tokens=tokens)
    for index in range(CHILDREN_PER_COUNCIL):
        child = ChildFactory(local_authority=la, legal_surname=SURNAMES[code], legal_forename=f"Pupil{index}")
        EnrolmentFactory(child=child, school=built[index % schools])
        council.children.append(child)
        council.cases.append(open_case(user=users[Role.CME_OFFICER], child=child))
    NotificationFactory(local_authority=la)
    FeedSource.objects.create(local_authority=la, slug="health", name="Health", kind=FeedSource.Kind.CSV,
                              source="health", transport=FeedSource.Transport.UPLOAD)
    return council


def seed() -> dict[str, Council]:
    a = _council(COUNCIL_A, "Testshire", schools=2)
    FeedSource.objects.create(local_authority=a.la, slug="a-only", name="Council A only", kind=FeedSource.Kind.CSV,
                              source="a-only", transport=FeedSource.Transport.UPLOAD)
    second = UserFactory(email=f"school2@{COUNCIL_A}.example.org", role=Role.SCHOOL_USER, local_authority=a.la,
                         organisation=a.schools[1].organisation)
    admin = a.users[Role.SYSTEM_ADMIN]
    a.second_school_user = second
    a.second_school_token = api_token_issue(actor=Auditor.for_user(admin), created_by=admin,
                                            service_account=second, name="School 2 system")[1]
    b = _council(COUNCIL_B, "Otherton", schools=1)
    return {"A": a, "B": b}


@contextmanager
def councils_built(django_db_blocker: Any) -> Iterator[dict[str, Council]]:
    """For a module fixture: built once inside a transaction rolled back at the end. Schemathesis calls the WSGI
    application, so Django's request signals would close the test's database connection after each call: those
    handlers are disconnected meanwhile (as the test client does), and a request counter is connected instead."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.connect(_count)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.disconnect(_count)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
