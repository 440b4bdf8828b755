"""The daily school feed in Wonde's JSON shape (formats.md §3): one API page per file.

A page is ``{"data": [...], "meta": {"pagination": {...}}}``. The file name says which school and which
endpoint it came from: ``<LAESTAB>/<endpoint>/<page>.json`` (the HTTP client and the folder layout both use it),
endpoint one of ``students``, ``students-leaver``, ``students-pre-admission``, ``deletions`` and
``attendance-session``; ``<LAESTAB>/school.json`` holds the school object (checked, no rows).

- A pupil (students, leavers, pre-admissions) becomes a ``RecordIn`` (source ``school_feed``, id
  ``<LAESTAB>:<Wonde id>``; Wonde's id is per admission, ``upi`` is kept in raw) and a ``RollFact``: on roll
  from the admission date, left on the leaving date, or a place starting on the admission date (pre-admission).
  Names are the legal names (the preferred forename is kept in raw). Keyed on UPN for linkage (formats.md §3).
- A session mark becomes an ``AttendanceFact`` with the 2024 code (legacy codes are kept, not rejected).
- A deletion (the MIS record was removed) becomes a ``RollFact`` of kind ``deleted`` for that pupil.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json

from cme.feeds.sources.base import (
    Accepted,
    AttendanceFact,
    FileError,
    MappingSpec,
    ParsedFile,
    PersonRow,
    RecordIn,
    Rejection,
    RollFact,
    json_safe,
    parse_date,
    validation_reasons,
)
from cme.law import attendance_codes

SOURCE = "school_feed"
ENDPOINTS = ("students", "students-leaver", "students-pre-admission", "deletions", "attendance-session")
_NAME = re.compile(r"(?:^|/)(?P<laestab>\d{7})/(?:(?P<endpoint>[a-z-]+)/[^/]*\.json|school\.json)$")
_GENDER = {"MALE": "M", "FEMALE": "F", "M": "M", "F": "F"}
_BOM = b"\xef\xbb\xbf"
_SESSIONS = {"AM": "AM", "PM": "PM"}


def _record_key(laestab: str, wonde_id: str, shared: dict[Any, Any]) -> tuple[str, str]:
    """(source, "<LAESTAB>:<Wonde id>"), one object per pupil: a first load keeps a fact for every pupil and
    every session mark to the end of the run, and most of a fact's memory is its key."""
    key = (SOURCE, sys.intern(f"{laestab}:{wonde_id}"))
    one: tuple[str, str] = shared.setdefault(key, key)
    return one


def endpoint_name(endpoint: str) -> str:
    """``attendance/session`` -> ``attendance-session`` (the file-name form)."""
    return endpoint.strip("/").replace("/", "-")


def page_name(laestab: str, endpoint: str, page: int) -> str:
    return f"{laestab}/{endpoint_name(endpoint)}/{page:04d}.json"


def _data(value: Any) -> Any:
    """Wonde wraps includes as {"data": ...}."""
    if (type(value) is dict or isinstance(value, Mapping)) and "data" in value:
        return value["data"]
    return value


def _nc_year(label: Any) -> int | None:
    text = str(label or "").strip().upper()
    if not text:
        return None
    if text in ("R", "REC", "RECEPTION"):
        return 0
    if text.startswith("N") and text[1:].isdigit():
        return -int(text[1:])
    text = text.removeprefix("Y").removeprefix("YEAR").strip()
    return int(text) if text.lstrip("-").isdigit() else None


def _address(contact: Any) -> tuple[str, str]:
    addresses = (_data(contact) or {}).get("addresses") or {}
    home = addresses.get("home") or addresses.get("postal") or {}
    if not isinstance(home, Mapping):
        return "", ""
    first = " ".join(str(p) for p in (home.get("house_number"), home.get("street")) if p)
    parts = [home.get("house_name"), first, home.get("locality"), home.get("town")]
    return ", ".join(str(p) for p in parts if p), str(home.get("postcode") or "")


