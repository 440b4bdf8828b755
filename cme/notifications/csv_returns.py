"""School returns by CSV upload: the documented columns, the downloadable template, and row parsing.

A file is UTF-8 (with or without a byte-order mark, as Excel's "CSV UTF-8" saves it), one return per row,
with a header row of the column names below (any order; case and spaces in names do not matter). Dates are
YYYY-MM-DD or DD/MM/YYYY; yes/no columns take yes, no, y, n, true, false, 1 or 0 (blank is no).
The whole file is checked before anything is saved: one bad row and nothing is taken (`return_upload_submit`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from cme.notifications.inputs import DeletionReturnInput, NewEntrantReturnInput

MAX_ROWS = 2000
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_TRUE, _FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, date, bool, int
    required: bool
    description: str


_PUPIL_COLUMNS = [
    Column("school_laestab", "text", False, "Your school's LAESTAB (7 digits). Blank means your school."),
    Column("upn", "text", False, "Unique pupil number (13 characters), if the pupil has one."),
    Column("forename", "text", True, "Pupil's legal first name."),
    Column("middle_names", "text", False, "Pupil's middle names."),
    Column("surname", "text", True, "Pupil's legal last name."),
    Column("date_of_birth", "date", True, "Pupil's date of birth."),
    Column("sex", "text", False, "F, M or U."),
    Column("address", "text", True, "Pupil's home address (without the postcode)."),
    Column("postcode", "text", True, "Pupil's postcode."),
    Column("parent1_name", "text", True, "Full name of a parent the pupil normally lives with."),
    Column("parent1_phone", "text", True, "Emergency phone number for that parent."),
    Column("parent1_address", "text", False, "That parent's address, if not the pupil's."),
    Column("parent2_name", "text", False, "Full name of a second parent the pupil normally lives with."),
    Column("parent2_phone", "text", False, "Emergency phone number for the second parent (needed if named)."),
    Column("parent2_address", "text", False, "The second parent's address, if not the pupil's."),
]
_CONCERN_COLUMNS = [
    Column("safeguarding_concern", "bool", False, "yes if you have a safeguarding concern about the pupil."),
    Column("safeguarding_detail", "text", False, "The concern (needed when safeguarding_concern is yes)."),
    Column("notes", "text", False, "Anything else the local authority should know."),
]

DELETION_COLUMNS: list[Column] = [
    *_PUPIL_COLUMNS,
    Column("ground", "text", True, "Ground for deletion: a letter from A to O (reg 9(1)(a)-(o))."),
    Column("deletion_date", "date", True, "Date the pupil was deleted from the admission register."),
    Column("new_address", "text", False, "New address, if known."),
    Column("new_postcode", "text", False, "New postcode, if known."),
    Column("lives_with", "text", False, "The parent the pupil will live with at the new address, if known."),
    Column("new_address_from", "date", False, "Date the pupil moves to the new address, if known."),
    Column("new_school_name", "text", False, "New school, if known (needed for grounds A, C and D)."),
    Column("new_school_laestab", "text", False, "New school's LAESTAB, if known."),
    Column("new_school_start", "date", False, "Date the pupil starts at the new school, if known."),
    Column("parent_notice_date", "date", False, "Ground F: date of the parent's written notice of home education."),
    Column("leave_end_date", "date", False, "Ground H: date the agreed leave of absence ended."),
    Column("first_day_of_absence", "date", False, "Ground I: first day of the continuous absence."),
    Column("every_session_unexplained", "bool", False, "Ground I: yes if every session was coded G, N or O."),
    Column("no_sickness_or_unavoidable_cause", "bool", False,
           "Grounds H and I: yes if there is no reason to believe sickness or an unavoidable cause."),
    Column("joint_enquiries_completed", "bool", False,
           "Grounds H and I: yes if the school and the LA jointly made reasonable enquiries and did not find the "
           "pupil."),
    Column("joint_enquiries_la_officer", "text", False, "Grounds H and I: the LA officer you made them with."),
    *_CONCERN_COLUMNS,
]

NEW_ENTRANT_COLUMNS: list[Column] = [
    *_PUPIL_COLUMNS,
    Column("start_date", "date", True, "Date the pupil's name was entered on the admission register."),
    Column("nc_year", "int", False, "Year group (0 is reception)."),
    Column("previous_school_name", "text", False, "The pupil's previous school, if known."),
    Column("previous_school_laestab", "text", False, "The previous school's LAESTAB, if known."),
    *_CONCERN_COLUMNS,
]

COLUMNS = {"deletion_return": DELETION_COLUMNS, "new_entrant_return": NEW_ENTRANT_COLUMNS}
INPUTS: dict[str, Any] = {"deletion_return": DeletionReturnInput, "new_entrant_return": NewEntrantReturnInput}
TEMPLATE_FILENAMES = {"deletion_return": "deletion-returns-template.csv",
                      "new_entrant_return": "new-pupil-returns-template.csv"}


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: row 1 is the header row, so the first return is row 2."""

    row: int
    column: str
    message: str


