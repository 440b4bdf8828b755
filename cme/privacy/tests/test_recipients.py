"""DP-5 (SECURITY-PLAN): after a rectification, the recipients to notify (UK GDPR Art 19; rules.md R8.2 "record
what was shared, with whom and why", R7.2 lost-pupil CTF to S2S)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases.ctf import ctf_lost_pupil_generate, ctf_s2s_upload_record
from cme.cases.models import ContactRecord
from cme.cases.services import case_transfer_request, contact_record_add
from cme.cases.tests.factories import complete_checklist, open_case
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.cnis import services as cnis_services
from cme.core.models import LocalAuthority
from cme.ehe.services import ehe_concern_record
from cme.ehe.tests.factories import open_record
from cme.law import la_codes
from cme.notifications.models import LAEnquiry, Notification
from cme.notifications.tests.factories import NotificationFactory
from cme.panels.models import Decision
from cme.panels.services import panel_attendee_add, panel_decision_record, panel_item_add
from cme.panels.tests.factories import meeting
from cme.privacy.recipients import disclosure_recipients, exports

TODAY = timezone.localdate
DOB = dt.date(2015, 6, 1)  # of compulsory school age (CNIS condition B)


def _share_everything(child: Child, officer: User, panel_member: User) -> None:
    """The child's data leaves the council in each way the service records."""
    actor = Auditor.for_user(officer)
    case = open_case(user=officer, child=child)
    complete_checklist(case, officer)
    contacts = ((ContactRecord.Direction.OUT, "Health visitor"), (ContactRecord.Direction.IN, "School nurse"))
    for direction, whom in contacts:
        contact_record_add(actor=actor, user=officer, case=case, method="phone", direction=direction, with_whom=whom,
                           occurred_on=TODAY(), summary="About the child")
    ctf = ctf_lost_pupil_generate(actor=actor, user=officer, case=case)
    ctf_s2s_upload_record(actor=actor, user=officer, ctf_file=ctf, uploaded_on=TODAY())
    case_transfer_request(actor=actor, user=officer, case=case, receiving_la_code="825",
                          contact="cme@otherton.example.org", new_address="1 New Street")
    LAEnquiry.objects.create(local_authority=child.local_authority, direction=LAEnquiry.Direction.SENT,
                             other_la_code="202", other_la_name="Camden",
                             other_la_contact_email="cme@camden.example.org",
                             surname=child.legal_surname, question="Is this child known to you?", asked_on=TODAY(),
                             response_due=TODAY() + dt.timedelta(days=10), child=child, created_by=officer)
    NotificationFactory(local_authority=child.local_authority, child=child, triaged_at=timezone.now(),
                        outcome=Notification.Outcome.SAFEGUARDING_REFERRAL)
    panel = meeting(user=officer)
    item = panel_item_add(actor=actor, meeting=panel, case=case)
    panel_attendee_add(actor=actor, meeting=panel, name="Sam Lee", agency="Police")
    panel_attendee_add(actor=actor, meeting=panel, user=panel_member)  # gets access to the agenda's children
    panel_attendee_add(actor=actor, meeting=panel, user=officer)  # the council's own team: not a recipient
    panel_decision_record(actor=actor, user=officer, item=item, outcome=Decision.Outcome.REFER_SOCIAL_CARE,
                          text="Refer to children's social care")
    la = child.local_authority
    la.cnis_register_enabled = True
    la.save()
    entry = cnis_services.cnis_entry_create(actor=actor, user=officer, child=child, registered_on=TODAY(),
                                            home_address="1 High Street", postcode="OX1 1AA", lives_in_area=True,
                                            condition_c="a", hours_with_parents=Decimal("20"))
    setting = cnis_services.out_of_school_setting_create(actor=actor, local_authority=la, name="Forest school",
                                                         provider_type="setting", address="Wood Lane")
    cnis_services.provider_request_send(actor=actor, user=officer, setting=setting, sent_on=TODAY(), entries=[entry])
    record = open_record(officer, child)
    ehe_concern_record(actor=actor, user=officer, record=record, kind="safety", raised_on=TODAY(),
                       description="Worried about wellbeing", mash_referral_on=TODAY(), mash_reference="M-123")