def _pupil(item: Mapping[str, Any], *, laestab: str, endpoint: str, number: int,
           context: Mapping[str, Any], shared: dict[Any, Any]) -> Accepted | Rejection:
    raw = item
    wonde_id = str(item.get("id") or "").strip()
    if not wonde_id:
        return Rejection(number, json_safe(raw), ("id: the Wonde student id is missing",))
    education = _data(item.get("education_details")) or {}
    if not isinstance(education, Mapping):
        education = {}
    address, postcode = _address(item.get("contact_details"))
    values = {
        "source_record_id": f"{laestab}:{wonde_id}",
        "forename": item.get("legal_forename") or item.get("forename"),
        "middle_names": item.get("middle_names"),
        "surname": item.get("legal_surname") or item.get("surname"),
        "date_of_birth": item.get("date_of_birth"),
        "sex": _GENDER.get(str(item.get("gender") or "").upper(), ""),
        "postcode": postcode,
        "address": address,
        "upn": education.get("upn") or "",
    }
    reasons: list[str] = []
    try:
        row = PersonRow.model_validate(values, context=context)
    except ValidationError as exc:
        return Rejection(number, json_safe(raw), tuple(validation_reasons(exc)))
    fields, warnings, reasons = row.checked()
    try:
        admitted = parse_date(education.get("admission_date"))
        leaving = parse_date(education.get("leaving_date"))
    except ValueError as exc:
        reasons.append(f"admission or leaving date: {exc}")
        admitted = leaving = None
    if endpoint == "students-leaver" and leaving is None:
        reasons.append("leaving date: a leaver needs a leaving date")
    if admitted is not None and leaving is not None and leaving < admitted:
        reasons.append(f"leaving date {leaving:%d/%m/%Y} is before the admission date {admitted:%d/%m/%Y}")
    if endpoint != "students-pre-admission" and admitted is None:
        reasons.append("admission date: a pupil on the admission register needs an admission date")
    if reasons:
        return Rejection(number, json_safe(raw), tuple(reasons))
    kind = {"students": "on_roll", "students-leaver": "left", "students-pre-admission": "pre_admission"}[endpoint]
    record_raw = {
        "wonde_id": wonde_id,
        "upi": item.get("upi"),
        "mis_id": item.get("mis_id"),
        "school": laestab,
        "preferred_forename": item.get("forename"),
        "preferred_surname": item.get("surname"),
        "former_upn": education.get("former_upn"),
        "current_nc_year": education.get("current_nc_year"),
        "part_time": education.get("part_time"),
        "admission_date": admitted.isoformat() if admitted else None,
        "leaving_date": leaving.isoformat() if leaving else None,
        "endpoint": endpoint,
    }
    if warnings:
        record_raw["warnings"] = warnings
    record = RecordIn(source=SOURCE, raw=record_raw, **fields)
    if admitted is not None:
        admitted = shared.setdefault(admitted, admitted)
    fact = RollFact(kind=kind, record=_record_key(laestab, wonde_id, shared), laestab=laestab, start=admitted,
                    end=leaving if kind == "left" else None, nc_year=_nc_year(education.get("current_nc_year")))
    return Accepted(number, record=record, facts=(fact,), warnings=tuple(warnings))


def _mark(item: Mapping[str, Any], *, laestab: str, number: int, shared: dict[Any, Any]) -> Accepted | Rejection:
    reasons = []
    student = str(item.get("student") or item.get("student_id") or "").strip()
    if not student:
        reasons.append("student: the Wonde student id is missing")
    session = str(item.get("session") or "").strip().upper()
    session = _SESSIONS.get(session, session)
    if session not in _SESSIONS:
        reasons.append(f"session: {item.get('session')!r} is not AM or PM")
    code_value = _data(item.get("attendance_code"))
    code = str(code_value.get("code") if isinstance(code_value, Mapping) else code_value or "").strip()
    if not code:
        reasons.append("attendance code: missing")
    else:
        try:
            code = attendance_codes.lookup(code).code
        except ValueError:
            reasons.append(f"attendance code: {code!r} is not a recognised code")
    try:
        day = parse_date(item.get("date"))
        if day is None:
            reasons.append("date: missing")
    except ValueError as exc:
        reasons.append(f"date: {exc}")
        day = None
    if reasons or day is None:
        return Rejection(number, json_safe(item), tuple(reasons))
    fact = AttendanceFact(record=_record_key(laestab, student, shared), laestab=laestab,
                          date=shared.setdefault(day, day), session=session, code=code)
    return Accepted(number, facts=(fact,))


