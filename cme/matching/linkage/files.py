"""Read linkage input files and write pair files (CSV)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from cme.matching.linkage.standardise import INPUT_COLUMNS

__all__ = ["COLUMN_ALIASES", "InputFileError", "read_input_csv", "write_pairs_csv"]

#: Other header spellings analysts' files use, mapped to the input column names.
COLUMN_ALIASES: dict[str, str] = {
    "record_id": "id",
    "forename": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "surname": "last_name",
    "lastname": "last_name",
    "family_name": "last_name",
    "date_of_birth": "dob",
    "birth_date": "dob",
    "gender": "sex",
    "post_code": "postcode",
    "nhs": "nhs_number",
    "nhsnumber": "nhs_number",
}

_HEADER_JUNK = re.compile(r"[^a-z0-9]+")


class InputFileError(ValueError):
    """The file cannot be used as linkage input; the message says why, for an analyst."""


def _header(name: str) -> str:
    key = _HEADER_JUNK.sub("_", name.strip().lower()).strip("_")
    return COLUMN_ALIASES.get(key, key)


def read_input_csv(path: Path | str) -> pd.DataFrame:
    """Read an input file: a header row, then one record per row.

    Headers are matched case-insensitively (``First Name`` = ``first_name``; common aliases such as
    ``surname`` and ``date_of_birth`` are accepted). Columns other than ``INPUT_COLUMNS`` are
    dropped; missing ones are fine. UTF-8, with or without a byte-order mark. Every value is read as
    text and blanks become missing. Raises ``InputFileError`` when there is no ``id`` column, an id
    is blank, or an id is used twice.
    """
    source = Path(path)
    try:
        frame = pd.read_csv(
            source, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", skipinitialspace=True
        )
    except FileNotFoundError as exc:
        raise InputFileError(f"{source}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"{source}: the file is empty (it needs a header row).") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{source}: not a readable CSV file ({exc}).") from exc

    headers = [_header(str(column)) for column in frame.columns]
    frame.columns = pd.Index(headers)
    if "id" not in headers:
        found = ", ".join(str(c) for c in headers) or "none"
        raise InputFileError(f"{source}: no 'id' column (columns found: {found}).")
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame = frame[[column for column in INPUT_COLUMNS if column in frame.columns]].copy()
    ids = pd.Series(
        [value.strip() if isinstance(value, str) else "" for value in frame["id"].tolist()], dtype=object
    )
    blank = [index + 2 for index, value in enumerate(ids) if not value]
    if blank:
        raise InputFileError(f"{source}: {len(blank)} row(s) have no id (line {', '.join(map(str, blank[:5]))}).")
    duplicated = ids[ids.duplicated(keep=False)]
    if len(duplicated):
        examples = ", ".join(repr(value) for value in dict.fromkeys(duplicated.tolist()).keys() if value)
        raise InputFileError(
            f"{source}: ids must be unique; {duplicated.nunique()} id(s) are used more than once "
            f"(for example {examples[:200]})."
        )
    frame["id"] = ids
    return frame.reset_index(drop=True)


def write_pairs_csv(pairs: pd.DataFrame, path: Path | str, *, decimals: int = 6) -> int:
    """Write ``left_id,right_id,probability`` (highest first, as given); returns the rows written."""
    out = pairs[["left_id", "right_id", "probability"]].copy()
    out["probability"] = out["probability"].round(decimals)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(target, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return len(out)
