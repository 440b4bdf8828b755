from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.core.models import LocalAuthority


@pytest.fixture
def ehe_officer(la: LocalAuthority) -> User:
    return UserFactory(email="ehe@example.org", role=Role.EHE_OFFICER, local_authority=la)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    """Uploaded files go to a temporary folder per test (the storage follows the setting_changed signal)."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
