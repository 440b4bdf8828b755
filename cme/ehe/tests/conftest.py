from __future__ import annotations

import pytest

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.core.models import LocalAuthority


@pytest.fixture
def ehe_officer(la: LocalAuthority) -> User:
    return UserFactory(email="ehe@example.org", role=Role.EHE_OFFICER, local_authority=la)

