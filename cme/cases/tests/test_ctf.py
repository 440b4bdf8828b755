"""S2S and CTFs (R7.2; formats.md §1): the lost-pupil export, its round trip through the importer, hostile files."""

from __future__ import annotations

import datetime as dt

import defusedxml.ElementTree as SafeET
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases import ctf as ctf_services
from cme.cases.models import CTFFile
from cme.cases.services import CaseError
from cme.cases.tests.factories import open_case
from cme.children.models import ChildAddress, ChildContact, ChildName, Contact, Enrolment
from cme.children.tests.factories import ChildAddressFactory, ChildFactory, EnrolmentFactory
from cme.law.ctf import CTFError, CTFPupil, CTFSchoolHistoryEntry, build_lost_pupil_ctf, parse_ctf
from cme.law.ctf.model import CTFContact, CTFPhone
from cme.notifications.models import Notification

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil><UPN>&xxe;</UPN></Pupil></CTFpupilData></CTfile>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CTfile>&lol2;</CTfile>"""


def rich_child(officer: User, school):  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority, legal_forename="Amelia", legal_surname="Thompson")
    ChildAddressFactory(child=child, start=dt.date(2020, 1, 1))
    contact = Contact.objects.create(forename="Sarah", surname="Thompson", mobile="07700900001")
    ChildContact.objects.create(child=child, contact=contact, relationship="Mother", parental_responsibility=True)
    EnrolmentFactory(child=child, school=school, start=dt.date(2021, 9, 1), end=dt.date(2026, 10, 1),
                     deletion_ground="I", destination_laestab="XXXXXXX")
    return child


def test_the_lost_pupil_ctf_is_well_formed_with_the_right_header_one_pupil_and_xxxxxxx(officer: User,
                                                                                      school) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer, child=rich_child(officer, school))
    ctf = ctf_services.ctf_lost_pupil_generate(actor=Auditor.for_user(officer), user=officer, case=case)
    assert ctf.file_name == "931LLLL_CTF_XXXXXXX_001.xml"
    root = SafeET.fromstring(bytes(ctf.content))
    assert root.tag == "CTfile"
    header = root.find("Header")
    assert header.findtext("DocumentName") == "Common Transfer File"
    assert header.findtext("CTFversion") == ctf.ctf_version
    assert header.findtext("SourceSchool/LEA") == "931" and header.findtext("SourceSchool/Estab") == "LLLL"
    assert header.findtext("DestSchool/LEA") == "XXX" and header.findtext("DestSchool/Estab") == "XXXX"
    pupils = root.findall("CTFpupilData/Pupil")
    assert len(pupils) == 1
    pupil = pupils[0]
    assert pupil.findtext("UPN") == case.child.upn and pupil.findtext("Sex") == "F"
    assert pupil.findtext("Address/PostCode") == "OX4 1AB"
    assert pupil.findtext("Contacts/Contact/Forename") == "Sarah"
    assert pupil.findtext("SchoolHistory/School/Estab") == school.laestab[3:]
    assert AuditEvent.objects.filter(action="export", object_type="cases.ctffile").exists()
    second = ctf_services.ctf_lost_pupil_generate(actor=Auditor.for_user(officer), user=officer, case=case)
    assert second.file_name == "931LLLL_CTF_XXXXXXX_002.xml"


def test_the_export_round_trips_through_the_importer(officer: User, school) -> None:  # type: ignore[no-untyped-def]
    child = rich_child(officer, school)
    case = open_case(user=officer, child=child)
    ctf = ctf_services.ctf_lost_pupil_generate(actor=Auditor.for_user(officer), user=officer, case=case)
    parsed = parse_ctf(bytes(ctf.content))
    assert parsed.pupils[0].upn == child.upn and parsed.pupils[0].dob == child.date_of_birth
    result = ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=bytes(ctf.content),
                                     file_name=ctf.file_name)
    only = result.pupils[0]
    assert only.child == child and only.matched_by == "UPN"
    assert only.added == {"names": 0, "addresses": 0, "contacts": 0, "schools": 0}
    received = result.ctf_file
    assert received.direction == CTFFile.Direction.RECEIVED and received.child == child and received.case == case
    assert case.notes.filter(text__contains="matched by UPN").exists()


def _ctf_for(pupil: CTFPupil) -> bytes:
    return build_lost_pupil_ctf(source_la="825", source_estab="4001", source_school_name="Otherton High",
                                pupil=pupil, generated_at=timezone.now())[1]


def test_a_received_ctf_adds_what_the_record_lacks_with_source_ctf(officer: User, school) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority)
    pupil = CTFPupil(upn=child.upn, surname="Thompson", forename="Amelia", dob=child.date_of_birth, sex="F",
                     former_surname="Jones", address_lines=("4 Mill Lane", "Banbury"), postcode="OX16 1AA",
                     contacts=(CTFContact(forename="Dev", surname="Patel", relationship="Stepfather",
                                          responsibility=False, phones=(CTFPhone("07700900123", "M"),)),),
                     school_history=(CTFSchoolHistoryEntry(lea="931", estab=school.laestab[3:],
                                                           school_name=school.name,
                                                           entry_date=dt.date(2024, 9, 4)),))
    result = ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=_ctf_for(pupil),
                                     file_name="8254001_CTF_931LLLL_001.xml")
    assert result.pupils[0].added == {"names": 1, "addresses": 1, "contacts": 1, "schools": 1}
    assert ChildName.objects.get(child=child, kind="former").surname == "Jones"
    assert ChildAddress.objects.get(child=child, source="CTF").address.postcode == "OX16 1AA"
    assert ChildContact.objects.get(child=child, contact__surname="Patel").contact.mobile == "07700900123"
    assert Enrolment.objects.get(child=child, source="CTF").school == school
    assert AuditEvent.objects.filter(child_id=child.pk, summary__contains="from CTF").count() >= 3
    with pytest.raises(CTFError, match="already imported"):
        ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=bytes(result.ctf_file.content),
                                file_name="again.xml")


def test_each_pupil_of_a_ctf_costs_the_same_few_queries(officer: User) -> None:
    """PERF-4: a whole school's CTF through the page is one search and a few look-ups a pupil (the match loads the
    child without the list pages' prefetches), not a cost that grows with the council."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cme.law.ctf import CTFHeader, build_ctf

    children = [ChildFactory(local_authority=officer.local_authority) for _ in range(6)]

    def queries(group: list, minute: int) -> int:  # type: ignore[type-arg]
        pupils = [CTFPupil(upn=c.upn, surname=c.legal_surname, forename=c.legal_forename, dob=c.date_of_birth)
                  for c in group]
        header = CTFHeader(source_lea="825", source_estab="4001", source_school_name="Otherton High",
                           dest_lea="931", dest_estab="4002", generated_at=dt.datetime(2026, 11, 2, 9, minute))
        with CaptureQueriesContext(connection) as captured:
            result = ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer,
                                             data=build_ctf(header, pupils), file_name="school.xml")
        assert [p.matched_by for p in result.pupils] == ["UPN"] * len(group)
        return len(captured)

    two, four = queries(children[:2], 0), queries(children[2:], 1)  # (one pupil alone also looks up its case)
    per_pupil = (four - two) / 2
    assert per_pupil == int(per_pupil) and per_pupil <= 7, (two, four)


