"""Common Transfer File data model, version rule and file names (formats.md §1; rules.md R7.1-R7.3)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "DOCUMENT_NAME",
    "LA_SENDER_ESTAB",
    "LOST_PUPIL_DEST_ESTAB",
    "LOST_PUPIL_DEST_LA",
    "CTFContact",
    "CTFError",
    "CTFHeader",
    "CTFPhone",
    "CTFPupil",
    "CTFSchoolHistoryEntry",
    "ParsedCTF",
    "ctf_academic_year",
    "ctf_file_name",
    "ctf_version",
    "lost_pupil_file_name",
    "nc_year_from_code",
]

DOCUMENT_NAME: Final = "Common Transfer File"
#: R7.2 / formats.md §1.5: destination unknown -> Lost Pupil Database.
LOST_PUPIL_DEST_LA: Final = "XXX"
LOST_PUPIL_DEST_ESTAB: Final = "XXXX"
#: formats.md §1.5: an LA (not a school) sending a CTF uses LLLL in place of an establishment number.
LA_SENDER_ESTAB: Final = "LLLL"

_LA = re.compile(r"^[0-9]{3}$")
_ESTAB = re.compile(r"^[0-9]{4}$")


class CTFError(ValueError):
    """A CTF that cannot be accepted. ``str(error)`` is written for a CME officer, not a developer."""


@dataclass(frozen=True)
class CTFPhone:
    """``Phones/Phone``: TelephoneType (code list UNCONFIRMED, e.g. H, M) and PhoneNo."""

    number: str
    telephone_type: str | None = None


@dataclass(frozen=True)
class CTFContact:
    """``Contacts/Contact`` (formats.md §1.4). ``responsibility`` = has parental responsibility."""

    forename: str | None = None
    surname: str | None = None
    relationship: str | None = None
    responsibility: bool | None = None
    phones: tuple[CTFPhone, ...] = ()
    email: str | None = None
    title: str | None = None
    order: int | None = None


@dataclass(frozen=True)
class CTFSchoolHistoryEntry:
    """``SchoolHistory/School``: one school the pupil attended."""

    lea: str | None = None
    estab: str | None = None
    school_name: str | None = None
    entry_date: dt.date | None = None
    leaving_date: dt.date | None = None
    leaving_reason: str | None = None


@dataclass(frozen=True)
class CTFPupil:
    """One ``Pupil`` (formats.md §1.4): identity, ``BasicDetails``, address, phones, contacts, school history.

    ``nc_year_actual`` is kept as the CTF code (e.g. "5", "R", "N2"); see ``nc_year_from_code``.
    ``address_lines`` are ``AddressLines/AddressLine1..5`` (a BS7666 address read from a file is turned
    into lines).
    """

    upn: str
    surname: str
    forename: str
    dob: dt.date | None
    sex: str | None = None
    former_upn: str | None = None
    preferred_surname: str | None = None
    preferred_forename: str | None = None
    former_surname: str | None = None
    former_forename: str | None = None
    middle_names: str | None = None
    nc_year_actual: str | None = None
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    phones: tuple[CTFPhone, ...] = ()
    email: str | None = None
    contacts: tuple[CTFContact, ...] = ()
    school_history: tuple[CTFSchoolHistoryEntry, ...] = ()


@dataclass(frozen=True)
class CTFHeader:
    """``Header`` (formats.md §1.3).

    ``academic_year`` and ``version`` default to the values the version rule gives for ``generated_at``.
    ``generated_at`` is None only for a parsed file whose DateTime could not be read.
    """

    source_lea: str
    source_estab: str
    source_school_name: str | None
    dest_lea: str
    dest_estab: str
    generated_at: dt.datetime | None
    academic_year: int | None = None
    version: str | None = None
    document_qualifier: str = "full"
    supplier_id: str = "CME"
    source_urn: str | None = None
    dest_urn: str | None = None
    document_name: str = DOCUMENT_NAME


@dataclass(frozen=True)
class ParsedCTF:
    """A CTF that passed the structural checks, with non-fatal problems listed in ``warnings``."""

    header: CTFHeader
    pupils: tuple[CTFPupil, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def version(self) -> str | None:
        """The file's ``CTFversion``."""
        return self.header.version


def ctf_academic_year(on: dt.date) -> int:
    """The CTF ``AcademicYear`` for a file made on ``on``: files made on or after 1 August carry that year.

    formats.md §1.1 (P1): "Files exported on or after 1 Aug 2025 carry AcademicYear 2025 and version 25.0".
    (This is the CTF's own switch-over date, not the 1 September school year of R1.3.)
    """
    return on.year if on.month >= 8 else on.year - 1


def ctf_version(academic_year: int) -> str:
    """formats.md §1.1 versioning rule: last two digits of the academic year's start year + ".0" (2025 -> "25.0")."""
    return f"{academic_year % 100:02d}.0"


def _check_source(src_la: str, src_estab: str) -> None:
    if not _LA.match(src_la):
        raise ValueError(f"Source LA {src_la!r} is not three digits.")
    if src_estab != LA_SENDER_ESTAB and not _ESTAB.match(src_estab):
        raise ValueError(f"Source establishment {src_estab!r} is not four digits or {LA_SENDER_ESTAB}.")


def ctf_file_name(src_la: str, src_estab: str, dest_la: str, dest_estab: str, seq: int = 1) -> str:
    """formats.md §1.5: ``{srcLA}{srcEstab}_CTF_{destLA}{destEstab}_{nnn}.xml``.

    Destination "XXX"/"XXXX" (unknown, R7.2) and "MMM"/"MMMM" (R7.3, UNCONFIRMED) are allowed.
    """
    _check_source(src_la, src_estab)
    if not (_LA.match(dest_la) or dest_la in ("XXX", "MMM")):
        raise ValueError(f"Destination LA {dest_la!r} is not three digits, XXX or MMM.")
    if not (_ESTAB.match(dest_estab) or dest_estab in ("XXXX", "MMMM")):
        raise ValueError(f"Destination establishment {dest_estab!r} is not four digits, XXXX or MMMM.")
    if not 1 <= seq <= 999:
        raise ValueError(f"Sequence number {seq} is not 1-999.")
    return f"{src_la}{src_estab}_CTF_{dest_la}{dest_estab}_{seq:03d}.xml"


def lost_pupil_file_name(src_la: str, src_estab: str, seq: int = 1) -> str:
    """R7.2: a lost-pupil CTF name, e.g. ``9312999_CTF_XXXXXXX_001.xml`` (an LA sender uses estab "LLLL")."""
    return ctf_file_name(src_la, src_estab, LOST_PUPIL_DEST_LA, LOST_PUPIL_DEST_ESTAB, seq)


_NURSERY_CODES: Final = {"N1": -2, "N2": -1, "R": 0}


def nc_year_from_code(code: str | None) -> int | None:
    """A CTF ``NCyearActual`` code as an ``nc_year`` number (same scale as ``cme.law.school_age.nc_year``).

    "R" -> 0, "N2" -> -1, "N1" -> -2, "1".."14" -> the number; "X" (curriculum not followed), empty or
    anything else -> None. The N1/N2 meanings follow the DfE common basic data set (UNCONFIRMED here).
    """
    if code is None:
        return None
    cleaned = code.strip().upper()
    if cleaned in _NURSERY_CODES:
        return _NURSERY_CODES[cleaned]
    if cleaned.isascii() and cleaned.isdigit():
        return int(cleaned)
    return None
