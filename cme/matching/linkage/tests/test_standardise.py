from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from cme.matching.linkage.standardise import (
    MODEL_COLUMNS,
    DobParts,
    address_numbers,
    canonical_first_name,
    dob_variants,
    name_metaphone,
    parse_dob,
    parse_dob_parts,
    postcode_district,
    postcode_sector,
    prepare,
    standardise_address,
    standardise_name,
    standardise_nhs_number,
    standardise_postcode,
    standardise_sex,
    standardise_upn,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Zoë O'Brien-Smith ", "zoe obrien smith"),
        ("MUHAMMAD", "muhammad"),
        ("Łukasz", "lukasz"),
        ("José  María", "jose maria"),
        ("St. John", "st john"),
        ("Ng’ang’a", "nganga"),
        ("123", None),
        ("", None),
        (None, None),
        (math.nan, None),
        (pd.NA, None),
    ],
)
def test_standardise_name(raw: object, expected: str | None) -> None:
    assert standardise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Muhammad", "mohammed"),
        ("Mohamed Ali", "mohammed"),  # first given name only
        ("KATIE", "catherine"),
        ("Jaiden", "jayden"),
        ("Aleksandra", "alexandra"),
        ("Billy", "william"),
        ("Lizzie", "elizabeth"),
        ("Ollie", "oliver"),
        ("Tommy", "thomas"),
        ("Mateusz", "matthew"),
        ("Xanthe", "xanthe"),  # no variant: itself
        (None, None),
    ],
)
def test_canonical_first_name(raw: object, expected: str | None) -> None:
    assert canonical_first_name(raw) == expected


def test_metaphone_keys_sound_alike_names_together() -> None:
    assert name_metaphone("Mohammed") == name_metaphone("Muhammad")
    assert name_metaphone("Ali") == name_metaphone("Aly")
    assert name_metaphone("Smith") == name_metaphone("Smyth")
    assert name_metaphone("Oliver James", first_token_only=True) == name_metaphone("Oliver")
    assert name_metaphone(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-04-03", dt.date(2016, 4, 3)),
        ("03/04/2016", dt.date(2016, 4, 3)),  # UK order
        ("3/4/16", dt.date(2016, 4, 3)),
        ("03.04.2016", dt.date(2016, 4, 3)),
        ("20160403", dt.date(2016, 4, 3)),
        ("2016-04-03 00:00:00", dt.date(2016, 4, 3)),
        ("2016-04-03T00:00:00Z", dt.date(2016, 4, 3)),
        ("2016-13-04", dt.date(2016, 4, 13)),  # impossible month: a day/month swap
        ("2016-04", None),  # partial
        ("2016-02-30", None),
        ("junk", None),
        (None, None),
        (dt.date(2016, 4, 3), dt.date(2016, 4, 3)),
    ],
)
def test_parse_dob(raw: object, expected: dt.date | None) -> None:
    assert parse_dob(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-04", DobParts(2016, 4, None)),
        ("04/2016", DobParts(2016, 4, None)),
        ("2016", DobParts(2016, None, None)),
        ("2016-02-30", DobParts(2016, 2, None)),
        ("1066-01-01", DobParts()),
    ],
)
def test_partial_dates_keep_what_they_know(raw: str, expected: DobParts) -> None:
    assert parse_dob_parts(raw) == expected


def test_dob_variants_include_the_day_month_swap() -> None:
    assert dob_variants("2014-03-07") == [dt.date(2014, 3, 7), dt.date(2014, 7, 3)]
    assert dob_variants("2014-03-25") == [dt.date(2014, 3, 25)]  # day > 12 cannot be a month
    assert dob_variants("2014-03-03") == [dt.date(2014, 3, 3)]
    assert dob_variants("2014") == []


@pytest.mark.parametrize(
    ("raw", "expected", "sector", "district"),
    [
        ("ox41ab", "OX4 1AB", "OX4 1", "OX4"),
        ("OX4  1AB", "OX4 1AB", "OX4 1", "OX4"),
        ("ox4 iab", "OX4 1AB", "OX4 1", "OX4"),  # letter I typed for the digit 1
        ("SW1A 1AA", "SW1A 1AA", "SW1A 1", "SW1A"),
        ("OX4", "OX4", None, "OX4"),  # district only
        ("zz", None, None, None),
        (None, None, None, None),
    ],
)
def test_postcodes(raw: object, expected: str | None, sector: str | None, district: str | None) -> None:
    postcode = standardise_postcode(raw)
    assert postcode == expected
    assert postcode_sector(postcode) == sector
    assert postcode_district(postcode) == district


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Flat 2, 14 Cowley Rd.", "flat 2 14 cowley road"),
        ("Apt 3 Kings Ave, Oxford", "flat 3 kings avenue oxford"),
        ("12 High St", "12 high street"),
        ("14 St Marys Rd", "14 saint marys road"),
        ("7 Elm Cl", "7 elm close"),
        ("9 Oak Dr", "9 oak drive"),
        ("No. 5, Mill Ln", "5 mill lane"),
        ("", None),
    ],
)
def test_standardise_address(raw: str, expected: str | None) -> None:
    assert standardise_address(raw) == expected


def test_address_numbers_are_the_house_and_flat_numbers() -> None:
    assert address_numbers("flat 2 14 cowley road") == "2 14"
    assert address_numbers("rose cottage") is None
    assert address_numbers(None) is None


def test_sex_upn_and_nhs_number() -> None:
    assert [standardise_sex(v) for v in ("M", "female", "Girl", "U", None)] == ["M", "F", "F", None, None]
    assert standardise_upn(" a931626212619 ") == "A931626212619"
    assert standardise_upn("UN1") is None  # "not known" code
    assert standardise_upn("A000000000000") is None  # placeholder
    assert standardise_nhs_number("943 476 5919") == "9434765919"
    assert standardise_nhs_number("9434765918") is None  # wrong check digit
    assert standardise_nhs_number("9434765919.0") == "9434765919"  # a number column read as float


def test_prepare_builds_every_model_column_from_partial_input() -> None:
    frame = pd.DataFrame(
        {"id": [1, "2"], "first_name": ["Mohammed", None], "last_name": ["Ali", "Smith-Jones"],
         "dob": ["03/04/2016", "2016-04"], "postcode": ["OX4", "ox4 1ab"], "ignored": ["x", "y"]}
    )
    prepared = prepare(frame, source_dataset="hmrc")
    assert list(prepared.columns) == list(MODEL_COLUMNS)
    first, second = prepared.to_dict("records")
    assert first["unique_id"] == "1" and first["source_dataset"] == "hmrc"
    assert first["first_name_canonical"] == "mohammed" and first["dob"] == "2016-04-03"
    assert first["postcode"] is None and first["postcode_district"] == "OX4"
    assert first["sex"] is None and first["address"] is None and first["upn"] is None
    assert second["first_name"] is None and second["dob"] is None and second["dob_ym"] == "2016-04"
    assert (second["surname_first_token"], second["surname_last_token"]) == ("smith", "jones")
    assert second["postcode"] == "OX4 1AB" and second["postcode_sector"] == "OX4 1"


def test_prepare_requires_ids() -> None:
    with pytest.raises(ValueError, match="no 'id' column"):
        prepare(pd.DataFrame({"first_name": ["A"]}))
    with pytest.raises(ValueError, match="needs an id"):
        prepare(pd.DataFrame({"id": ["1", None], "first_name": ["A", "B"]}))
