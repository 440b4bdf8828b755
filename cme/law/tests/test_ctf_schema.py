"""XML-3 (SECURITY-PLAN): CTFs in and out are validated against the project's schema for the CTF subset
(cme/law/ctf/cme-ctf-subset.xsd, read by cme.law.ctf.schema). It is this project's schema, not the DfE CTF XSD."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from cme.law.ctf import CTFError, CTFHeader, build_ctf, parse_ctf
from cme.law.ctf.schema import SCHEMA_PATH, SchemaError, load_schema, validate_ctf
from cme.law.tests.test_ctf import HEADER, PUPIL, SAMPLE, TODAY, wrap

GOOD_PUPIL = "<Pupil><UPN>X931200024001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2016-01-01</DOB>"


def problems(data: bytes) -> list[str]:
    return validate_ctf(SafeET.fromstring(data))


def test_xml3_schema_file_says_it_is_the_projects_own_not_the_dfes() -> None:
    text = SCHEMA_PATH.read_text()
    assert "THE PROJECT'S OWN SCHEMA" in text and "NOT the DfE CTF XSD" in text
    schema = load_schema()
    assert set(schema.roots) == {"CTfile"}
    assert len(schema.complex_types) >= 15 and len(schema.simple_types) >= 15


def test_xml3_the_shared_sample_and_what_we_build_are_valid() -> None:
    assert problems(SAMPLE.read_bytes()) == []
    assert problems(build_ctf(HEADER, [PUPIL, PUPIL])) == []


def test_xml3_sections_the_parser_does_not_read_are_allowed_and_skipped() -> None:
    extra = ("<Attendance><YearData><Year>2025</Year><Anything a='1'>x</Anything></YearData></Attendance>"
             "<SENhistory><SEN><StartDate>not checked</StartDate></SEN></SENhistory><UCI>ABC</UCI></Pupil>")
    data = wrap(pupils=GOOD_PUPIL + extra, version="<CTFversion>25.0</CTFversion><DataDescriptor>x</DataDescriptor>")
    assert problems(data) == []
    assert parse_ctf(data, today=TODAY).pupils[0].upn == "X931200024001"


INVALID = [
    pytest.param(b"<DestSchool><LEA>XXX</LEA>", b"<DestSchool><LEA>93</LEA>",
                 "CTfile/Header/DestSchool/LEA: must be a three-digit LA number", id="dest-la"),
    pytest.param(b"<Estab>2999</Estab>", b"<Estab>12345</Estab>",
                 "CTfile/Header/SourceSchool/Estab: must be a four-digit establishment number", id="source-estab"),
    pytest.param(b"<DestSchool><LEA>XXX</LEA><Estab>XXXX</Estab></DestSchool>", b"",
                 "CTfile/Header: must contain DestSchool", id="no-destination"),
    pytest.param(b"<CTFversion>25.0</CTFversion>", b"<CTFversion>25.0</CTFversion><CTFversion>25.0</CTFversion>",
                 "must contain CTFversion at most 1 time(s), not 2", id="two-versions"),
    pytest.param(b"<UPN>X931200024001</UPN>", b"<UPN>x93120002400</UPN>",
                 "Pupil/UPN: must be a UPN", id="upn-form"),
    pytest.param(b"<DOB>2016-01-01</DOB>", b"<DOB>01/01/2016</DOB>", "Pupil/DOB: must be a date", id="uk-date"),
    pytest.param(b"<DOB>2016-01-01</DOB>", b"<DOB>2016-02-30</DOB>", "Pupil/DOB: must be a date", id="no-such-day"),
    pytest.param(b"<Forename>B</Forename>", b"<Forename>" + b"B" * 101 + b"</Forename>",
                 "Pupil/Forename: must be a name of at most 100 characters", id="long-name"),
    pytest.param(b"<Forename>B</Forename>", b"<Forename><b>B</b></Forename>",
                 "Pupil/Forename: must hold a value, not other elements", id="markup-in-value"),
    pytest.param(b"<Pupil>", b"<Pupil>stray text", "Pupil: must hold other elements, not text", id="text"),
    pytest.param(b"<Pupil>", b'<Pupil id="1">', "has an attribute (id)", id="attribute"),
    pytest.param(b"</Pupil>", b"<Contacts><Person/></Contacts></Pupil>", "Contacts/Person: is not expected here",
                 id="unknown-in-list"),
    pytest.param(b"</Pupil>", b"<BasicDetails><NCyearActual>15</NCyearActual></BasicDetails></Pupil>",
                 "NCyearActual: must be a year group code", id="year-group"),
    pytest.param(b"</Pupil>", b"<Address><AddressLines><AddressLine6>x</AddressLine6></AddressLines></Address>"
                 b"</Pupil>", "AddressLines/AddressLine6: is not expected here", id="sixth-line"),
    pytest.param(b"<CTFversion>25.0</CTFversion>",
                 b"<CTFversion>25.0</CTFversion><DocumentQualifier>half</DocumentQualifier>",
                 "DocumentQualifier: must be full or partial", id="qualifier"),
    pytest.param(b"</CTFpupilData>", b"</CTFpupilData><Extra/>", "CTfile/Extra: is not expected here",
                 id="extra-part"),
]


@pytest.mark.parametrize(("old", "new", "reason"), INVALID)
def test_xml3_invalid_files_are_refused_with_the_reason(old: bytes, new: bytes, reason: str) -> None:
    data = wrap(pupils=GOOD_PUPIL + "</Pupil>")
    assert old in data
    bad = data.replace(old, new, 1)
    assert any(reason in p for p in problems(bad)), problems(bad)
    with pytest.raises(CTFError, match="does not follow the CTF structure this system reads"):
        parse_ctf(bad, today=TODAY)


def test_xml3_parts_in_the_wrong_order_are_refused() -> None:
    data = wrap(pupils=GOOD_PUPIL + "</Pupil>")
    header = data[data.index(b"<Header>"):data.index(b"</Header>") + len(b"</Header>")]
    swapped = data.replace(header, b"").replace(b"</CTfile>", header + b"</CTfile>")
    assert problems(swapped) == ["CTfile: must hold Header, then CTFpupilData, in that order"]


def test_xml3_what_we_send_is_checked_too() -> None:
    bad = CTFHeader(source_lea="93", source_estab="2999", source_school_name=None, dest_lea="XXX",
                    dest_estab="XXXX", generated_at=dt.datetime(2026, 3, 2, 9, 15))
    with pytest.raises(ValueError, match="SourceSchool/LEA: must be a three-digit LA number"):
        build_ctf(bad, [PUPIL])


@pytest.mark.parametrize(("construct", "message"), [
    ('<xs:complexType name="T"><xs:choice><xs:element name="A" type="xs:string"/></xs:choice></xs:complexType>',
     "one xs:sequence or xs:all"),
    ('<xs:simpleType name="S"><xs:restriction base="xs:decimal"/></xs:simpleType>', "unsupported type"),
    ('<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:totalDigits value="2"/></xs:restriction>'
     '</xs:simpleType>', "unsupported facet totalDigits"),
    ('<xs:complexType name="T"><xs:sequence><xs:element name="A"><xs:complexType/></xs:element></xs:sequence>'
     '</xs:complexType>', "named type"),
    ('<xs:complexType name="T"><xs:sequence><xs:element name="A" type="Missing"/></xs:sequence></xs:complexType>',
     "types used but not defined"),
    ('<xs:attribute name="a" type="xs:string"/>', "unsupported top-level"),
])
def test_xml3_the_validator_refuses_a_schema_construct_it_does_not_enforce(tmp_path: Path, construct: str,
                                                                          message: str) -> None:
    path = tmp_path / "schema.xsd"
    path.write_text(f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{construct}</xs:schema>')
    with pytest.raises(SchemaError, match=message):
        load_schema(path)
