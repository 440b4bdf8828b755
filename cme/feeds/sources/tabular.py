"""Reading partner extracts: CSV (any of , ; tab; UTF-8 with or without BOM, else Windows-1252) and Excel.

- UTF-16 and binary files are refused with a clear message (save as "CSV UTF-8" instead);
- quoted values may contain the delimiter and new lines;
- a cell that starts like a spreadsheet formula (= + - @) is kept as text, never evaluated;
- columns are found by heading through the mapping profile (their heading -> our field) or the source's
  usual headings, so missing, extra and reordered columns are handled; a missing *required* column stops the
  file with a message naming it;
- every non-blank row is accepted or rejected with reasons (a duplicate record id in the same file is rejected).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from cme.feeds.sources.base import (
    Accepted,
    FileError,
    MappingSpec,
    ParsedFile,
    PersonRow,
    RecordIn,
    Rejection,
    RollFact,
    json_safe,
    validation_reasons,
)

__all__ = ["decode", "parse_extract", "read_table", "sniff_delimiter"]

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_DELIMITERS = (",", ";", "\t", "|")


def _norm_heading(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def decode(data: bytes, encoding: str = "auto") -> tuple[str, list[str]]:
    """Text from bytes, with any warnings. Refuses UTF-16/32 and binary content with a clear message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 3 and (data[1:2] == b"\x00" or data[:1] == b"\x00")):
        raise FileError("The file is saved as UTF-16 (\"Unicode text\"). Save it as \"CSV UTF-8\" and upload again.")
    if b"\x00" in data[:4096]:
        raise FileError("The file contains binary data: it is not a CSV text file.")
    warnings: list[str] = []
    if encoding and encoding not in ("auto", ""):
        try:
            return data.decode(encoding).removeprefix("\ufeff"), warnings
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileError(f"The file could not be read as {encoding}: {exc}") from exc
    try:
        return data.decode("utf-8-sig"), warnings
    except UnicodeDecodeError:
        warnings.append("The file is not UTF-8; it was read as Windows-1252 (check names with accents).")
        return data.decode("cp1252", errors="replace"), warnings


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV: the candidate that splits the header line into the most columns (quotes aware).

    A header line the csv module cannot read (a bare carriage return inside it, say) is refused with FileError,
    like every other unreadable file (SECURITY-PLAN IMP-4).
    """
    first = sample.split("\n", 1)[0]
    best, best_count = ",", 0
    for candidate in _DELIMITERS:
        try:
            count = len(next(csv.reader([first], delimiter=candidate), []))
        except csv.Error as exc:
            raise FileError(
                "The first row (the column headings) is not readable CSV: it has a carriage return inside it "
                "(a line break inside a heading, or old Mac line endings). Save it as \"CSV UTF-8\" and upload "
                "again.") from exc
        if count > best_count:
            best, best_count = candidate, count
    return best


def _cell(value: Any) -> Any:
    """Excel cell values as we use them: whole floats as integers (NHS numbers), dates kept, text as text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value
    if value is None:
        return ""
    return str(value)


