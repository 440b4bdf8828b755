"""What every source module produces, and the shared row validation (Pydantic).

A source module's ``parse(data, *, name, mapping, on)`` reads one received file (or API page) and returns a
``ParsedFile``: every row is either ``Accepted`` (a people-level ``RecordIn`` for matching, and any school-roll
facts) or a ``Rejection`` with its reasons, so rows in = accepted + rejected (nothing is silently dropped).
A file that cannot be read at all raises ``FileError`` with a clear message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from cme.law import nhs_number as nhs_numbers
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.matching.services import RecordIn

__all__ = [
    "Accepted",
    "AttendanceFact",
    "FileError",
    "MappingSpec",
    "ParsedFile",
    "PersonRow",
    "RecordIn",
    "Rejection",
    "RollFact",
    "parse_date",
    "validation_reasons",
]


class FileError(ValueError):
    """The whole file cannot be read (wrong encoding, empty, missing columns, not JSON...)."""


@dataclass(frozen=True)
class MappingSpec:
    """A column-mapping profile as plain data (feeds.ColumnMapping without the ORM)."""

    columns: Mapping[str, str] = field(default_factory=dict)  # their heading -> our field
    date_format: str = ""
    encoding: str = "auto"
    delimiter: str = ""


@dataclass(frozen=True, slots=True)  # hundreds of thousands per feed run
class RollFact:
    """A school-roll fact from the school feed: a pupil on roll, a leaver, a deletion, a pre-admission.

    ``record`` is the (source, source_record_id) of the pupil's SourceRecord: the fact reaches a child through
    that record's link. ``start``/``end`` are the admission and leaving dates (``end`` inclusive).
    """

    kind: str  # "on_roll", "left", "deleted", "pre_admission"
    record: tuple[str, str]
    laestab: str
    start: dt.date | None = None
    end: dt.date | None = None
    nc_year: int | None = None
    deletion_ground: str = ""
    destination_laestab: str = ""
    destination_name: str = ""


@dataclass(frozen=True, slots=True)  # hundreds of thousands per feed run
class AttendanceFact:
    """One session mark for a pupil (the pupil's record key, as for RollFact)."""

    record: tuple[str, str]
    laestab: str
    date: dt.date
    session: str  # "AM" / "PM"
    code: str


@dataclass(frozen=True, slots=True)  # hundreds of thousands per feed run
class Accepted:
    row_number: int
    record: RecordIn | None = None
    facts: tuple[RollFact | AttendanceFact, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)  # hundreds of thousands per feed run
class Rejection:
    row_number: int
    raw: dict[str, Any]
    reasons: tuple[str, ...]


@dataclass
class ParsedFile:
    name: str
    items: list[Accepted | Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[Accepted]:
        return [i for i in self.items if isinstance(i, Accepted)]

    @property
    def rejected(self) -> list[Rejection]:
        return [i for i in self.items if isinstance(i, Rejection)]

    def drop_records(self) -> None:
        """Let go of the people-level rows once stored (the largest part of a parsed file); the items, their
        facts, warnings and rejections stay, so the counts and the rejected-rows report are unchanged."""
        self.items = [Accepted(item.row_number, None, item.facts, item.warnings)
                      if isinstance(item, Accepted) and item.record is not None else item for item in self.items]


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y", "%Y%m%d",
                 "%d %b %Y", "%d %B %Y")
_DATETIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


_FAST_FORMATS = {"%d/%m/%Y": ("/", (0, 1, 2)), "%d-%m-%Y": ("-", (0, 1, 2)), "%d.%m.%Y": (".", (0, 1, 2)),
                 "%m/%d/%Y": ("/", (1, 0, 2)), "%Y-%m-%d": ("-", (2, 1, 0)), "": ("/", (0, 1, 2))}


def _fast_date(text: str, date_format: str) -> dt.date | None:
    """The usual numeric formats without strptime (which is slow at hundreds of thousands of rows)."""
    found = _FAST_FORMATS.get(date_format)
    if found is None:
        return None
    separator, (day, month, year) = found
    parts = text.split(separator)
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[year]) != 4:
        return None
    try:
        return dt.date(int(parts[year]), int(parts[month]), int(parts[day]))
    except ValueError:
        return None


