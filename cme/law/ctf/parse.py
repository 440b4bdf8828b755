"""Reading Common Transfer Files safely (formats.md §1; rules.md R7.1-R7.2).

Parsing uses ``defusedxml`` with DTDs, entity declarations and external references all forbidden,
so XXE and "billion laughs" payloads are refused before any expansion happens. Structural problems
raise ``CTFError`` with a message a CME officer can act on; problems with single fields (a bad date of
birth, an invalid UPN) are collected in ``ParsedCTF.warnings`` so one bad pupil does not lose a file.

Version policy (formats.md §1.1): accept the current and the previous CTF version. ``CTFversion`` is
matched case-insensitively (one vendor writes ``CTFVersion``); ``Sex`` is read, falling back to
``Gender`` (CTF 24 and earlier). XML namespaces, if any, are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

import defusedxml
import defusedxml.ElementTree as SafeET

from cme.law import upn as upn_rules
from cme.law.ctf.model import (
    DOCUMENT_NAME,
    CTFContact,
    CTFError,
    CTFHeader,
    CTFPhone,
    CTFPupil,
    CTFSchoolHistoryEntry,
    ParsedCTF,
    ctf_academic_year,
)
from cme.law.ctf.schema import validate_ctf

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # noqa: TID251 - type only; parsing is defusedxml

__all__ = ["DEFAULT_MAX_BYTES", "default_accepted_versions", "parse_ctf"]

DEFAULT_MAX_BYTES = 20_000_000
_VERSION = re.compile(r"^\s*([0-9]{1,3})(?:\.[0-9]+)?\s*$")
_BS7666_PARTS = ("SAON", "PAON", "Street", "Locality", "Town", "AdministrativeArea", "PostTown")


def default_accepted_versions(today: dt.date) -> tuple[str, str]:
    """The current and previous CTF versions on ``today`` (e.g. ("26.0", "25.0") from 1 Aug 2026)."""
    current = ctf_academic_year(today)
    return f"{current % 100:02d}.0", f"{(current - 1) % 100:02d}.0"


def _major(version: str) -> int | None:
    match = _VERSION.match(version)
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------------------------------
# Small readers
# --------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(root: Element) -> None:
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = _local(element.tag)


def _text(parent: Element | None, path: str) -> str | None:
    if parent is None:
        return None
    element = parent.find(path)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _children(parent: Element | None, path: str) -> Iterator[Element]:
    return iter(()) if parent is None else iter(parent.findall(path))


class _Reader:
    """Reads one pupil's fields, collecting warnings with the pupil's position and UPN."""

    def __init__(self, warnings: list[str], where: str) -> None:
        self.warnings = warnings
        self.where = where

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.where}: {message}")

    def date(self, parent: Element | None, path: str, label: str) -> dt.date | None:
        text = _text(parent, path)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            self.warn(f"{label} {text!r} is not a date (expected YYYY-MM-DD); it was ignored.")
            return None

    def boolean(self, parent: Element | None, path: str, label: str) -> bool | None:
        text = _text(parent, path)
        if text is None:
            return None
        lowered = text.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        self.warn(f"{label} {text!r} is not true or false; it was ignored.")
        return None

    def integer(self, parent: Element | None, path: str, label: str) -> int | None:
        text = _text(parent, path)
        if text is None:
            return None
        if text.isascii() and text.isdigit():
            return int(text)
        self.warn(f"{label} {text!r} is not a whole number; it was ignored.")
        return None


def _phones(parent: Element | None) -> tuple[CTFPhone, ...]:
    phones = []
    for phone in _children(parent, "Phones/Phone"):
        number = _text(phone, "PhoneNo")
        if number:
            phones.append(CTFPhone(number=number, telephone_type=_text(phone, "TelephoneType")))
    return tuple(phones)


def _address(pupil: Element) -> tuple[tuple[str, ...], str | None]:
    address = pupil.find("Address")
    if address is None:
        return (), None
    lines = [_text(address, f"AddressLines/AddressLine{number}") for number in range(1, 6)]
    lines += [_text(address, f"BS7666Address/{part}") for part in _BS7666_PARTS]
    lines.append(_text(address, "County"))
    return tuple(line for line in lines if line), _text(address, "PostCode")


def _contact(element: Element, reader: _Reader) -> CTFContact:
    return CTFContact(
        forename=_text(element, "Forename"),
        surname=_text(element, "Surname"),
        relationship=_text(element, "Relationship"),
        responsibility=reader.boolean(element, "Responsibility", "Contact Responsibility"),
        phones=_phones(element),
        email=_text(element, "Email"),
        title=_text(element, "Title"),
        order=reader.integer(element, "Order", "Contact Order"),
    )


def _school(element: Element, reader: _Reader) -> CTFSchoolHistoryEntry:
    return CTFSchoolHistoryEntry(
        lea=_text(element, "LEA"),
        estab=_text(element, "Estab"),
        school_name=_text(element, "SchoolName"),
        entry_date=reader.date(element, "EntryDate", "School history EntryDate"),
        leaving_date=reader.date(element, "LeavingDate", "School history LeavingDate"),
        leaving_reason=_text(element, "LeavingReason"),
    )


def _pupil(element: Element, position: int, warnings: list[str]) -> CTFPupil:
    upn = _text(element, "UPN") or ""
    reader = _Reader(warnings, f"Pupil {position}" + (f" (UPN {upn})" if upn else ""))
    if not upn:
        reader.warn("has no UPN.")
    else:
        for reason in upn_rules.validate(upn):
            reader.warn(reason)
    surname = _text(element, "Surname") or ""
    forename = _text(element, "Forename") or ""
    if not surname or not forename:
        reader.warn("has no surname or no forename.")
    dob = reader.date(element, "DOB", "Date of birth")
    if dob is None:
        reader.warn("has no readable date of birth.")
    basic = element.find("BasicDetails")
    address_lines, postcode = _address(element)
    return CTFPupil(
        upn=upn,
        surname=surname,
        forename=forename,
        dob=dob,
        sex=_text(element, "Sex") or _text(element, "Gender"),
        former_upn=_text(basic, "FormerUPN"),
        preferred_surname=_text(basic, "PreferredSurname"),
        preferred_forename=_text(basic, "PreferredForename"),
        former_surname=_text(basic, "FormerSurname"),
        former_forename=_text(basic, "FormerForename"),
        middle_names=_text(basic, "MiddleNames"),
        nc_year_actual=_text(basic, "NCyearActual"),
        address_lines=address_lines,
        postcode=postcode,
        phones=_phones(element),
        email=_text(element, "Email"),
        contacts=tuple(_contact(contact, reader) for contact in _children(element, "Contacts/Contact")),
        school_history=tuple(_school(school, reader) for school in _children(element, "SchoolHistory/School")),
    )


# --------------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------------


def _load(data: bytes, max_bytes: int) -> Element:
    if len(data) > max_bytes:
        raise CTFError(
            f"The file is too large ({len(data) / 1_000_000:.1f} MB). Files over {max_bytes / 1_000_000:.1f} MB "
            "are not accepted; a CTF is normally much smaller. Check you chose the right file."
        )
    if not data.strip():
        raise CTFError("The file is empty.")
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as error:
        raise CTFError(
            "The file contains a document type declaration (<!DOCTYPE ...>). A CTF never contains one and it "
            "can be used to attack the system, so the file was rejected."
        ) from error
    except defusedxml.EntitiesForbidden as error:
        raise CTFError(
            "The file declares XML entities. A CTF never does and they can be used to attack the system, "
            "so the file was rejected."
        ) from error
    except defusedxml.ExternalReferenceForbidden as error:
        raise CTFError(
            "The file refers to outside resources. A CTF never does and this can be used to attack the "
            "system, so the file was rejected."
        ) from error
    except defusedxml.DefusedXmlException as error:
        raise CTFError("The file uses XML features a CTF never uses, so it was rejected.") from error
    except SafeET.ParseError as error:
        line, column = error.position
        raise CTFError(
            f"The file is not valid XML (problem at line {line}, column {column}). Check it is a CTF .xml "
            "file and not a PDF, a spreadsheet or a damaged download."
        ) from error


def _check_root(root: Element) -> None:
    if root.tag == "CTfile":
        return
    if root.tag == "ATfile":
        raise CTFError("This is an admissions transfer file (ATF), not a Common Transfer File (CTF).")
    raise CTFError(f"This is not a Common Transfer File: it starts with <{root.tag}> instead of <CTfile>.")


def _version(header: Element) -> str:
    for child in header:
        if isinstance(child.tag, str) and child.tag.lower() == "ctfversion" and child.text and child.text.strip():
            return child.text.strip()
    raise CTFError("The file does not say which CTF version it is (there is no CTFversion in its header).")


def _check_version(version: str, accepted: Collection[str]) -> None:
    accepted_majors = {_major(item) for item in accepted}
    if _major(version) is None or _major(version) not in accepted_majors:
        listed = " and ".join(sorted(accepted, reverse=True))
        raise CTFError(
            f"CTF version {version} is not an expected version. This system accepts CTF {listed}. "
            "Ask the sender to export the file again from an up-to-date system."
        )


def _check_schema(root: Element) -> None:
    """XML-3: the whole file against the project's schema for the CTF subset (schema.py); refused if it fails."""
    problems = validate_ctf(root)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise CTFError(
            f"The file does not follow the CTF structure this system reads, so nothing was imported: {shown}. "
            "(Checked against this system's schema for the part of the CTF it uses, not the DfE's.) "
            "Ask the sender to export the file again."
        )


