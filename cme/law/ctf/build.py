"""Writing Common Transfer Files (formats.md §1.2-§1.5; rules.md R7.1, R7.2).

Element names are the ones the DfE implementations agree on (formats.md §1.2); ``Sex`` is written, not
``Gender`` (CTF 25). No namespace. Empty optional fields are left out rather than written empty.
Building uses the standard library *writer* (``ElementTree`` serialisation), which never parses input;
the project-wide ban on ``xml.etree.ElementTree`` is about parsing, so it is waived here by a ``noqa``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: TID251 - only *writes* XML; every parse goes through defusedxml
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from cme.law.ctf.model import (
    LOST_PUPIL_DEST_ESTAB,
    LOST_PUPIL_DEST_LA,
    CTFContact,
    CTFHeader,
    CTFPhone,
    CTFPupil,
    CTFSchoolHistoryEntry,
    ctf_academic_year,
    ctf_version,
    lost_pupil_file_name,
)
from cme.law.ctf.schema import validate_ctf

__all__ = ["build_ctf", "build_lost_pupil_ctf", "format_ctf_datetime"]

_UK = ZoneInfo("Europe/London")
_XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
#: Characters XML 1.0 cannot carry at all (control characters, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_ADDRESS_LINES = 5


def format_ctf_datetime(moment: dt.datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss`` with no zone (formats.md §1.3); an aware time is given in UK local time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(_UK)
    return moment.replace(tzinfo=None, microsecond=0).isoformat()


def _add(parent: ET.Element, tag: str, value: str | int | bool | dt.date | None) -> None:
    """Append ``<tag>value</tag>`` unless value is None or an empty string."""
    if value is None:
        return
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    if text == "":
        return
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueError(f"{tag} contains the character {bad.group(0)!r}, which cannot be written to a CTF.")
    ET.SubElement(parent, tag).text = text


def _header(parent: ET.Element, header: CTFHeader) -> None:
    if header.generated_at is None:
        raise ValueError("A CTF header needs generated_at (the DateTime of the file).")
    academic_year = header.academic_year or ctf_academic_year(header.generated_at.date())
    element = ET.SubElement(parent, "Header")
    _add(element, "DocumentName", header.document_name)
    _add(element, "CTFversion", header.version or ctf_version(academic_year))
    _add(element, "DateTime", format_ctf_datetime(header.generated_at))
    _add(element, "DocumentQualifier", header.document_qualifier)
    _add(element, "SupplierID", header.supplier_id)
    source = ET.SubElement(element, "SourceSchool")
    _add(source, "LEA", header.source_lea)
    _add(source, "Estab", header.source_estab)
    _add(source, "URN", header.source_urn)
    _add(source, "SchoolName", header.source_school_name)
    _add(source, "AcademicYear", academic_year)
    dest = ET.SubElement(element, "DestSchool")
    _add(dest, "LEA", header.dest_lea)
    _add(dest, "Estab", header.dest_estab)
    _add(dest, "URN", header.dest_urn)


def _phones(parent: ET.Element, phones: Sequence[CTFPhone]) -> None:
    if not phones:
        return
    element = ET.SubElement(parent, "Phones")
    for phone in phones:
        item = ET.SubElement(element, "Phone")
        _add(item, "TelephoneType", phone.telephone_type)
        _add(item, "PhoneNo", phone.number)


def _contact(parent: ET.Element, contact: CTFContact) -> None:
    element = ET.SubElement(parent, "Contact")
    _add(element, "Order", contact.order)
    _add(element, "Title", contact.title)
    _add(element, "Surname", contact.surname)
    _add(element, "Forename", contact.forename)
    _add(element, "Relationship", contact.relationship)
    _add(element, "Responsibility", contact.responsibility)
    _phones(element, contact.phones)
    _add(element, "Email", contact.email)


def _school(parent: ET.Element, school: CTFSchoolHistoryEntry) -> None:
    element = ET.SubElement(parent, "School")
    _add(element, "LEA", school.lea)
    _add(element, "Estab", school.estab)
    _add(element, "SchoolName", school.school_name)
    _add(element, "EntryDate", school.entry_date)
    _add(element, "LeavingDate", school.leaving_date)
    _add(element, "LeavingReason", school.leaving_reason)


def _basic_details(parent: ET.Element, pupil: CTFPupil) -> None:
    values = (
        ("FormerUPN", pupil.former_upn),
        ("PreferredSurname", pupil.preferred_surname),
        ("PreferredForename", pupil.preferred_forename),
        ("FormerSurname", pupil.former_surname),
        ("FormerForename", pupil.former_forename),
        ("MiddleNames", pupil.middle_names),
        ("NCyearActual", pupil.nc_year_actual),
    )
    if all(value in (None, "") for _, value in values):
        return
    element = ET.SubElement(parent, "BasicDetails")
    for tag, value in values:
        _add(element, tag, value)


def _address(parent: ET.Element, pupil: CTFPupil) -> None:
    lines = [line for line in pupil.address_lines if line]
    if len(lines) > _MAX_ADDRESS_LINES:
        raise ValueError(f"A CTF address has at most {_MAX_ADDRESS_LINES} lines; this one has {len(lines)}.")
    if not lines and not pupil.postcode:
        return
    element = ET.SubElement(parent, "Address")
    if lines:
        address_lines = ET.SubElement(element, "AddressLines")
        for number, line in enumerate(lines, start=1):
            _add(address_lines, f"AddressLine{number}", line)
    _add(element, "PostCode", pupil.postcode)


def _pupil(parent: ET.Element, pupil: CTFPupil) -> None:
    element = ET.SubElement(parent, "Pupil")
    _add(element, "UPN", pupil.upn)
    _add(element, "Surname", pupil.surname)
    _add(element, "Forename", pupil.forename)
    _add(element, "DOB", pupil.dob)
    _add(element, "Sex", pupil.sex)
    _basic_details(element, pupil)
    _address(element, pupil)
    _phones(element, pupil.phones)
    _add(element, "Email", pupil.email)
    if pupil.contacts:
        contacts = ET.SubElement(element, "Contacts")
        for contact in pupil.contacts:
            _contact(contacts, contact)
    if pupil.school_history:
        history = ET.SubElement(element, "SchoolHistory")
        for school in pupil.school_history:
            _school(history, school)


def build_ctf(header: CTFHeader, pupils: Sequence[CTFPupil]) -> bytes:
    """A UTF-8 CTF: ``CTfile`` > ``Header`` + ``CTFpupilData/Pupil``... (formats.md §1.2).

    ``CTFversion`` and ``AcademicYear`` default to the version rule for ``header.generated_at``
    (formats.md §1.1). Raises ValueError for a value that cannot be written (e.g. a control character).
    """
    root = ET.Element("CTfile")
    _header(root, header)
    pupil_data = ET.SubElement(root, "CTFpupilData")
    for pupil in pupils:
        _pupil(pupil_data, pupil)
    problems = validate_ctf(root)
    if problems:  # XML-3: what we send is checked against the same schema as what we receive
        raise ValueError("The CTF does not follow the schema: " + "; ".join(problems[:5]))
    ET.indent(root, space="  ")
    return _XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"


def build_lost_pupil_ctf(
    *,
    source_la: str,
    source_estab: str,
    source_school_name: str | None,
    pupil: CTFPupil,
    generated_at: dt.datetime,
    seq: int = 1,
    supplier_id: str = "CME",
) -> tuple[str, bytes]:
    """R7.2: a "lost pupil" CTF (destination XXX/XXXX, exactly one pupil) and its file name.

    An LA sending the file itself uses ``source_estab="LLLL"`` (formats.md §1.5; the same value is
    written to the header's ``SourceSchool/Estab``, which is UNCONFIRMED).
    """
    name = lost_pupil_file_name(source_la, source_estab, seq)
    header = CTFHeader(
        source_lea=source_la,
        source_estab=source_estab,
        source_school_name=source_school_name,
        dest_lea=LOST_PUPIL_DEST_LA,
        dest_estab=LOST_PUPIL_DEST_ESTAB,
        generated_at=generated_at,
        document_qualifier="full",
        supplier_id=supplier_id,
    )
    return name, build_ctf(header, [pupil])
