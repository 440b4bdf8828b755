from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from cme.core.tests.factories import LocalAuthorityFactory
from cme.notifications.inputs import (
    DeletionReturnInput,
    NewEntrantReturnInput,
    PartnerReferralInput,
    ResidentReportInput,
)
from cme.notifications.models import Notification
from cme.notifications.tests.conftest import TODAY


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    reference = factory.Sequence(lambda n: f"CME-26-{900000 + n:06d}")
    kind = Notification.Kind.PARTNER_REFERRAL
    received_at = factory.LazyFunction(timezone.now)
    triage_due = dt.date(2026, 11, 26)
    forename = "Amelia"
    surname = "Thompson"
    summary = "Not seen at school since October."


def deletion_input(**overrides: Any) -> DeletionReturnInput:
    """A valid ground A return from School A (9312001), deleted today."""
    values: dict[str, Any] = dict(
        school_laestab="9312001", forename="Amelia", surname="Thompson", date_of_birth=dt.date(2016, 5, 14),
        sex="F", address="12 Cowley Road, Oxford", postcode="OX4 1AB", parent1_name="Sarah Thompson",
        parent1_phone="07700 900982", ground="A", deletion_date=TODAY, new_school_name="Cherwell Primary",
        new_school_laestab="9312100",
    )
    values.update(overrides)
    return DeletionReturnInput(**values)


def new_entrant_input(**overrides: Any) -> NewEntrantReturnInput:
    values: dict[str, Any] = dict(
        forename="Leo", surname="Okafor", date_of_birth=dt.date(2015, 2, 3), sex="M", address="4 Iffley Road",
        postcode="OX4 1EA", parent1_name="Grace Okafor", parent1_phone="01632 960001", start_date=TODAY, nc_year=6,
    )
    values.update(overrides)
    return NewEntrantReturnInput(**values)


def referral_input(**overrides: Any) -> PartnerReferralInput:
    values: dict[str, Any] = dict(
        referrer_agency="police", referrer_name="PC Jones", concern="whereabouts_unknown", forename="Amelia",
        surname="Thompson", date_of_birth=dt.date(2016, 5, 14), what_is_known="Family moved out; not at school.",
    )
    values.update(overrides)
    return PartnerReferralInput(**values)


def resident_input(**overrides: Any) -> ResidentReportInput:
    values: dict[str, Any] = dict(forename="Tom", address="Somewhere on Cowley Road",
                                  what_is_known="He has not been at school for weeks.")
    values.update(overrides)
    return ResidentReportInput(**values)