def parse_date(value: Any, date_format: str = "") -> dt.date | None:
    """A date from a cell: ISO, UK (dd/mm/yyyy) or the profile's format; Excel dates; Wonde date objects.

    Raises ValueError with a readable message when the text is not a real date.
    """
    if value is None:
        return None
    kind = type(value)
    if kind is dict or (kind is not str and isinstance(value, Mapping)):
        # Wonde: {"date": "2002-09-29 00:00:00.000000", "timezone": ...}
        return parse_date(value.get("date"), date_format)
    if kind is not str:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
    text = str(value).strip()
    if not text:
        return None
    if not date_format and len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        try:  # ISO, with or without a time (Wonde: "2026-11-27 00:00:00.000000"): the common case, fast
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    fast = _fast_date(text, date_format)
    if fast is not None:
        return fast
    text = _DATETIME_TAIL.sub("", text)
    formats = (date_format, *_DATE_FORMATS) if date_format else _DATE_FORMATS
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date we can read (use YYYY-MM-DD or DD/MM/YYYY)")


_SEX = {"m": "M", "male": "M", "boy": "M", "1": "M", "f": "F", "female": "F", "girl": "F", "2": "F",
        "u": "U", "unknown": "U", "not known": "U", "0": "U", "9": "U", "x": "U", "": ""}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


_TEXT_FIELDS = frozenset({"forename", "middle_names", "surname", "address", "postcode", "upn", "nhs_number"})


class PersonRow(BaseModel):
    """The fields every people-level source can give (matching.services.RecordIn), validated.

    Identifiers that fail their check are not used for linking (they are dropped with a warning, the row is
    kept): a mistyped UPN must not stop the rest of the row finding the child.
    """

    # No string cache: its 16,384 strings, made throughout a 100,000-row file and kept after it, pin the memory
    # the parsed rows were in, so it could not be reused outside Python (DuckDB, while linking) (SECURITY-PLAN PERF-4).
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", cache_strings=False)
    date_format: ClassVar[str] = ""

    source_record_id: str
    forename: str = ""
    middle_names: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    postcode: str = ""
    address: str = ""
    upn: str = ""
    nhs_number: str = ""

    @field_validator("source_record_id", mode="before")
    @classmethod
    def _record_id(cls, value: Any) -> str:
        text = _text(value)
        if not text:
            raise ValueError("the record id is missing")
        if len(text) > 100:
            raise ValueError("the record id is longer than 100 characters")
        return text

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        """Text fields trimmed with single spaces (one call per row: this runs hundreds of thousands of times)."""
        if not isinstance(data, dict):
            return data
        return {k: (_text(v) if k in _TEXT_FIELDS else v) for k, v in data.items()}

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> str:
        text = _text(value).lower()
        if text not in _SEX:
            raise ValueError(f"{value!r} is not a sex we recognise (M, F or U)")
        return _SEX[text]

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _dob(cls, value: Any, info: Any) -> dt.date | None:
        context = info.context or {}
        day = parse_date(value, context.get("date_format", ""))
        on = context.get("on") or dt.date.today()  # noqa: DTZ011 - a calendar date, not an instant
        if day is not None and day > on:
            raise ValueError(f"{day:%d/%m/%Y} is in the future")
        if day is not None and day.year < 1990:
            raise ValueError(f"{day:%d/%m/%Y} is too long ago for a child")
        return day

    def checked(self) -> tuple[dict[str, Any], list[str], list[str]]:
        """(fields for RecordIn, warnings, reasons to reject)."""
        warnings: list[str] = []
        reasons: list[str] = []
        values = {name: getattr(self, name) for name in _PERSON_FIELDS}
        if values["upn"]:
            upn = upns.normalise(values["upn"])
            if upns.validate(upn):
                warnings.append(f"UPN {values['upn']!r} is not valid: not used for matching")
                values["upn"] = ""
            else:
                values["upn"] = upn
        if values["nhs_number"]:
            if not nhs_numbers.is_valid(values["nhs_number"]):
                warnings.append(f"NHS number {values['nhs_number']!r} is not valid: not used for matching")
                values["nhs_number"] = ""
            else:
                values["nhs_number"] = nhs_numbers.normalise(values["nhs_number"])
        if values["postcode"]:
            normal = postcodes.normalise(values["postcode"])
            if normal is None:
                warnings.append(f"postcode {values['postcode']!r} is not a valid postcode")
            else:
                values["postcode"] = normal
        if not (values["forename"] or values["surname"]):
            reasons.append("no name: a forename or a surname is needed")
        if not (values["date_of_birth"] or values["upn"] or values["nhs_number"]):
            reasons.append("nothing to identify the child by: a date of birth, a UPN or an NHS number is needed")
        values["identifiers_checked"] = True  # matching does not check the UPN and NHS number a second time
        return values, warnings, reasons


