"""Routes in, duplicates, safeguarding escalation and every triage outcome (the service layer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.accounts.tests.factories import UserFactory
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.tests.factories import ChildFactory, EnrolmentFactory, RiskFlagFactory, flag_type
from cme.notifications import services
from cme.notifications.models import LAEnquiry, Notification, PublicReportAttempt
from cme.notifications.tests.conftest import TODAY
from cme.notifications.tests.factories import deletion_input, new_entrant_input, referral_input, resident_input

Outcome = Notification.Outcome


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    """Run on-commit callbacks (emails are sent after the write commits)."""
    return django_capture_on_commit_callbacks(execute=True)


def test_deletion_return_records_reg_13_fields_links_the_pupil_and_acknowledges(
        school_user: User, school: Any, capture: Any) -> None:
    child = ChildFactory(local_authority=school.local_authority)
    EnrolmentFactory(child=child, school=school)
    with capture:
        n = services.deletion_return_submit(actor=Auditor.for_user(school_user), user=school_user,
                                            data=deletion_input(upn=child.upn, parent2_name="Dan Thompson",
                                                                parent2_phone="07700 900123"))
    assert n.kind == Notification.Kind.DELETION_RETURN and n.status == Notification.Status.NEW
    assert (n.deletion_ground, n.deletion_date, n.school_laestab) == ("A", TODAY, "9312001")
    assert n.child == child and n.source_organisation == school.organisation and n.submitted_by == school_user
    assert [p["name"] for p in n.details["parents"]] == ["Sarah Thompson", "Dan Thompson"]
    assert n.details["new_school_name"] == "Cherwell Primary" and n.details["routes_to"] == "none"
    assert n.triage_due == dt.date(2026, 11, 26)
    assert AuditEvent.objects.filter(object_type="notifications.notification", object_id=str(n.pk),
                                     action="create").exists()
    [ack] = mail.outbox
    assert ack.to == [school_user.email] and n.reference in ack.subject
    assert "Amelia" not in ack.subject + ack.body and "Thompson" not in ack.subject + ack.body


def test_deletion_return_links_the_pupil_on_the_roll_by_name_and_date_of_birth(school_user: User, school: Any
                                                                               ) -> None:
    child = ChildFactory(local_authority=school.local_authority, upn="")
    EnrolmentFactory(child=child, school=school)
    n = services.deletion_return_submit(actor=Auditor.for_user(school_user), user=school_user,
                                        data=deletion_input(), notify=False)
    assert n.child == child


def test_invalid_returns_are_refused_with_field_messages(school_user: User) -> None:
    with pytest.raises(services.IntakeInvalid) as refused:
        services.deletion_return_submit(actor=Auditor.for_user(school_user), user=school_user,
                                        data=deletion_input(ground="I", new_school_name=""))
    assert {"first_day_of_absence", "every_session_unexplained", "joint_enquiries_completed"} <= set(
        refused.value.errors)
    assert not Notification.objects.exists()


def test_a_school_cannot_send_a_return_for_another_school(other_school_user: User, school: Any) -> None:
    with pytest.raises(services.IntakeInvalid) as refused:
        services.deletion_return_submit(actor=Auditor.for_user(other_school_user), user=other_school_user,
                                        data=deletion_input(school_laestab=school.laestab))
    assert "own school" in refused.value.errors["school_laestab"]


def test_new_pupil_return_sent_late_is_accepted_and_flagged(school_user: User) -> None:
    n = services.new_entrant_return_submit(actor=Auditor.for_user(school_user), user=school_user,
                                           data=new_entrant_input(start_date=dt.date(2026, 11, 2)), notify=False)
    assert n.kind == Notification.Kind.NEW_ENTRANT_RETURN and n.details["late"] is True
    assert "R3.4" in n.details["warnings"][0]


def test_referral_with_a_safeguarding_concern_escalates_at_once(partner_user: User, manager: User, officer: User,
                                                                capture: Any) -> None:
    with capture:
        n = services.partner_referral_submit(
            actor=Auditor.for_user(partner_user), user=partner_user,
            data=referral_input(safeguarding_concern=True, safeguarding_detail="Bruises seen."))
    n.refresh_from_db()
    assert n.is_urgent and n.escalated_at is not None and n.safeguarding_concern
    urgent = [m for m in mail.outbox if "Urgent" in m.subject]
    assert len(urgent) == 1
    assert set(urgent[0].to) == {"cme@testshire.example.org", manager.email}
    assert officer.email not in urgent[0].to
    for message in mail.outbox:
        assert "Amelia" not in message.subject and "Thompson" not in message.subject
    assert "Amelia" not in urgent[0].body
    ack = [m for m in mail.outbox if m.to == [partner_user.email]]
    assert len(ack) == 1 and n.reference in ack[0].subject


def test_referral_for_a_child_with_an_immediate_referral_flag_escalates(partner_user: User, la: Any,
                                                                        capture: Any) -> None:
    child = ChildFactory(local_authority=la)
    RiskFlagFactory(child=child, flag_type=flag_type("missing_runaway"))
    with capture:
        n = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                             data=referral_input(upn=child.upn))
    assert n.child == child and n.is_urgent
    assert "risk flag" in n.urgent_reason
    assert any("Urgent" in m.subject for m in mail.outbox)


def test_a_flag_that_does_not_need_an_immediate_referral_does_not_escalate(partner_user: User, la: Any) -> None:
    child = ChildFactory(local_authority=la)
    RiskFlagFactory(child=child, flag_type=flag_type("looked_after"))
    n = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                         data=referral_input(upn=child.upn), notify=False)
    assert not n.is_urgent


def test_a_duplicate_referral_for_a_child_is_attached_not_duplicated(partner_user: User, school_user: User,
                                                                     la: Any, capture: Any) -> None:
    child = ChildFactory(local_authority=la)
    first = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                             data=referral_input(upn=child.upn), notify=False)
    with capture:
        second = services.partner_referral_submit(
            actor=Auditor.for_user(partner_user), user=partner_user,
            data=referral_input(upn=child.upn, safeguarding_concern=True, safeguarding_detail="Threats"))
    assert second.status == Notification.Status.ATTACHED and second.duplicate_of == first
    assert list(Notification.objects.awaiting_triage()) == [first]
    first.refresh_from_db()
    assert first.is_urgent, "a safeguarding concern in the second report escalates the queue item"
    assert len([m for m in mail.outbox if "Urgent" in m.subject and first.reference in m.subject]) == 1
    # The second submitter still gets their own reference.
    assert any(second.reference in m.subject for m in mail.outbox)


def test_reports_naming_the_same_child_are_attached_even_without_a_record(partner_user: User, la: Any) -> None:
    """No child record yet: the same name and date of birth is the same concern (dedupe key)."""
    first = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                             data=referral_input(), notify=False)
    second = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                              data=referral_input(forename="amelia", surname="THOMPSON"),
                                              notify=False)
    assert first.dedupe_key.startswith("person:") and second.duplicate_of == first
    # Once the first is triaged, a new report is a new queue item.
    services.notification_triage(actor=Auditor.for_user(partner_user), user=partner_user, notification=first,
                                 outcome=Outcome.NOT_CME, reason="On roll at a school in Wales")
    third = services.partner_referral_submit(actor=Auditor.for_user(partner_user), user=partner_user,
                                             data=referral_input(), notify=False)
    assert third.status == Notification.Status.NEW and third.duplicate_of is None
    second.refresh_from_db()
    assert second.outcome == Outcome.NOT_CME, "attached reports take the outcome of the one triaged"


def test_notification_open_duplicates_finds_by_child_or_key(la: Any) -> None:
    child = ChildFactory(local_authority=la)
    actor = Auditor.system("test")
    n = services.notification_receive(actor=actor, local_authority=la, kind=Notification.Kind.DETECTION_ALERT,
                                      reported=services.Reported(upn=child.upn), dedupe_key="rule:x:1")
    assert list(services.notification_open_duplicates(local_authority_id=la.pk, child_id=child.pk)) == [n]
    assert list(services.notification_open_duplicates(local_authority_id=la.pk, dedupe_key="rule:x:1")) == [n]
    assert not services.notification_open_duplicates(local_authority_id=la.pk, child_id=child.pk, exclude_pk=n.pk)
    assert not services.notification_open_duplicates(local_authority_id=la.pk)


# --- Triage outcomes -----------------------------------------------------------------------------------


def _notification(la: Any, **kwargs: Any) -> Notification:
    return services.notification_receive(actor=Auditor.system("test"), local_authority=la,
                                         kind=kwargs.pop("kind", Notification.Kind.PARTNER_REFERRAL),
                                         reported=services.Reported(forename="Amelia", surname="Thompson"),
                                         **kwargs)


@pytest.mark.parametrize(
    "outcome, reason",
    [
        pytest.param(Outcome.ATTENDANCE_MATTER, "", id="attendance-matter-R2.1-on-roll-not-cme"),
        pytest.param(Outcome.EHE_TEAM, "", id="ehe-team-R5.5"),
        pytest.param(Outcome.NOT_CME, "Registered at a school in Wales", id="not-cme-with-reason"),
        pytest.param(Outcome.SAFEGUARDING_REFERRAL, "Referred to MASH by phone at 10:15", id="safeguarding-R2.5-8"),
    ],
)
def test_each_direct_triage_outcome_is_recorded_and_audited(officer: User, la: Any, outcome: str, reason: str
                                                            ) -> None:
    n = _notification(la)
    done = services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=n,
                                        outcome=outcome, reason=reason)
    assert (done.status, done.outcome, done.triaged_by) == (Notification.Status.TRIAGED, outcome, officer)
    assert done.triaged_at is not None
    event = AuditEvent.objects.filter(object_id=str(n.pk), summary__startswith="triaged").get()
    assert event.actor == officer and event.reason == reason


@pytest.mark.parametrize("outcome", [Outcome.NEW_CASE, Outcome.ADDED_TO_CASE], ids=["new-case", "add-to-case"])
def test_case_outcomes_need_the_cases_app(officer: User, la: Any, outcome: str) -> None:
    n = _notification(la)
    with pytest.raises(services.TriageError, match="case first"):
        services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=n, outcome=outcome)
    done = services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=n,
                                        outcome=outcome, allow_case_outcomes=True)
    assert done.outcome == outcome


@pytest.mark.parametrize("outcome", [Outcome.NOT_CME, Outcome.SAFEGUARDING_REFERRAL])
def test_outcomes_that_need_a_reason(officer: User, la: Any, outcome: str) -> None:
    with pytest.raises(services.TriageError):
        services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=_notification(la),
                                     outcome=outcome, reason="  ")


def test_a_notification_is_triaged_once(officer: User, la: Any) -> None:
    n = _notification(la)
    services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=n,
                                 outcome=Outcome.EHE_TEAM)
    with pytest.raises(services.TriageError, match="already triaged"):
        services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=n,
                                     outcome=Outcome.NOT_CME, reason="x")
    with pytest.raises(services.TriageError, match="Choose"):
        services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=_notification(la,
                                     dedupe_key="other"), outcome="bogus")


def test_ehe_team_outcome_tells_the_ehe_officers(officer: User, la: Any, capture: Any) -> None:
    ehe = UserFactory(email="ehe@example.org", role=Role.EHE_OFFICER, local_authority=la)
    with capture:
        services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=_notification(la),
                                     outcome=Outcome.EHE_TEAM)
    [notice] = mail.outbox
    assert notice.to == [ehe.email] and "Amelia" not in notice.subject + notice.body


def test_attendance_matter_tells_the_school_that_sent_it(officer: User, school_user: User, capture: Any) -> None:
    n = services.deletion_return_submit(actor=Auditor.for_user(school_user), user=school_user,
                                        data=deletion_input(), notify=False)
    with capture:
        services.notification_triage(actor=Auditor.for_user(officer), user=officer, notification=n,
                                     outcome=Outcome.ATTENDANCE_MATTER)
    [notice] = mail.outbox
    assert notice.to == [school_user.email] and "attendance matter" in notice.body
    assert "Amelia" not in notice.subject + notice.body


def test_linking_a_child_with_an_urgent_flag_escalates(officer: User, la: Any) -> None:
    n = _notification(la)
    child = ChildFactory(local_authority=la)
    RiskFlagFactory(child=child, flag_type=flag_type("fgm"))
    services.notification_link_child(actor=Auditor.for_user(officer), notification=n, child=child)
    n.refresh_from_db()
    assert n.child == child and n.is_urgent


def test_linking_a_child_of_another_la_is_refused(officer: User, la: Any, other_la: Any) -> None:
    with pytest.raises(services.TriageError):
        services.notification_link_child(actor=Auditor.for_user(officer), notification=_notification(la),
                                         child=ChildFactory(local_authority=other_la))


def test_possible_matches_give_reasons(officer: User, la: Any) -> None:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2016, 5, 14))
    ChildFactory(local_authority=la, legal_forename="Amelie", date_of_birth=dt.date(2015, 1, 1))
    n = _notification(la, )
    n.date_of_birth = dt.date(2016, 5, 14)
    hits = services.possible_matches(user=officer, notification=n)
    assert hits[0].child == child and "date of birth" in hits[0].reasons and "name" in hits[0].reasons


# --- Residents, mailbox, other LAs -----------------------------------------------------------------------


def test_resident_reports_are_rate_limited_by_hashed_address(la: Any, capture: Any) -> None:
    actor = Auditor.system("public")
    for _ in range(5):
        services.resident_report_submit(actor=actor, local_authority=la, data=resident_input(),
                                        ip_address="203.0.113.9", notify=False)
    with pytest.raises(services.RateLimited):
        services.resident_report_submit(actor=actor, local_authority=la, data=resident_input(),
                                        ip_address="203.0.113.9")
    # Another address is not affected; no raw address is stored.
    services.resident_report_submit(actor=actor, local_authority=la, data=resident_input(), ip_address="198.51.100.1",
                                    notify=False)
    assert not PublicReportAttempt.objects.filter(ip_hash__contains="203.0.113").exists()
    assert PublicReportAttempt.objects.count() == 6


def test_resident_acknowledgement_gives_the_reference_only(la: Any, capture: Any) -> None:
    with capture:
        n = services.resident_report_submit(actor=Auditor.system("public"), local_authority=la,
                                            data=resident_input(reporter_email="neighbour@example.com"),
                                            ip_address="203.0.113.9")
    [ack] = mail.outbox
    assert ack.to == ["neighbour@example.com"] and n.reference in ack.body and "Tom" not in ack.body
    assert n.kind == Notification.Kind.RESIDENT_REPORT and n.referrer_agency == "public"


def test_a_resident_who_thinks_the_child_is_in_danger_escalates(la: Any) -> None:
    n = services.resident_report_submit(actor=Auditor.system("public"), local_authority=la,
                                        data=resident_input(in_danger=True), ip_address="203.0.113.9", notify=False)
    assert n.is_urgent and n.safeguarding_concern


def test_mailbox_keeps_the_raw_email_and_attaches_a_second_logging(officer: User) -> None:
    data = services.MailboxInput(sender="head@school.example", subject="Pupil gone", body="Family left.",
                                 message_id="<abc@school.example>", raw=b"From: head@school.example\n\nFamily left.",
                                 filename="gone.eml")
    first = services.mailbox_log(actor=Auditor.for_user(officer), user=officer, data=data)
    assert first.kind == Notification.Kind.MAILBOX and first.attachments.get().content_type == "message/rfc822"
    assert bytes(first.attachments.get().content).startswith(b"From:")
    second = services.mailbox_log(actor=Auditor.for_user(officer), user=officer, data=data)
    assert second.duplicate_of == first


def test_enquiry_received_from_another_la_lands_in_the_queue_with_a_deadline(officer: User, la: Any) -> None:
    child = ChildFactory(local_authority=la)
    enquiry = services.la_enquiry_record(actor=Auditor.for_user(officer), user=officer, data=services.LAEnquiryInput(
        direction="received", other_la_code="825", other_la_contact_email="cme@other.example", upn=child.upn,
        forename="Amelia", surname="Thompson", question="Is this child known to you?", asked_on=TODAY))
    assert enquiry.other_la_name and enquiry.response_due == dt.date(2026, 12, 2)  # 5 working days
    assert enquiry.notification.kind == Notification.Kind.LA_ENQUIRY and enquiry.child == child
    assert enquiry.notification.status == Notification.Status.NEW
    services.la_enquiry_respond(actor=Auditor.for_user(officer), user=officer, enquiry=enquiry,
                                answer=LAEnquiry.Answer.KNOWN, response="On roll at School A since 2021.")
    enquiry.refresh_from_db()
    assert not enquiry.is_open and enquiry.responded_by == officer
    with pytest.raises(services.IntakeInvalid):
        services.la_enquiry_respond(actor=Auditor.for_user(officer), user=officer, enquiry=enquiry,
                                    answer=LAEnquiry.Answer.KNOWN, response="again")


def test_enquiry_sent_does_not_enter_the_queue_and_checks_the_la_code(officer: User, la: Any) -> None:
    data = services.LAEnquiryInput(direction="sent", other_la_code="931", forename="Amelia", question="Known?",
                                   asked_on=TODAY)
    with pytest.raises(services.IntakeInvalid) as refused:
        services.la_enquiry_record(actor=Auditor.for_user(officer), user=officer, data=data)
    assert "your own" in refused.value.errors["other_la_code"]
    data.other_la_code = "825"
    enquiry = services.la_enquiry_record(actor=Auditor.for_user(officer), user=officer, data=data)
    assert enquiry.notification is None and not Notification.objects.exists()