def test_an_unmatched_pupil_goes_to_triage(officer: User) -> None:
    pupil = CTFPupil(upn="", surname="Nobody", forename="Known", dob=dt.date(2015, 2, 3))
    result = ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=_ctf_for(pupil),
                                     file_name="x.xml")
    notification = result.pupils[0].notification
    assert notification is not None and notification.kind == Notification.Kind.CTF_RECEIVED
    assert notification.details["ctf_file_id"] == result.ctf_file.pk
    assert result.ctf_file.child is None


def test_from_a_case_page_the_ctf_must_be_about_the_cases_child(officer: User) -> None:
    case = open_case(user=officer)
    other = ChildFactory(local_authority=officer.local_authority, legal_forename="Zed", legal_surname="Other",
                         date_of_birth=dt.date(2014, 1, 1))
    data = _ctf_for(CTFPupil(upn=other.upn, surname="Other", forename="Zed", dob=other.date_of_birth))
    with pytest.raises(CTFError, match="not about"):
        ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=data, file_name="x.xml",
                                case=case)
    assert not CTFFile.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    (XXE, "document type declaration"),
    (LAUGHS, "document type declaration"),
    (b"<CTfile><Header>", "not valid XML"),
    (b"%PDF-1.7 not xml", "must be an XML file: its name ends .xml but it is a PDF"),
    (b"<ATfile/>", "admissions transfer file"),
    (b"", "empty"),
], ids=["XXE", "billion-laughs", "truncated", "pdf", "atf", "empty"])
def test_hostile_or_malformed_files_are_rejected_with_a_clear_error(officer: User, data: bytes, message: str) -> None:
    with pytest.raises(CTFError, match=message):
        ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=data, file_name="bad.xml")
    assert not CTFFile.objects.exists()