def test_DP_5_every_recorded_disclosure_of_the_child_is_a_recipient(la: LocalAuthority, officer: User,
                                                                     panel_member: User) -> None:
    child, other = (ChildFactory(local_authority=la, date_of_birth=DOB) for _ in range(2))
    _share_everything(child, officer, panel_member)
    found = disclosure_recipients(child=child)
    by_source = {r.source: r for r in found}
    assert set(by_source) == {"ctf", "transfer", "contact", "enquiry", "la_enquiry", "safeguarding", "panel",
                              "panel_referral", "mash", "cnis_provider", "access_grant"}
    assert by_source["contact"].who == "Health visitor" and by_source["contact"].status == "Phone call"
    assert {r.who for r in found if r.source == "enquiry"} == {"Office"}  # complete_checklist asked "Office"
    assert "School nurse" not in " ".join(r.who for r in found)  # they contacted us: not a disclosure
    assert by_source["cnis_provider"].who == "Forest school"
    assert by_source["ctf"].who.startswith("DfE School to School (S2S): Lost Pupil Database")
    assert by_source["ctf"].status.startswith("uploaded to S2S on")
    assert by_source["transfer"].who == f"{la_codes.la_name('825')} (LA 825), cme@otherton.example.org"
    assert by_source["la_enquiry"].who == "Camden (LA 202), cme@camden.example.org"
    assert by_source["mash"].what.endswith("(MASH reference M-123)")
    assert by_source["panel_referral"].who == "Children's social care"
    panel = sorted(r.who for r in found if r.source == "panel")
    assert panel == sorted(["Sam Lee (Police)", f"{panel_member.full_name} ({panel_member.role_label})"])
    assert officer.full_name not in " ".join(r.who for r in found)  # own casework team excluded
    assert by_source["access_grant"].who == panel_member.full_name and by_source["access_grant"].status == "active"
    # nothing of it belongs to another child
    assert disclosure_recipients(child=other) == []


def test_DP_5_after_a_correction_the_page_lists_the_recipients_to_notify(la: LocalAuthority, officer: User,
                                                                         panel_member: User,
                                                                         client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la, legal_surname="Smyth", date_of_birth=DOB)
    _share_everything(child, officer, panel_member)
    client = client_for(officer)
    ctf = child.ctf_files.get()
    assert client.get(f"/cases/ctf/{ctf.pk}/").status_code == 200  # a file taken out of the service
    response = client.post(f"/privacy/children/{child.pk}/correct/", {
        "legal_forename": child.legal_forename, "legal_middle_names": "", "legal_surname": "Smith",
        "date_of_birth-day": child.date_of_birth.day, "date_of_birth-month": child.date_of_birth.month,
        "date_of_birth-year": child.date_of_birth.year, "reason": "Birth certificate seen", "version": child.version},
        follow=True)
    page = response.content.decode()
    count = len(disclosure_recipients(child=child))
    assert response.status_code == 200 and f"Correction saved. Tell the {count} recipients" in page
    assert "Smyth to Smith" in page and "Who has received this child's data</h2>" in page
    for text in ("DfE School to School (S2S): Lost Pupil Database", "(LA 825), cme@otherton.example.org",
                 "Camden (LA 202)", "Sam Lee (Police)", "Forest school", "Multi-agency safeguarding hub (MASH)",
                 "Children&#39;s social care", f"CTF downloaded: {ctf.file_name}"):
        assert text in page, text
    assert exports(child=child).filter(summary=f"CTF downloaded: {ctf.file_name}").exists()


def test_DP_5_with_no_disclosure_the_page_says_so(la: LocalAuthority, officer: User,
                                                  client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la)
    page = client_for(officer).get(f"/privacy/children/{child.pk}/correct/").content.decode()
    assert "No one is recorded as having received this child's data." in page


@pytest.mark.parametrize("answered", [True, False])
def test_DP_5_a_received_enquiry_counts_only_once_answered(la: LocalAuthority, officer: User, answered: bool) -> None:
    child = ChildFactory(local_authority=la)
    LAEnquiry.objects.create(local_authority=la, direction=LAEnquiry.Direction.RECEIVED, other_la_code="825",
                             other_la_name="Otherton", question="Known?", asked_on=TODAY(),
                             response_due=TODAY() + dt.timedelta(days=5), child=child, created_by=officer,
                             answer=LAEnquiry.Answer.KNOWN if answered else "",
                             responded_on=TODAY() if answered else None)
    assert [r.source for r in disclosure_recipients(child=child)] == (["la_enquiry"] if answered else [])
