"""EHE register services: the record keeps the child's EHE period in step, so the derived status is right
(R5.2, R5.5); the SAO pathway (R5.3, R5.4); the two concern routes; audit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import EducationOtherwise
from cme.children.selectors import child_status
from cme.children.status import EducationStatus
from cme.children.tests.factories import EnrolmentFactory, SchoolFactory
from cme.ehe import services
from cme.ehe.models import EHEConcern, EHERecord, SAOStage, SuitabilityEnquiry
from cme.ehe.tests.factories import child_with_parents, open_record
from cme.notifications.models import Notification
from cme.notifications.services import Reported, notification_receive

TODAY = dt.date(2026, 3, 2)


def test_opening_a_record_starts_the_childs_ehe_period_and_annual_contact(ehe_officer: User) -> None:
    record = open_record(ehe_officer, start=dt.date(2026, 1, 12))
    period = record.education_otherwise
    assert period is not None and period.kind == "ehe" and period.start == dt.date(2026, 1, 12)
    assert period.end is None and period.suitability == "unknown"
    assert record.next_annual_contact == dt.date(2027, 1, 12)
    assert child_status(record.child, dt.date(2026, 2, 1)) == EducationStatus.EHE
    assert AuditEvent.objects.filter(action="create", object_type="ehe.eherecord", child_id=record.child_id).exists()


def test_an_existing_open_ehe_period_is_adopted_not_duplicated(ehe_officer: User) -> None:
    child = child_with_parents(ehe_officer.local_authority)
    existing = EducationOtherwise.objects.create(child=child, kind="ehe", start=dt.date(2025, 9, 1), source="feed")
    record = open_record(ehe_officer, child, start=dt.date(2025, 9, 2))
    assert record.education_otherwise_id == existing.pk
    assert EducationOtherwise.objects.filter(child=child).count() == 1


def test_a_child_has_one_open_record_at_a_time(ehe_officer: User) -> None:
    record = open_record(ehe_officer)
    with pytest.raises(services.EHEError, match="already has an open EHE record"):
        open_record(ehe_officer, record.child)


def test_educating_parents_must_be_the_childs_own_contacts(ehe_officer: User) -> None:
    child = child_with_parents(ehe_officer.local_authority)
    mother = child.child_contacts.get(relationship="mother").contact
    record = open_record(ehe_officer, child, educating_parent_ids=[mother.pk])
    assert list(record.educating_parents.all()) == [mother]
    stranger = child_with_parents(ehe_officer.local_authority).child_contacts.first().contact
    with pytest.raises(services.EHEError, match="own contacts"):
        services.ehe_record_update(actor=Auditor.for_user(ehe_officer), record=record,
                                   educating_parent_ids=[stranger.pk])


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
def test_R5_5_unsuitable_education_and_no_roll_place_makes_the_child_cme(ehe_officer: User) -> None:
    record = open_record(ehe_officer)
    assert child_status(record.child, TODAY) == EducationStatus.EHE
    record = services.ehe_mark_unsuitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                                          reason="No information provided")
    record.refresh_from_db()
    assert record.suitability == "not_suitable" and record.suitability_decided_on == TODAY
    assert record.education_otherwise.suitability == "not_suitable"
    child = record.child
    assert child_status(child, TODAY) == EducationStatus.CME
    event = AuditEvent.objects.filter(object_type="ehe.eherecord", action="update").latest("id")
    assert event.child_id == child.pk and event.changes == {"suitability": ["not_assessed", "not_suitable"]}


def test_R5_5_unsuitable_education_with_a_roll_place_is_not_cme(ehe_officer: User) -> None:
    record = open_record(ehe_officer, start=dt.date(2026, 1, 12))
    EnrolmentFactory(child=record.child, school=SchoolFactory(local_authority=ehe_officer.local_authority),
                     start=dt.date(2026, 2, 1))
    services.ehe_mark_unsuitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record, reason="x")
    assert child_status(record.child, TODAY) == EducationStatus.ON_ROLL


def test_R5_2_suitable_education_keeps_the_child_out_of_cme(ehe_officer: User) -> None:
    record = open_record(ehe_officer)
    services.ehe_mark_unsuitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record, reason="x")
    services.ehe_mark_suitable(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                               reason="Report received")
    assert child_status(record.child, TODAY) == EducationStatus.EHE


def test_mark_unsuitable_needs_a_reason_and_an_open_record(ehe_officer: User) -> None:
    record = open_record(ehe_officer)
    actor = Auditor.for_user(ehe_officer)
    with pytest.raises(services.EHEError, match="reason"):
        services.ehe_mark_unsuitable(actor=actor, user=ehe_officer, record=record, reason=" ")
    services.ehe_record_end(actor=actor, user=ehe_officer, record=record, ended_on=dt.date(2026, 2, 1),
                            end_reason="school")
    with pytest.raises(services.EHEError, match="ended"):
        services.ehe_mark_unsuitable(actor=actor, user=ehe_officer, record=record, reason="x")


def test_ending_the_record_ends_the_ehe_period(ehe_officer: User) -> None:
    record = open_record(ehe_officer, start=dt.date(2026, 1, 12))
    with pytest.raises(services.EHEError, match="on or after"):
        services.ehe_record_end(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                                ended_on=dt.date(2026, 1, 1), end_reason="moved_away")
    services.ehe_record_end(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                            ended_on=dt.date(2026, 2, 6), end_reason="moved_away")
    period = EducationOtherwise.objects.get(pk=record.education_otherwise_id)
    assert period.end == dt.date(2026, 2, 6)
    assert child_status(record.child, dt.date(2026, 2, 6)) == EducationStatus.EHE
    assert child_status(record.child, dt.date(2026, 2, 9)) == EducationStatus.CME  # on no roll, nothing else known


def test_annual_contact_moves_the_next_one_a_year_on(ehe_officer: User) -> None:
    record = open_record(ehe_officer, start=dt.date(2025, 1, 6))
    services.ehe_contact_record(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                                contact_on=dt.date(2026, 1, 1), method="home_visit", is_annual_contact=True)
    assert record.next_annual_contact == dt.date(2027, 1, 4)  # 1 Jan 2027 is a bank holiday
    services.ehe_contact_record(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                                contact_on=dt.date(2026, 2, 1), method="phone")
    assert record.next_annual_contact == dt.date(2027, 1, 4)
    assert record.contacts.count() == 2


@pytest.mark.parametrize(
    "outcome, suitability, status",
    [("suitable", "suitable", EducationStatus.EHE), ("not_suitable", "not_suitable", EducationStatus.CME),
     ("no_information", "not_suitable", EducationStatus.CME)],
    ids=["R5.2-suitable", "R5.5-not-suitable", "R5.3-no-information"],
)
@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
def test_enquiry_outcome_decides_suitability(ehe_officer: User, outcome: str, suitability: str,
                                             status: EducationStatus) -> None:
    record = open_record(ehe_officer)
    actor = Auditor.for_user(ehe_officer)
    enquiry = services.suitability_enquiry_record(actor=actor, user=ehe_officer, record=record,
                                                  made_on=dt.date(2026, 2, 1), method="letter")
    services.suitability_enquiry_outcome(actor=actor, user=ehe_officer, enquiry=enquiry, outcome=outcome,
                                         outcome_on=dt.date(2026, 2, 20), information_received="Report")
    record.refresh_from_db()
    assert record.suitability == suitability
    assert child_status(record.child, TODAY) == status
    with pytest.raises(services.EHEError, match="already has an outcome"):
        services.suitability_enquiry_outcome(actor=actor, user=ehe_officer, enquiry=enquiry, outcome="suitable",
                                             outcome_on=dt.date(2026, 2, 21))


def test_R5_4_sao_pathway_needs_unsuitable_education_and_follows_its_order(ehe_officer: User, settings) -> None:  # type: ignore[no-untyped-def]
    record = open_record(ehe_officer)
    actor = Auditor.for_user(ehe_officer)
    with pytest.raises(services.EHEError, match="does not appear suitable"):
        services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="notice_437_1",
                                  served_on=dt.date(2026, 3, 2))
    services.ehe_mark_unsuitable(actor=actor, user=ehe_officer, record=record, reason="No information (R5.3)")
    with pytest.raises(services.EHEError, match="starts with"):
        services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="sao_437_3",
                                  served_on=dt.date(2026, 3, 2), school_named="X")
    notice = services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="notice_437_1",
                                       served_on=dt.date(2026, 3, 2))
    assert notice.response_due == dt.date(2026, 3, 17)
    with pytest.raises(services.EHEError, match="has until 17 March 2026"):
        services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="intention_438",
                                  served_on=dt.date(2026, 3, 10))
    services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="intention_438",
                              served_on=dt.date(2026, 3, 18), school_named="Riverside")
    with pytest.raises(services.EHEError, match="Name the school"):
        services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="sao_437_3",
                                  served_on=dt.date(2026, 4, 20))
    services.sao_stage_record(actor=actor, user=ehe_officer, record=record, stage="sao_437_3",
                              served_on=dt.date(2026, 4, 20), school_named="Riverside")
    assert list(record.sao_stages.values_list("stage", flat=True)) == ["notice_437_1", "intention_438", "sao_437_3"]
    assert AuditEvent.objects.filter(object_type="ehe.saostage", child_id=record.child_id).count() == 3


def test_R5_4_notice_days_is_a_setting_never_below_15(ehe_officer: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CME_SAO_NOTICE_DAYS = 21
    assert services.sao_notice_days(ehe_officer.local_authority) == 21
    settings.CME_SAO_NOTICE_DAYS = 7
    assert services.sao_notice_days(ehe_officer.local_authority) == 15


def test_safety_concern_goes_to_the_mash_with_its_social_care_outcome(ehe_officer: User) -> None:
    record = open_record(ehe_officer)
    actor = Auditor.for_user(ehe_officer)
    with pytest.raises(services.EHEError, match="MASH referral"):
        services.ehe_concern_record(actor=actor, user=ehe_officer, record=record, kind="safety",
                                    raised_on=dt.date(2026, 2, 2), description="Bruising seen")
    concern = services.ehe_concern_record(actor=actor, user=ehe_officer, record=record, kind="safety",
                                          raised_on=dt.date(2026, 2, 2), description="Bruising seen",
                                          mash_referral_on=dt.date(2026, 2, 2), mash_reference="M-1")
    assert concern.social_care_outcome == "awaiting" and concern.enquiry is None
    assert concern.route == "MASH referral"
    services.ehe_concern_outcome(actor=actor, user=ehe_officer, concern=concern, outcome="s47",
                                 outcome_on=dt.date(2026, 2, 5), notes="Strategy meeting held")
    concern.refresh_from_db()
    assert concern.social_care_outcome == "s47"
    assert AuditEvent.objects.filter(object_type="ehe.eheconcern", child_id=record.child_id).count() == 2


def test_quality_only_concern_starts_a_suitability_enquiry(ehe_officer: User) -> None:
    record = open_record(ehe_officer)
    concern = services.ehe_concern_record(actor=Auditor.for_user(ehe_officer), user=ehe_officer, record=record,
                                          kind="quality", raised_on=dt.date(2026, 2, 2),
                                          description="Little evidence of maths")
    assert concern.enquiry is not None and concern.enquiry.outcome == SuitabilityEnquiry.Outcome.PENDING
    assert concern.mash_referral_on is None
    with pytest.raises(services.EHEError, match="Only safety"):
        services.ehe_concern_outcome(actor=Auditor.for_user(ehe_officer), user=ehe_officer, concern=concern,
                                     outcome="nfa", outcome_on=dt.date(2026, 2, 3))
    assert EHEConcern.objects.count() == 1 and SAOStage.objects.count() == 0


def test_R5_5_opening_from_a_ground_f_deletion_return_triages_it_to_the_ehe_team(ehe_officer: User) -> None:
    child = child_with_parents(ehe_officer.local_authority)
    notification = notification_receive(
        actor=Auditor.system("test"), local_authority=ehe_officer.local_authority, kind="deletion_return",
        reported=Reported(forename="Amelia", surname="Thompson", upn=child.upn), deletion_ground="F",
        deletion_date=dt.date(2026, 1, 9),
    )
    assert notification.child == child
    record = open_record(ehe_officer, child, notification=notification, source="school_deletion",
                         start=dt.date(2026, 1, 10))
    notification.refresh_from_db()
    assert record.notification == notification
    assert notification.status == Notification.Status.TRIAGED and notification.outcome == "ehe_team"
    assert EHERecord.objects.get().source == "school_deletion"