def _deletion(item: Mapping[str, Any], *, laestab: str, number: int) -> Accepted | Rejection:
    raw = json_safe(item)
    kind = str(item.get("type") or "student").lower()
    if kind not in ("student", "students"):
        return Accepted(number, warnings=(f"deletion of a {kind} record: nothing to do",))
    wonde_id = str(item.get("id") or item.get("student_id") or "").strip()
    if not wonde_id:
        return Rejection(number, raw, ("id: the deleted record's id is missing",))
    try:
        deleted = parse_date(item.get("deleted_at") or item.get("updated_at"))
    except ValueError as exc:
        return Rejection(number, raw, (f"deleted at: {exc}",))
    if item.get("restored_at"):
        return Accepted(number, warnings=("deletion later restored: nothing to do",))
    fact = RollFact(kind="deleted", record=(SOURCE, f"{laestab}:{wonde_id}"), laestab=laestab, end=deleted)
    return Accepted(number, facts=(fact,))


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    """One Wonde page (see the module docstring). Raises FileError for a file that is not a Wonde page."""
    match = _NAME.search(name.replace("\\", "/"))
    if match is None:
        raise FileError(f"{name}: the file name should be <LAESTAB>/<endpoint>/<page>.json "
                        f"(endpoints: {', '.join(ENDPOINTS)}) or <LAESTAB>/school.json.")
    laestab, endpoint = match["laestab"], match["endpoint"]
    if endpoint is not None and endpoint not in ENDPOINTS:
        raise FileError(f"{name}: {endpoint!r} is not an endpoint we read ({', '.join(ENDPOINTS)}).")
    if not data.strip():
        raise FileError(f"{name}: the file is empty.")
    try:  # pydantic's JSON reader (a dependency already): a third faster than json.loads on these pages
        document = from_json(data.removeprefix(_BOM), cache_strings="keys")
    except ValueError as exc:  # not JSON, or not UTF-8
        raise FileError(f"{name}: not valid JSON ({exc}).") from exc
    parsed = ParsedFile(name=name)
    if endpoint is None:  # school.json
        school = _data(document) if isinstance(document, Mapping) else None
        if not isinstance(school, Mapping):
            raise FileError(f"{name}: the school object is missing.")
        given = f"{school.get('la_code', '')}{school.get('establishment_number', '')}"
        if given and given != laestab:
            raise FileError(f"{name}: the school object is {given}, not {laestab}.")
        return parsed
    if not isinstance(document, Mapping) or not isinstance(document.get("data"), list):
        raise FileError(f"{name}: a Wonde page is {{\"data\": [...], \"meta\": ...}}; this file is not.")
    context = {"on": on}
    shared: dict[Any, Any] = {}  # equal keys and dates as one object each (see `_record_key`)
    seen: dict[object, int] = {}
    for number, item in enumerate(document["data"], start=1):
        if type(item) is not dict and not isinstance(item, Mapping):
            parsed.items.append(Rejection(number, {"value": str(item)[:500]}, ("not a JSON object",)))
            continue
        if endpoint == "attendance-session":
            result = _mark(item, laestab=laestab, number=number, shared=shared)
            key: object = None
            if isinstance(result, Accepted) and result.facts and isinstance(result.facts[0], AttendanceFact):
                fact = result.facts[0]
                key = (fact.record[1], fact.date, fact.session)
        elif endpoint == "deletions":
            result = _deletion(item, laestab=laestab, number=number)
            key = None
        else:
            result = _pupil(item, laestab=laestab, endpoint=endpoint, number=number, context=context,
                            shared=shared)
            key = result.record.source_record_id if isinstance(result, Accepted) and result.record else None
        if key is not None:
            if key in seen:
                result = Rejection(number, json_safe(item), (f"duplicate of item {seen[key]} on this page",))
            else:
                seen[key] = number
        parsed.items.append(result)
    return parsed


def fact_from_raw(source_record_id: str, raw: Mapping[str, Any]) -> RollFact | None:
    """The roll fact a stored school-feed record gave (for records linked later by a person, whose fact waited)."""
    kind = {"students": "on_roll", "students-leaver": "left", "students-pre-admission": "pre_admission"}.get(
        str(raw.get("endpoint", "")))
    laestab = str(raw.get("school") or "")
    if kind is None or len(laestab) != 7:
        return None
    try:
        start = parse_date(raw.get("admission_date"))
        end = parse_date(raw.get("leaving_date"))
    except ValueError:
        return None
    return RollFact(kind=kind, record=(SOURCE, source_record_id), laestab=laestab, start=start,
                    end=end if kind == "left" else None, nc_year=_nc_year(raw.get("current_nc_year")))
