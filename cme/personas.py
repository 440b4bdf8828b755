"""Personas shared by every test, loaded for the whole repository by the root conftest.py (pytest_plugins).

- `officer` and `la_admin` work for LA A (931); `outsider` is an officer of LA B (825);
- `school_user` belongs to school A; `other_school_user` to school B (both in LA A);
- `partner_user` belongs to a police organisation in LA A.
`client_for(user)` gives a test client signed in, two-factor passed (every role needs it: AUTH-3).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.children.models import School
from cme.children.tests.factories import SchoolFactory
from cme.core.models import LocalAuthority, Organisation
from cme.core.tests.factories import LocalAuthorityFactory, OrganisationFactory


@pytest.fixture
def la(db: None) -> LocalAuthority:
    return LocalAuthorityFactory(code="931", name="Testshire")


@pytest.fixture
def other_la(db: None) -> LocalAuthority:
    return LocalAuthorityFactory(code="825", name="Otherton")


@pytest.fixture
def school(la: LocalAuthority) -> School:
    org = OrganisationFactory(local_authority=la, kind=Organisation.Kind.SCHOOL, partner_type="", name="School A",
                              laestab="9312001")
    return SchoolFactory(local_authority=la, organisation=org, laestab="9312001", name="School A Primary")


@pytest.fixture
def other_school(la: LocalAuthority) -> School:
    org = OrganisationFactory(local_authority=la, kind=Organisation.Kind.SCHOOL, partner_type="", name="School B",
                              laestab="9312002")
    return SchoolFactory(local_authority=la, organisation=org, laestab="9312002", name="School B Primary")


@pytest.fixture
def officer(la: LocalAuthority) -> User:
    return UserFactory(email="officer@example.org", role=Role.CME_OFFICER, local_authority=la)


@pytest.fixture
def manager(la: LocalAuthority) -> User:
    return UserFactory(email="manager@example.org", role=Role.ATTENDANCE_MANAGER, local_authority=la)


@pytest.fixture
def la_admin(la: LocalAuthority) -> User:
    return UserFactory(email="admin@example.org", role=Role.SYSTEM_ADMIN, local_authority=la, is_superuser=True)


@pytest.fixture
def outsider(other_la: LocalAuthority) -> User:
    return UserFactory(email="outsider@example.org", role=Role.CME_OFFICER, local_authority=other_la)


@pytest.fixture
def school_user(la: LocalAuthority, school: School) -> User:
    return UserFactory(email="school@example.org", role=Role.SCHOOL_USER, local_authority=la,
                       organisation=school.organisation)


@pytest.fixture
def other_school_user(la: LocalAuthority, other_school: School) -> User:
    return UserFactory(email="school2@example.org", role=Role.SCHOOL_USER, local_authority=la,
                       organisation=other_school.organisation)


@pytest.fixture
def partner_user(la: LocalAuthority) -> User:
    org = OrganisationFactory(local_authority=la, name="Police")
    return UserFactory(email="police@example.org", role=Role.PARTNER_USER, local_authority=la, organisation=org)


@pytest.fixture
def readonly_manager(la: LocalAuthority) -> User:
    return UserFactory(email="readonly@example.org", role=Role.READONLY_MANAGER, local_authority=la)


@pytest.fixture
def panel_member(la: LocalAuthority) -> User:
    return UserFactory(email="panel@example.org", role=Role.PANEL_MEMBER, local_authority=la)


@pytest.fixture
def dpo(la: LocalAuthority) -> User:
    """The data protection officer of LA A (the only role that sees a record under Art 18 restriction)."""
    return UserFactory(email="dpo@example.org", role=Role.DATA_PROTECTION_OFFICER, local_authority=la)


def sign_in(client: Client, user: User) -> Client:
    """The session a real sign-in leaves: password and second factor passed, and the session clock started (the
    sign-in pages' own requests set it before the first page of the service)."""
    client.force_login(user)
    session = client.session
    if user.requires_mfa:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Test app", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_STARTED] = session[SESSION_LAST_SEEN] = time.time()
    session.save()
    return client


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return sign_in(Client(), user)

    return make