def test_s2s_upload_date_cannot_be_in_the_future(officer: User) -> None:
    case = open_case(user=officer)
    ctf = ctf_services.ctf_lost_pupil_generate(actor=Auditor.for_user(officer), user=officer, case=case)
    with pytest.raises(CaseError, match="today or in the past"):
        ctf_services.ctf_s2s_upload_record(actor=Auditor.for_user(officer), user=officer, ctf_file=ctf,
                                           uploaded_on=timezone.localdate() + dt.timedelta(days=1))


# --- Views ------------------------------------------------------------------------------------------------------


def test_generate_download_and_record_the_upload_in_the_browser(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    case = open_case(user=officer)
    client = client_for(officer)
    assert client.post(reverse("cases:ctf-generate", args=[case.pk])).status_code == 302
    ctf = CTFFile.objects.get()
    response = client.get(reverse("cases:ctf-download", args=[ctf.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="931LLLL_CTF_XXXXXXX_001.xml"'
    today = timezone.localdate()
    client.post(reverse("cases:ctf-s2s", args=[ctf.pk]), {"uploaded_on-day": today.day,
                                                         "uploaded_on-month": today.month,
                                                         "uploaded_on-year": today.year})
    ctf.refresh_from_db()
    assert ctf.s2s_uploaded_on == today and ctf.s2s_recorded_by == officer
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Uploaded to S2S on" in html


def test_ctf_views_are_scoped_and_permissioned(client_for, officer: User, outsider: User,  # type: ignore[no-untyped-def]
                                               ehe_officer: User) -> None:
    case = open_case(user=officer)
    ctf = ctf_services.ctf_lost_pupil_generate(actor=Auditor.for_user(officer), user=officer, case=case)
    assert client_for(outsider).get(reverse("cases:ctf-download", args=[ctf.pk])).status_code == 404
    assert client_for(outsider).post(reverse("cases:ctf-generate", args=[case.pk])).status_code == 404
    assert client_for(ehe_officer).post(reverse("cases:ctf-generate", args=[case.pk])).status_code == 403
    assert client_for(ehe_officer).get(reverse("cases:ctf-import")).status_code == 403


def test_the_import_page_shows_a_clear_error_for_a_hostile_file(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    response = client_for(officer).post(reverse("cases:ctf-import"),
                                        {"file": SimpleUploadedFile("evil.xml", XXE, "text/xml")})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "document type declaration" in html
    assert not CTFFile.objects.exists()


def test_the_import_page_imports_and_reports_the_match(client_for, officer: User) -> None:  # type: ignore[no-untyped-def]
    child = ChildFactory(local_authority=officer.local_authority)
    data = _ctf_for(CTFPupil(upn=child.upn, surname=child.legal_surname, forename=child.legal_forename,
                             dob=child.date_of_birth))
    response = client_for(officer).post(reverse("cases:ctf-import"),
                                        {"file": SimpleUploadedFile("in.xml", data, "text/xml")})
    html = response.content.decode()
    assert "was imported" in html and "(by UPN)" in html


def test_xml3_a_received_ctf_that_fails_the_schema_is_refused_and_nothing_is_written(officer: User) -> None:
    """XML-3: validated against the project's CTF-subset schema (not the DfE XSD) before anything is stored: the
    officer is told where the file is wrong; no CTF file, notification, name, address, contact or school is added."""
    child = ChildFactory(local_authority=officer.local_authority)
    good = _ctf_for(CTFPupil(upn=child.upn, surname="Thompson", forename="Amelia", dob=child.date_of_birth,
                             address_lines=("4 Mill Lane",), postcode="OX16 1AA"))
    bad = good.replace(b"<LEA>825</LEA>", b"<LEA>82</LEA>", 1)
    before = [m.objects.count() for m in (CTFFile, Notification, ChildName, ChildAddress, ChildContact, Enrolment)]
    with pytest.raises(CTFError, match=r"SourceSchool/LEA: must be a three-digit LA number") as caught:
        ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=bad, file_name="bad.xml")
    assert "nothing was imported" in str(caught.value) and "not the DfE's" in str(caught.value)
    after = [m.objects.count() for m in (CTFFile, Notification, ChildName, ChildAddress, ChildContact, Enrolment)]
    assert after == before
    assert ctf_services.ctf_import(actor=Auditor.for_user(officer), user=officer, data=good,
                                   file_name="good.xml").ctf_file.pk
