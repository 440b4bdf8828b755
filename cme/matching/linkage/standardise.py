"""Standardise the fields a child is matched on, and build the model's input frame.

Every function takes whatever a source file holds (``None``, NaN, a number, any string) and returns
a clean value or ``None``; nothing here raises on bad data, because a bad field is evidence we
simply do not have. The rules:

* names: Unicode NFKD with accents removed (plus the letters NFKD leaves alone, such as ``ł`` and
  ``ß``), lower case, apostrophes and full stops deleted (``O'Brien`` -> ``obrien``), every other
  punctuation mark, hyphen included, turned into a space (``Smith-Jones`` -> ``smith jones``), spaces
  collapsed. First names also get a canonical form from ``variants`` and a metaphone key.
* dates of birth: ISO ``YYYY-MM-DD``, UK ``DD/MM/YYYY`` (also with ``-`` or ``.``), ``YYYYMMDD``, a
  trailing time, two-digit years (children: 00-current year is 20xx). An impossible month with a
  possible day is read as a day/month swap. Partial dates (``2016-04``, ``04/2016``, ``2016``) keep
  what they know through ``parse_dob_parts``. Swaps between two valid readings are a comparison
  level in the model, not a guess made here.
* postcodes: ``cme.law.postcode`` for full postcodes ("OX4 1AB"); an outward code alone ("OX4")
  is kept as a district.
* addresses: lower case, punctuation to spaces, common abbreviations expanded (``rd`` -> ``road``,
  ``st`` -> ``street`` at the end of a part, ``saint`` elsewhere), flat words unified (``apt``,
  ``apartment``, ``flt`` -> ``flat``).
* identifiers: a UPN or NHS number that fails its check is dropped, so a typo or a placeholder can
  never link two children.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import jellyfish
import numpy as np
import numpy.typing as npt
import pandas as pd

from cme.law import nhs_number as law_nhs
from cme.law import postcode as law_postcode
from cme.law import upn as law_upn
from cme.matching.linkage.variants import canonical_of

__all__ = [
    "INPUT_COLUMNS",
    "MODEL_COLUMNS",
    "DobParts",
    "address_numbers",
    "canonical_first_name",
    "dob_variants",
    "is_full_postcode",
    "name_metaphone",
    "parse_dob",
    "parse_dob_parts",
    "postcode_district",
    "postcode_sector",
    "prepare",
    "standardise_address",
    "standardise_name",
    "standardise_nhs_number",
    "standardise_postcode",
    "standardise_sex",
    "standardise_upn",
]

#: Columns a linkage input file may carry (any may be missing or empty except ``id``).
INPUT_COLUMNS: tuple[str, ...] = (
    "id", "first_name", "last_name", "dob", "sex", "postcode", "address", "upn", "nhs_number",
)

#: Columns ``prepare`` returns, in order: the model's input.
MODEL_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "source_dataset",
    "first_name",
    "first_name_canonical",
    "first_name_metaphone",
    "surname",
    "surname_metaphone",
    "surname_first_token",
    "surname_last_token",
    "dob",
    "dob_ym",
    "sex",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "address",
    "address_numbers",
    "upn",
    "nhs_number",
    "block_dob",
    "block_surname_initial",
    "block_postcode",
)

# Letters NFKD does not decompose into a base letter plus a combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
     "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "ð": "d"}
)
_DELETED = re.compile(r"['’‘`´.]")
_NOT_ALPHA = re.compile(r"[^a-z ]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_CACHE = 1 << 17


def _text(value: object) -> str | None:
    """``value`` as a stripped string, or None for None, NaN, pandas NA and blanks."""
    if type(value) is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = text.translate(_SPECIAL_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


# ---------------------------------------------------------------------------------------- names
@lru_cache(maxsize=_CACHE)
def _standardise_name(text: str) -> str | None:
    folded = _DELETED.sub("", _fold(text))
    cleaned = _SPACES.sub(" ", _NOT_ALPHA.sub(" ", folded)).strip()
    return cleaned or None


def standardise_name(value: object) -> str | None:
    """``"  Zoë O'Brien-Smith "`` -> ``"zoe obrien smith"``; None when nothing alphabetic is left."""
    text = _text(value)
    return None if text is None else _standardise_name(text)


@lru_cache(maxsize=_CACHE)
def _canonical(name: str) -> str:
    return canonical_of(name.split(" ", 1)[0])


def canonical_first_name(value: object) -> str | None:
    """The canonical form of the first given name: ``"Muhammad Ali"`` -> ``"mohammed"``."""
    name = standardise_name(value)
    return None if name is None else _canonical(name)


@lru_cache(maxsize=_CACHE)
def _metaphone(name: str) -> str | None:
    key = jellyfish.metaphone(name.replace(" ", ""))
    return key or None


def name_metaphone(value: object, *, first_token_only: bool = False) -> str | None:
    """Metaphone key of a name (all tokens joined, or only the first): ``"Smyth"`` -> ``"SM0"``."""
    name = standardise_name(value)
    if name is None:
        return None
    return _metaphone(name.split(" ", 1)[0] if first_token_only else name)


# ------------------------------------------------------------------------------- dates of birth
@dataclass(frozen=True)
class DobParts:
    """What a date-of-birth field tells us; missing parts are None."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def full(self) -> dt.date | None:
        if self.year is None or self.month is None or self.day is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None


