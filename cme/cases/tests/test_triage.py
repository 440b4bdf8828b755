"""Contracts with intake (triage outcomes 'new case' and 'add to a case') and with the EHE register (R5.5)."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases.models import Case, CaseType
from cme.cases.tests.factories import open_case
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.notifications.models import Notification
from cme.notifications.services import Reported, notification_receive


def receive(user: User, *, child: Child | None = None, **reported: object) -> Notification:
    details = {"forename": "Lily", "surname": "Evans", "date_of_birth": dt.date(2015, 6, 1), **reported}
    return notification_receive(actor=Auditor.for_user(user), local_authority=user.local_authority,
                                kind=Notification.Kind.RESIDENT_REPORT, reported=Reported(**details),  # type: ignore[arg-type]
                                summary="Not seen at school", child=child, attach_duplicates=False, notify=False,
                                escalate=False)


def test_new_case_from_a_notification_with_a_matched_child(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority)
    notification = receive(officer, child=child)
    response = client_for(officer).post(reverse("cases:open-from-notification", args=[notification.pk]))
    case = Case.objects.get(child=child)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    notification.refresh_from_db()
    assert notification.outcome == Notification.Outcome.NEW_CASE and notification.status == "triaged"
    assert case.case_notifications.get().opened_case


def test_new_case_from_a_notification_creates_the_child_from_the_reported_details(client_for,  # type: ignore[no-untyped-def]
                                                                                   officer: User) -> None:
    notification = receive(officer, postcode="OX4 1AB")
    client_for(officer).post(reverse("cases:open-from-notification", args=[notification.pk]))
    notification.refresh_from_db()
    child = notification.child
    assert child is not None and child.legal_forename == "Lily" and child.date_of_birth == dt.date(2015, 6, 1)
    assert Case.objects.filter(child=child).exists()


def test_a_notification_without_a_date_of_birth_cannot_make_a_child(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    notification = receive(officer, date_of_birth=None)
    response = client_for(officer).post(reverse("cases:open-from-notification", args=[notification.pk]),
                                        follow=True)
    assert "does not give the child&#39;s name and date of birth" in response.content.decode()
    assert not Case.objects.exists()
    notification.refresh_from_db()
    assert notification.status == "new"


def test_a_duplicate_referral_is_attached_to_the_open_case_not_duplicated(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    notification = receive(officer, child=case.child)
    response = client_for(officer).post(reverse("cases:open-from-notification", args=[notification.pk]))
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert Case.objects.count() == 1
    notification.refresh_from_db()
    assert notification.outcome == Notification.Outcome.ADDED_TO_CASE
    assert case.notes.filter(text__contains=notification.reference).exists()


def test_add_a_notification_to_a_chosen_case(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    notification = receive(officer)
    response = client_for(officer).post(reverse("cases:add-notification", args=[notification.pk]),
                                        {"case": case.reference})  # as shown: CASE-000001
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    notification.refresh_from_db()
    assert notification.child == case.child and notification.outcome == Notification.Outcome.ADDED_TO_CASE


def test_a_notification_about_another_child_is_not_added(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    notification = receive(officer, child=ChildFactory(local_authority=officer.local_authority))
    response = client_for(officer).post(reverse("cases:add-notification", args=[notification.pk]),
                                        {"case": case.pk})
    assert response["Location"] == reverse("notifications:triage-detail", args=[notification.pk])
    notification.refresh_from_db()
    assert notification.status == "new"


def test_a_triaged_notification_cannot_open_a_case_twice(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority)
    notification = receive(officer, child=child)
    client = client_for(officer)
    client.post(reverse("cases:open-from-notification", args=[notification.pk]))
    response = client.post(reverse("cases:open-from-notification", args=[notification.pk]), follow=True)
    assert "was already triaged" in response.content.decode()
    assert Case.objects.count() == 1


def test_triage_views_are_scoped_and_permissioned(client_for, officer: User, outsider: User,  # type: ignore[no-untyped-def]
                                                  ehe_officer: User, partner_user: User) -> None:
    notification = receive(officer)
    assert client_for(outsider).post(reverse("cases:open-from-notification", args=[notification.pk])
                                     ).status_code == 404
    assert client_for(ehe_officer).post(reverse("cases:open-from-notification", args=[notification.pk])
                                        ).status_code == 403  # may triage, may not work cases
    assert client_for(partner_user).post(reverse("cases:open-from-notification", args=[notification.pk])
                                         ).status_code == 403
    case = open_case(user=officer)
    assert client_for(outsider).post(reverse("cases:add-notification", args=[notification.pk]),
                                     {"case": case.pk}).status_code == 404


# --- EHE: education not suitable, child on no roll (R5.5) --------------------------------------------------------

needs_ehe = pytest.mark.skipif(importlib.util.find_spec("cme.ehe.services") is None,
                               reason="cme.ehe.services (the EHE register, built alongside) is not there yet")


def _ehe_record(officer: User, child: Child):  # type: ignore[no-untyped-def]
    from cme.ehe.models import EHERecord
    from cme.ehe.services import ehe_record_open

    return ehe_record_open(actor=Auditor.for_user(officer), user=officer, child=child,
                           start_date=dt.date(2026, 9, 1), source=EHERecord.Source.PARENT)


@needs_ehe
def test_open_from_ehe_marks_unsuitable_and_opens_a_case(client_for, manager: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=manager.local_authority)
    record = _ehe_record(manager, child)
    response = client_for(manager).post(reverse("cases:open-from-ehe", args=[record.pk]),
                                        {"reason": "No response to three letters"})
    case = Case.objects.get(child=child)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.case_type == CaseType.EHE_NOT_SUITABLE
    record.refresh_from_db()
    assert record.suitability == "not_suitable"
    assert case.enquiries.count() == 6


@needs_ehe
def test_the_ehe_officer_opens_the_case_after_finding_the_education_unsuitable(client_for,  # type: ignore[no-untyped-def]
                                                                                ehe_officer: User) -> None:
    from cme.ehe.services import ehe_mark_unsuitable

    child = ChildFactory(local_authority=ehe_officer.local_authority)
    record = _ehe_record(ehe_officer, child)
    ehe_mark_unsuitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                        reason="Refused all contact")
    response = client_for(ehe_officer).post(reverse("cases:open-from-ehe", args=[record.pk]))
    case = Case.objects.get(child=child)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert "Refused all contact" in case.summary
    record.refresh_from_db()
    assert record.suitability_reason == "Refused all contact"


@needs_ehe
def test_open_from_ehe_needs_a_reason_when_the_ehe_team_has_not_decided(client_for, manager: User) -> None:  # type: ignore[no-untyped-def]
    record = _ehe_record(manager, ChildFactory(local_authority=manager.local_authority))
    response = client_for(manager).post(reverse("cases:open-from-ehe", args=[record.pk]), follow=True)
    assert "Give the reason" in response.content.decode() and not Case.objects.exists()


@needs_ehe
def test_open_from_ehe_refuses_a_child_on_roll_and_changes_nothing(client_for, manager: User, school) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=manager.local_authority)
    record = _ehe_record(manager, child)
    EnrolmentFactory(child=child, school=school, start=timezone.localdate() - dt.timedelta(days=10))
    response = client_for(manager).post(reverse("cases:open-from-ehe", args=[record.pk]), {"reason": "x"},
                                        follow=True)
    assert "on a school roll" in response.content.decode()
    record.refresh_from_db()
    assert record.suitability != "not_suitable" and not Case.objects.exists()


@needs_ehe
def test_open_from_ehe_is_scoped(client_for, manager: User, officer: User, other_la) -> None:  # type: ignore[no-untyped-def]
    from cme.accounts.roles import Role
    from cme.accounts.tests.factories import UserFactory

    record = _ehe_record(manager, ChildFactory(local_authority=manager.local_authority))
    other_manager = UserFactory(role=Role.ATTENDANCE_MANAGER, local_authority=other_la)
    assert client_for(other_manager).post(reverse("cases:open-from-ehe", args=[record.pk])).status_code == 404
    assert client_for(officer).post(reverse("cases:open-from-ehe", args=[record.pk])).status_code == 403
