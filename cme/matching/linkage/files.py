"""Read linkage input files and write pair files (CSV)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from cme.matching.linkage.standardise import INPUT_COLUMNS

__all__ = [
    "CHUNK_ROWS",
    "COLUMN_ALIASES",
    "InputFileError",
    "duplicate_ids_error",
    "iter_input_csv",
    "read_input_csv",
    "write_pairs_csv",
    "write_pairs_csv_chunks",
]

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


#: Rows read, standardised and loaded at a time by ``iter_input_csv``'s callers (a few tens of MB).
CHUNK_ROWS = 100_000


def iter_input_csv(path: Path | str, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Read an input file ``chunk_rows`` records at a time, so a big file is never whole in memory.

    Each chunk is cleaned as ``read_input_csv`` describes. A blank id raises ``InputFileError``
    once the whole file has been read (naming the first lines); ids repeated *across* chunks are
    not checked here: the caller checks them where the records end up (``duplicate_ids_error``).
    """
    source = Path(path)
    blank: list[int] = []
    blank_count = 0
    offset = 0
    try:
        reader = pd.read_csv(
            source,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
            skipinitialspace=True,
            chunksize=chunk_rows,
        )
        with reader:
            for chunk in reader:
                frame = _clean(chunk, source)
                missing = [offset + index + 2 for index, value in enumerate(frame["id"]) if not value]
                blank_count += len(missing)
                blank.extend(missing[: 5 - len(blank)])
                offset += len(frame)
                if not blank_count:
                    yield frame
    except FileNotFoundError as exc:
        raise InputFileError(f"{source}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"{source}: the file is empty (it needs a header row).") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{source}: not a readable CSV file ({exc}).") from exc
    if blank_count:
        raise InputFileError(f"{source}: {blank_count} row(s) have no id (line {', '.join(map(str, blank))}).")


def _clean(frame: pd.DataFrame, source: Path) -> pd.DataFrame:
    """Input columns only, under their canonical names; ids as stripped text ("" when blank)."""
    headers = [_header(str(column)) for column in frame.columns]
    frame.columns = pd.Index(headers)
    if "id" not in headers:
        found = ", ".join(str(c) for c in headers) or "none"
        raise InputFileError(f"{source}: no 'id' column (columns found: {found}).")
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame = frame[[column for column in INPUT_COLUMNS if column in frame.columns]].copy()
    frame["id"] = [value.strip() if isinstance(value, str) else "" for value in frame["id"].tolist()]
    return frame.reset_index(drop=True)


def duplicate_ids_error(source: Path | str, count: int, examples: Iterable[str]) -> InputFileError:
    """The error for ``count`` ids used more than once in ``source`` (a few ``examples`` named)."""
    named = ", ".join(repr(value) for value in examples if value)
    return InputFileError(
        f"{source}: ids must be unique; {count} id(s) are used more than once (for example {named[:200]})."
    )


def read_input_csv(path: Path | str) -> pd.DataFrame:
    """Read an input file: a header row, then one record per row.

    Headers are matched case-insensitively (``First Name`` = ``first_name``; common aliases such as
    ``surname`` and ``date_of_birth`` are accepted). Columns other than ``INPUT_COLUMNS`` are
    dropped; missing ones are fine. UTF-8, with or without a byte-order mark. Every value is read as
    text and blanks become missing. Raises ``InputFileError`` when there is no ``id`` column, an id
    is blank, or an id is used twice. The whole file is held in memory: for big files use
    ``iter_input_csv`` (``link_files`` does).
    """
    chunks = list(iter_input_csv(path))
    frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)
    ids = frame["id"]
    duplicated = ids[ids.duplicated(keep=False)]
    if len(duplicated):
        raise duplicate_ids_error(path, duplicated.nunique(), dict.fromkeys(duplicated.tolist()))
    return frame


def write_pairs_csv(pairs: pd.DataFrame, path: Path | str, *, decimals: int = 6) -> int:
    """Write ``left_id,right_id,probability`` (highest first, as given); returns the rows written."""
    return write_pairs_csv_chunks([pairs], path, decimals=decimals)


def write_pairs_csv_chunks(chunks: Iterable[pd.DataFrame], path: Path | str, *, decimals: int = 6) -> int:
    """``write_pairs_csv`` for pairs that arrive in pieces (in order); returns the rows written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        handle.write("left_id,right_id,probability\n")
        for chunk in chunks:
            out = chunk[["left_id", "right_id", "probability"]].copy()
            out["probability"] = out["probability"].round(decimals)
            out.to_csv(handle, index=False, header=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            written += len(out)
    return written