class CsvInvalid(ValueError):
    """The file as a whole cannot be read (encoding, size, no header)."""


def template_csv(kind: str) -> str:
    """The header row of the template, with a byte-order mark so Excel opens it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([column.name for column in COLUMNS[kind]])
    return "\ufeff" + buffer.getvalue()


def decode(content: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused with a message saying how to fix it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvInvalid(
            "The file must be saved as UTF-8. In Excel choose Save As, then 'CSV UTF-8 (Comma delimited)'"
        ) from exc


def _key(name: str) -> str:
    return "_".join((name or "").strip().lower().replace("-", " ").split())


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    raise ValueError("Enter a real date, like 2026-11-27 or 27/11/2026")


def _convert(column: Column, raw: str) -> Any:
    value = raw.strip()
    if column.kind == "date":
        return _date(value) if value else None
    if column.kind == "bool":
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("Enter yes or no")
    if column.kind == "int":
        if not value:
            return None
        try:
            return int(value)
        except ValueError as exc:
            raise ValueError("Enter a whole number") from exc
    return value


def parse(kind: str, text: str) -> tuple[list[tuple[int, Any]], list[RowError]]:
    """Rows as inputs (with their row numbers), and every problem found reading them (not yet validated).

    A file the csv module cannot read (a value longer than its field limit, say) is refused as a whole with
    CsvInvalid, never an unhandled csv.Error (SECURITY-PLAN IMP-4).
    """
    try:
        return _parse(kind, text)
    except csv.Error as exc:
        raise CsvInvalid(f"The file is not a readable CSV file ({exc}): save it as 'CSV UTF-8 (Comma delimited)' "
                         "from the template") from exc


def _parse(kind: str, text: str) -> tuple[list[tuple[int, Any]], list[RowError]]:
    columns = {column.name: column for column in COLUMNS[kind]}
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise CsvInvalid("The file is empty: the first row must be the column names from the template")
    names = [_key(cell) for cell in header]
    errors: list[RowError] = []
    for name, raw in zip(names, header, strict=True):
        if name and name not in columns:
            errors.append(RowError(1, raw.strip(), "Unknown column: use the column names from the template"))
    seen = set(names)
    for column in columns.values():
        if column.required and column.name not in seen:
            errors.append(RowError(1, column.name, "Column missing: add it to the header row"))
    if errors:
        return [], errors
    rows: list[tuple[int, Any]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvInvalid(f"The file has more than {MAX_ROWS} returns: split it into smaller files")
        if len(cells) > len(names):
            errors.append(RowError(number, "", f"The row has {len(cells)} values but there are {len(names)} columns"))
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(names, cells, strict=False):
            if not name:
                continue
            try:
                values[name] = _convert(columns[name], cell)
            except ValueError as exc:
                errors.append(RowError(number, name, str(exc)))
        rows.append((number, INPUTS[kind](**{k: v for k, v in values.items() if v is not None})))
    if not rows and not errors:
        raise CsvInvalid("The file has no returns in it: add one row per pupil under the column names")
    return rows, errors