_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_EMPTY = DobParts()


def _plausible_year(year: int) -> bool:
    return 1900 <= year <= 2100


def _full_or_swapped(year: int, month: int, day: int) -> DobParts:
    """A full date; an impossible month with a possible day is read as a day/month swap."""
    if not _plausible_year(year):
        return _EMPTY
    for m, d in ((month, day), (day, month)):
        candidate = DobParts(year, m, d)
        if candidate.full is not None:
            return candidate
    return DobParts(year, month, None) if 1 <= month <= 12 else DobParts(year, None, None)


def _two_digit_year(yy: int, today: dt.date) -> int:
    return 2000 + yy if yy <= today.year % 100 else 1900 + yy


@lru_cache(maxsize=_CACHE)
def _parse_dob_parts(text: str) -> DobParts:
    text = _TIME_SUFFIX.sub("", text.strip())
    if match := _ISO.match(text):
        return _full_or_swapped(int(match[1]), int(match[2]), int(match[3]))
    if match := _COMPACT.match(text):
        return _full_or_swapped(int(match[1]), int(match[2]), int(match[3]))
    if match := _UK.match(text):
        year = int(match[3])
        if len(match[3]) == 2:
            year = _two_digit_year(year, dt.date.today())
        return _full_or_swapped(year, int(match[2]), int(match[1]))
    if match := _YEAR_MONTH.match(text):
        year, month = int(match[1]), int(match[2])
    elif match := _MONTH_YEAR.match(text):
        month, year = int(match[1]), int(match[2])
    elif match := _YEAR.match(text):
        year = int(match[1])
        return DobParts(year) if _plausible_year(year) else _EMPTY
    else:
        return _EMPTY
    if not _plausible_year(year):
        return _EMPTY
    return DobParts(year, month if 1 <= month <= 12 else None, None)


