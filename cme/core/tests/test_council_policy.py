"""Council policy the law leaves open is set per local authority, falling back to the service-wide setting and
then the documented default (R3.3 deletion returns, R4.2 part-time timetables, R5.4 s437(1) notices)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cme.core.tests.factories import LocalAuthorityFactory
from cme.ehe.services import sao_notice_days
from cme.notifications.validation import backdate_allowance, return_context
from cme.timetables.services import full_time_hours, max_extensions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rule", "field", "la_value", "setting", "setting_value", "read", "expected_default", "expected_la"),
    [
        ("R5.4", "sao_notice_days", 21, "CME_SAO_NOTICE_DAYS", 18, sao_notice_days, 15, 21),
        ("R4.2", "full_time_hours", Decimal("30.0"), "CME_FULL_TIME_HOURS", 31, full_time_hours, Decimal("32.5"),
         Decimal("30.0")),
        ("R4.2", "part_time_max_extensions", 4, "CME_PART_TIME_MAX_EXTENSIONS", 3, max_extensions, 2, 4),
        ("R3.3", "deletion_return_backdate_school_days", 8, "CME_DELETION_RETURN_BACKDATE_SCHOOL_DAYS", 7,
         backdate_allowance, 5, 8),
    ],
)
def test_la_setting_wins_over_the_service_setting_which_wins_over_the_default(
        settings, rule, field, la_value, setting, setting_value, read, expected_default, expected_la) -> None:  # type: ignore[no-untyped-def]
    la = LocalAuthorityFactory()
    if hasattr(settings, setting):
        delattr(settings, setting)
    assert getattr(la, field) is None
    assert read(la) == expected_default, rule
    setattr(settings, setting, setting_value)
    assert read(la) == setting_value, rule
    setattr(la, field, la_value)
    la.save()
    la.refresh_from_db()
    assert read(la) == expected_la, rule


def test_R5_4_a_council_cannot_give_less_than_the_statutory_15_days(settings) -> None:  # type: ignore[no-untyped-def]
    la = LocalAuthorityFactory(sao_notice_days=10)  # refused by the form validator; the service clamps anyway
    assert sao_notice_days(la) == 15


def test_R3_3_deletion_return_validation_uses_the_councils_backdating(settings) -> None:  # type: ignore[no-untyped-def]
    la = LocalAuthorityFactory(deletion_return_backdate_school_days=9)
    assert return_context(local_authority=la, own_laestab="9312001").backdate_school_days == 9
