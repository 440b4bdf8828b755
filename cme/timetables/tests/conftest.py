from __future__ import annotations

import datetime as dt

import pytest

from cme.core.calendar import default_term_dates
from cme.core.models import ClosureDay, LocalAuthority, TermDate

#: An INSET day: Monday 1 June 2026, the first day after the May half-term.
INSET = dt.date(2026, 6, 1)


@pytest.fixture
def terms(la: LocalAuthority) -> LocalAuthority:
    """The LA's term dates for 2025/26 and 2026/27 (the default England pattern) and one INSET day."""
    for year in (2025, 2026):
        for i, (start, end) in enumerate(default_term_dates(year)):
            TermDate.objects.create(local_authority=la, name=f"{year} half-term {i + 1}", start=start, end=end)
    ClosureDay.objects.create(local_authority=la, day=INSET, reason="INSET")
    return la

# Browser journeys (marked "system") use the Playwright fixtures of tests/system.
from tests.system.conftest import browser, check, page  # noqa: E402, F401


@pytest.fixture
def ehe_officer(la: LocalAuthority):  # type: ignore[no-untyped-def]
    from cme.accounts.tests.factories import UserFactory

    return UserFactory(email="ehe@example.org", role="ehe_officer", local_authority=la)