def parse_dob_parts(value: object) -> DobParts:
    """Year, month and day as far as the field gives them (``"04/2016"`` -> 2016, 4, None)."""
    if isinstance(value, dt.datetime):
        return DobParts(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return DobParts(value.year, value.month, value.day)
    text = _text(value)
    return _EMPTY if text is None else _parse_dob_parts(text)


def parse_dob(value: object) -> dt.date | None:
    """A full date of birth, or None if the field is empty, partial or not a date."""
    return parse_dob_parts(value).full


def dob_variants(value: object) -> list[dt.date]:
    """The date and, when day and month can swap, its transposition (comparison's swap level)."""
    date = parse_dob(value)
    if date is None:
        return []
    variants = [date]
    if date.day != date.month and date.day <= 12:
        variants.append(date.replace(month=date.day, day=date.month))
    return variants


# ------------------------------------------------------------------------------------ postcodes
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_INWARD_DIGIT_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5"})


@lru_cache(maxsize=_CACHE)
def _standardise_postcode(text: str) -> str | None:
    compact = re.sub(r"[^A-Z0-9]", "", _fold(text).upper())
    if not compact:
        return None
    full = law_postcode.normalise(compact)
    if full is None and len(compact) >= 5:  # "OX4 IAB": a letter typed for the inward digit
        repaired = compact[:-3] + compact[-3].translate(_INWARD_DIGIT_FIXES) + compact[-2:]
        full = law_postcode.normalise(repaired)
    if full is not None:
        return full
    if _OUTWARD.match(compact):
        return compact  # an outward code alone: the district
    return None


def standardise_postcode(value: object) -> str | None:
    """``"ox41ab"`` -> ``"OX4 1AB"``; ``"ox4"`` -> ``"OX4"`` (district only); junk -> None."""
    text = _text(value)
    return None if text is None else _standardise_postcode(text)


def is_full_postcode(postcode: str | None) -> bool:
    return postcode is not None and " " in postcode


def postcode_district(postcode: str | None) -> str | None:
    """The outward code of a standardised postcode or district: ``"OX4 1AB"`` -> ``"OX4"``."""
    if postcode is None:
        return None
    return postcode.split(" ", 1)[0]


def postcode_sector(postcode: str | None) -> str | None:
    """``"OX4 1AB"`` -> ``"OX4 1"``; None for a district alone."""
    if postcode is None or not is_full_postcode(postcode):
        return None
    outward, inward = postcode.split(" ", 1)
    return f"{outward} {inward[0]}"


# ------------------------------------------------------------------------------------ addresses
_ADDRESS_WORDS = {
    "rd": "road", "st": "street", "str": "street", "ave": "avenue", "av": "avenue", "cl": "close",
    "cls": "close", "dr": "drive", "drv": "drive", "ln": "lane", "cres": "crescent", "cresc": "crescent",
    "cr": "crescent", "ct": "court", "crt": "court", "gdns": "gardens", "gdn": "gardens", "gds": "gardens",
    "gr": "grove", "grv": "grove", "pl": "place", "sq": "square", "ter": "terrace", "terr": "terrace",
    "tce": "terrace", "pk": "park", "wy": "way", "hse": "house", "ho": "house", "blvd": "boulevard",
    "mt": "mount", "nth": "north", "sth": "south", "apt": "flat", "apartment": "flat", "flt": "flat",
    "fl": "flat", "no": "", "number": "",
}


@lru_cache(maxsize=_CACHE)
def _standardise_address(text: str) -> str | None:
    folded = _DELETED.sub("", _fold(text))
    words: list[str] = []
    for part in folded.split(","):
        raw_words = _NOT_ALNUM.sub(" ", part).split()
        for position, raw in enumerate(raw_words):
            if raw == "st" and position < len(raw_words) - 1:
                words.append("saint")  # "st marys road": St at the end of a part is a street
                continue
            word = _ADDRESS_WORDS.get(raw, raw)
            if word:
                words.append(word)
    return " ".join(words) or None


def standardise_address(value: object) -> str | None:
    """``"Flat 2, 14 Cowley Rd."`` -> ``"flat 2 14 cowley road"``."""
    text = _text(value)
    return None if text is None else _standardise_address(text)


_HAS_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=_CACHE)
def _address_numbers(address: str) -> str | None:
    return " ".join(token for token in address.split() if _HAS_DIGIT.search(token)) or None


def address_numbers(address: str | None) -> str | None:
    """The tokens of a standardised address that carry a digit (house and flat numbers): ``"2 14"``."""
    return None if address is None else _address_numbers(address)


# ---------------------------------------------------------------------------------- other fields
_SEX = {"m": "M", "male": "M", "boy": "M", "b": "M", "f": "F", "female": "F", "girl": "F", "g": "F"}


def standardise_sex(value: object) -> str | None:
    """``M`` or ``F``; anything else (unknown, not stated, other) is None."""
    text = _text(value)
    return None if text is None else _SEX.get(text.lower())


_UPN_SHAPE = re.compile(rf"^[{law_upn.LETTERS}]\d{{11}}[\d{law_upn.LETTERS}]$")


def standardise_upn(value: object) -> str | None:
    """A UPN in upper case when it has a UPN's shape (formats §2), else None.

    Only the shape is checked here, not the check letter: feeds validate UPNs on import, a
    mistyped UPN can only ever equal itself, and checking 200,000 check letters in Python would cost
    seconds on every run. Placeholders (UN1-UN5, one repeated digit) never pass, so they link nobody.
    """
    text = _text(value)
    if text is None:
        return None
    upn = law_upn.normalise(text).replace(" ", "")
    if not _UPN_SHAPE.match(upn) or len(set(upn[1:12])) == 1:
        return None
    return upn