def validation_reasons(error: ValidationError, labels: Mapping[str, str] | None = None) -> list[str]:
    """Readable reasons from a Pydantic error: 'date of birth: "31/02/2015" is not a date we can read'."""
    reasons = []
    for item in error.errors():
        name = ".".join(str(p) for p in item.get("loc", ())) or "row"
        label = (labels or {}).get(name, name.replace("_", " "))
        message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        if item.get("type") == "missing":
            message = "is missing"
        elif item.get("type") in ("date_from_datetime_parsing", "date_parsing", "date_type"):
            message = f"{item.get('input')!r} is not a date we can read"
        reasons.append(f"{label}: {message}")
    return reasons


def json_safe(row: Mapping[str, Any]) -> dict[str, Any]:
    """A raw row as JSON (dates as ISO strings, everything else as text), for RejectedRow and SourceRecord.raw."""
    if all(type(v) is str for v in row.values()):
        return {str(k): v for k, v in row.items()}
    safe: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dt.datetime | dt.date):
            safe[str(key)] = value.isoformat()
        elif value is None or isinstance(value, bool | int | float | str):
            safe[str(key)] = value
        elif isinstance(value, Mapping):
            safe[str(key)] = json_safe(value)
        elif isinstance(value, Iterable):
            safe[str(key)] = [json_safe(v) if isinstance(v, Mapping) else str(v) for v in value]
        else:
            safe[str(key)] = str(value)
    return safe


#: The usual headings for the people-level fields (a profile overrides them).
PERSON_ALIASES: dict[str, tuple[str, ...]] = {
    "source_record_id": ("id", "record id", "record_id", "reference", "ref"),
    "forename": ("first name", "firstname", "first_name", "given name", "given names", "forenames"),
    "middle_names": ("middle name", "middle names", "middle_name", "other names"),
    "surname": ("last name", "lastname", "last_name", "family name"),
    "date_of_birth": ("dob", "date of birth", "birth date", "birthdate", "d o b"),
    "sex": ("gender",),
    "postcode": ("post code", "postal code"),
    "address": ("address line 1", "address1", "home address", "street address"),
    "upn": ("unique pupil number", "pupil number"),
    "nhs_number": ("nhs no", "nhs", "nhs_number", "nhsno"),
}

#: Field labels for messages (rejected rows, missing columns).
LABELS: dict[str, str] = {
    "source_record_id": "record id",
    "date_of_birth": "date of birth",
    "nhs_number": "NHS number",
    "upn": "UPN",
}


def aliases(**extra: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    merged = dict(PERSON_ALIASES)
    for key, values in extra.items():
        merged[key] = (*values, *merged.get(key, ()))
    return merged


_PERSON_FIELDS = tuple(PersonRow.model_fields)


class DatedRow(PersonRow):
    """A PersonRow with helpers for extra date columns (parsed like dates of birth, future dates allowed)."""

    @classmethod
    def _date(cls, value: Any, info: Any) -> dt.date | None:
        fmt = (info.context or {}).get("date_format", "") if info.context else ""
        return parse_date(value, fmt)