def _read_excel(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileError(f"The Excel file could not be opened: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def read_table(data: bytes, *, name: str, mapping: MappingSpec) -> tuple[list[Any], Iterator[tuple[int, list[Any]]],
                                                                          list[str]]:
    """(header, data rows as (row number, cells), warnings). Row 1 is the header, as a spreadsheet shows it."""
    if not data.strip():
        raise FileError("The file is empty.")
    warnings: list[str] = []
    if data.startswith(_XLS_MAGIC):
        raise FileError("Old Excel (.xls) files are not accepted: save it as .xlsx or CSV UTF-8.")
    if data.startswith(_XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        rows: Iterator[list[Any]] = _read_excel(data)
    else:
        text, warnings = decode(data, mapping.encoding)
        delimiter = mapping.delimiter.replace("\\t", "\t") if mapping.delimiter else sniff_delimiter(text[:8192])
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise FileError("The file is empty.") from None
    except csv.Error as exc:
        raise FileError(f"The file is not a readable CSV: {exc}") from exc
    while header and not str(header[-1]).strip():
        header = header[:-1]
    if not header:
        raise FileError("The first row should hold the column headings; it is empty.")

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for row in rows:
                number += 1
                yield number, row
        except csv.Error as exc:
            raise FileError(f"Row {number + 1} is not readable CSV: {exc}") from exc

    return header, numbered(), warnings


def _columns(header: Sequence[Any], mapping: MappingSpec, aliases: Mapping[str, Sequence[str]]) -> dict[int, str]:
    """Position -> our field, from the profile first, then the source's usual headings."""
    profile = {_norm_heading(theirs): ours for theirs, ours in mapping.columns.items()}
    usual = {_norm_heading(heading): ours for ours, headings in aliases.items() for heading in (ours, *headings)}
    found: dict[int, str] = {}
    taken: set[str] = set()
    for index, heading in enumerate(header):
        key = _norm_heading(heading)
        ours = profile.get(key) if profile else None
        if ours is None and not mapping.columns:
            ours = usual.get(key)
        if ours and ours not in taken:
            found[index] = ours
            taken.add(ours)
    return found


def parse_extract(
    data: bytes,
    *,
    name: str,
    mapping: MappingSpec,
    on: dt.date,
    source: str,
    schema: type[PersonRow],
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    extras: Callable[[BaseModel], dict[str, Any]] | None = None,
    facts: Callable[[BaseModel, tuple[str, str]], tuple[RollFact, ...]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> ParsedFile:
    """Parse one partner extract into RecordIn rows (and rejections). See the module docstring."""
    header, rows, warnings = read_table(data, name=name, mapping=mapping)
    columns = _columns(header, mapping, aliases)
    missing = [f for f in required if f not in columns.values()]
    if missing:
        wanted = []
        for f in missing:
            theirs = [k for k, v in mapping.columns.items() if v == f] or list(aliases.get(f, ()))[:2] or [f]
            wanted.append(f"{(labels or {}).get(f, f.replace('_', ' '))} (heading {' or '.join(map(repr, theirs))})")
        raise FileError(f"The file has no column for: {', '.join(wanted)}. Check the column-mapping profile.")
    parsed = ParsedFile(name=name, warnings=list(warnings))
    seen_ids: dict[str, int] = {}
    blank = 0
    width = len(header)
    context = {"date_format": mapping.date_format, "on": on}
    for number, cells in rows:
        if not any(str(c).strip() for c in cells):
            blank += 1
            continue
        raw = {str(header[i]) if i < width else f"column {i + 1}": cells[i] for i in range(len(cells))}
        extra_cells = [c for c in cells[width:] if str(c).strip()]
        if extra_cells:
            parsed.items.append(Rejection(number, json_safe(raw), (
                f"the row has {len(cells)} values but the header has {width} columns "
                "(a delimiter or quote inside a value?)",)))
            continue
        values = {ours: cells[index] if index < len(cells) else "" for index, ours in columns.items()}
        try:
            row = schema.model_validate(values, context=context)
        except ValidationError as exc:
            parsed.items.append(Rejection(number, json_safe(raw), tuple(validation_reasons(exc, labels))))
            continue
        fields, row_warnings, reasons = row.checked()
        if reasons:
            parsed.items.append(Rejection(number, json_safe(raw), tuple(reasons)))
            continue
        record_id = fields["source_record_id"]
        if record_id in seen_ids:
            parsed.items.append(Rejection(number, json_safe(raw), (
                f"duplicate record id {record_id!r} (also on row {seen_ids[record_id]}): only the first is used",)))
            continue
        seen_ids[record_id] = number
        raw_json = json_safe(raw)
        if extras is not None:
            raw_json = {"row": raw_json, **json_safe(extras(row))}
        else:
            raw_json = {"row": raw_json}
        if row_warnings:
            raw_json["warnings"] = row_warnings
        row_facts = facts(row, (source, record_id)) if facts is not None else ()
        parsed.items.append(Accepted(number, RecordIn(source=source, raw=raw_json, **fields), facts=row_facts,
                                     warnings=tuple(row_warnings)))
    if blank:
        parsed.warnings.append(f"{blank} blank line(s) ignored.")
    return parsed