def standardise_nhs_number(value: object) -> str | None:
    """Ten digits with a good check digit, or None."""
    text = _text(value)
    if text is None:
        return None
    if text.endswith(".0"):  # a number column read as float
        text = text[:-2]
    digits = law_nhs.normalise(text)
    return digits if law_nhs.is_valid(digits) else None


# --------------------------------------------------------------------------------------- prepare
_Column = npt.NDArray[np.object_]


def _raw(df: pd.DataFrame, name: str) -> _Column:
    if name in df.columns:
        return cast(_Column, df[name].to_numpy(dtype=object))
    return np.full(len(df), None, dtype=object)


def _by_value(values: _Column, func: Callable[[Any], Any]) -> _Column:
    """``func`` applied once per distinct value (missing values give None), spread back by index.

    Inputs repeat a lot (names, dates, postcodes), so this does a fraction of the Python calls a
    per-row loop would.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(value) for value in uniques]
    mapped[-1] = None  # code -1: missing
    return cast(_Column, mapped[codes])


def _first_token(name: str) -> str:
    return name.split(" ", 1)[0]


def _last_token(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _full_postcode(postcode: str) -> str | None:
    return postcode if is_full_postcode(postcode) else None


def _iso(value: object) -> str | None:
    full = parse_dob_parts(value).full
    return None if full is None else full.isoformat()


def _year_month(value: object) -> str | None:
    parts = parse_dob_parts(value)
    if parts.year is None or parts.month is None:
        return None
    return f"{parts.year:04d}-{parts.month:02d}"


def prepare(df: pd.DataFrame, *, source_dataset: str = "input") -> pd.DataFrame:
    """The model's input frame (``MODEL_COLUMNS``) from a frame with ``INPUT_COLUMNS``.

    ``id`` becomes ``unique_id`` (as a string). ``surname`` is read from ``last_name`` (or from
    ``surname`` if that is the column given). Missing columns are treated as empty. Every column is
    of object dtype holding ``str`` or ``None``.
    """
    id_column = "id" if "id" in df.columns else "unique_id"
    if id_column not in df.columns:
        raise ValueError("The frame has no 'id' column.")
    ids = np.array([_text(value) for value in _raw(df, id_column)], dtype=object)
    if any(value is None for value in ids):
        raise ValueError("Every row needs an id.")
    surname_column = "last_name" if "last_name" in df.columns else "surname"

    first = _by_value(_raw(df, "first_name"), standardise_name)
    surname = _by_value(_raw(df, surname_column), standardise_name)
    dob = _raw(df, "dob")
    postcode = _by_value(_raw(df, "postcode"), standardise_postcode)
    address = _by_value(_raw(df, "address"), standardise_address)
    full_dob = _by_value(dob, _iso)
    full_postcode = _by_value(postcode, _full_postcode)

    columns: dict[str, _Column] = {
        "unique_id": ids,
        "source_dataset": np.full(len(ids), source_dataset, dtype=object),
        "first_name": first,
        "first_name_canonical": _by_value(first, _canonical),
        "first_name_metaphone": _by_value(first, lambda name: _metaphone(_first_token(name))),
        "surname": surname,
        "surname_metaphone": _by_value(surname, _metaphone),
        "surname_first_token": _by_value(surname, _first_token),
        "surname_last_token": _by_value(surname, _last_token),
        "dob": full_dob,
        "dob_ym": _by_value(dob, _year_month),
        "sex": _by_value(_raw(df, "sex"), standardise_sex),
        "postcode": full_postcode,
        "postcode_sector": _by_value(postcode, postcode_sector),
        "postcode_district": _by_value(postcode, postcode_district),
        "address": address,
        "address_numbers": _by_value(address, address_numbers),
        "upn": _by_value(_raw(df, "upn"), standardise_upn),
        "nhs_number": _by_value(_raw(df, "nhs_number"), standardise_nhs_number),
        # copies for EM blocking that no comparison reads (model.training_sessions)
        "block_dob": full_dob,
        "block_surname_initial": _by_value(surname, lambda name: name[0]),
        "block_postcode": full_postcode,
    }
    return pd.DataFrame({name: pd.Series(columns[name], dtype=object) for name in MODEL_COLUMNS})