def _header(element: Element, version: str, warnings: list[str]) -> CTFHeader:
    reader = _Reader(warnings, "Header")
    generated_text = _text(element, "DateTime")
    generated_at: dt.datetime | None = None
    if generated_text:
        try:
            generated_at = dt.datetime.fromisoformat(generated_text)
        except ValueError:
            reader.warn(f"DateTime {generated_text!r} is not a date and time; it was ignored.")
    else:
        reader.warn("has no DateTime.")
    document_name = _text(element, "DocumentName") or ""
    if document_name != DOCUMENT_NAME:
        reader.warn(f"DocumentName is {document_name!r}, not {DOCUMENT_NAME!r}.")
    source = element.find("SourceSchool")
    dest = element.find("DestSchool")
    if source is None or dest is None:
        reader.warn("is missing SourceSchool or DestSchool.")
    return CTFHeader(
        source_lea=_text(source, "LEA") or "",
        source_estab=_text(source, "Estab") or "",
        source_school_name=_text(source, "SchoolName"),
        dest_lea=_text(dest, "LEA") or "",
        dest_estab=_text(dest, "Estab") or "",
        generated_at=generated_at,
        academic_year=reader.integer(source, "AcademicYear", "AcademicYear"),
        version=version,
        document_qualifier=_text(element, "DocumentQualifier") or "",
        supplier_id=_text(element, "SupplierID") or "",
        source_urn=_text(source, "URN"),
        dest_urn=_text(dest, "URN"),
        document_name=document_name,
    )


def parse_ctf(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    accepted_versions: Collection[str] | None = None,
    today: dt.date | None = None,
) -> ParsedCTF:
    """Read a CTF, refusing anything unsafe or structurally wrong with a ``CTFError``.

    ``accepted_versions`` (e.g. {"25.0", "24.0"}; compared on the major number) defaults to the current
    and previous versions on ``today`` (default: the system date), see ``default_accepted_versions``.
    """
    root = _load(data, max_bytes)
    _strip_namespaces(root)
    _check_root(root)
    header_element = root.find("Header")
    if header_element is None:
        raise CTFError("The file has no Header, so it is not a complete Common Transfer File.")
    version = _version(header_element)
    accepted = (
        accepted_versions if accepted_versions is not None else default_accepted_versions(today or dt.date.today())
    )
    _check_version(version, accepted)
    warnings: list[str] = []
    header = _header(header_element, version, warnings)
    pupil_elements = root.findall("CTFpupilData/Pupil")
    if not pupil_elements:
        raise CTFError("The file contains no pupils.")
    _check_schema(root)
    pupils = tuple(_pupil(element, position, warnings) for position, element in enumerate(pupil_elements, start=1))
    return ParsedCTF(header=header, pupils=pupils, warnings=tuple(warnings))
