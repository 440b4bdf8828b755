"""Tests for cme.law.upn and cme.law.la_codes (formats.md §2, §5)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.law import upn
from cme.law.la_codes import LA_CODES, is_english_la, la_name

VALID = [
    "X931200024001",
    "P931400124017",
    "L931310025123",
    "W931200025999",
    "W93120002401A",
    "P93141002502K",
    "H801200001001",
    "G80120000101A",
    "B801200005001",
    "E931299921007",  # the shared synthetic CTF
]


@pytest.mark.parametrize("value", VALID)
def test_formats_examples_are_valid(value: str) -> None:
    assert upn.validate(value) == []
    assert upn.is_valid(value)


@pytest.mark.parametrize("value", ["W93120002401A", "P93141002502K", "G80120000101A"])
def test_temporary_examples(value: str) -> None:
    assert upn.is_temporary(value)


@pytest.mark.parametrize("value", ["X931200024001", "B801200005001", "A801200005001"])
def test_permanent_or_invalid_are_not_temporary(value: str) -> None:
    assert not upn.is_temporary(value)


def test_worked_example_check_letter() -> None:
    assert upn.check_letter("931200024001") == "X"
    assert upn.check_letter("201100018042") == "R"
    assert upn.check_letter("20110001804V") == "T"


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        pytest.param("A801200005001", ["UPN invalid (wrong check letter at character 1)"], id="should-be-B"),
        pytest.param("Z801200001001", ["UPN invalid (wrong check letter at character 1)"], id="should-be-H"),
        pytest.param("I801200005001", ["UPN invalid (character 1 not a recognised value)"], id="letter-I"),
        pytest.param("O801200005001", ["UPN invalid (character 1 not a recognised value)"], id="letter-O"),
        pytest.param("S801200005001", ["UPN invalid (character 1 not a recognised value)"], id="letter-S"),
        pytest.param("G80120000101I", ["UPN invalid (character 13 not a recognised value)"], id="13-letter-I"),
        pytest.param("G80120000101O", ["UPN invalid (character 13 not a recognised value)"], id="13-letter-O"),
        pytest.param("G80120000101S", ["UPN invalid (character 13 not a recognised value)"], id="13-letter-S"),
        pytest.param("x931200024001", ["UPN invalid (character 1 not a recognised value)"], id="lower-case"),
        pytest.param("X9312000240", ["UPN invalid (must be 13 characters, not 11)"], id="too-short"),
        pytest.param("X9312000240011", ["UPN invalid (must be 13 characters, not 14)"], id="too-long"),
        pytest.param("", ["UPN missing"], id="empty"),
        pytest.param("X93A200024001", ["UPN invalid (characters 2-4 not all numeric)"], id="la-not-numeric"),
        pytest.param("X9312000A4001", ["UPN invalid (characters 5-12 not all numeric)"], id="body-not-numeric"),
        pytest.param(
            "19312000A40S1",
            [
                "UPN invalid (character 1 not a recognised value)",
                "UPN invalid (characters 5-12 not all numeric)",
            ],
            id="several-problems",
        ),
    ],
)
def test_invalid_upns_give_dfe_style_reasons(value: str, reasons: list[str]) -> None:
    assert upn.validate(value) == reasons
    assert not upn.is_valid(value)


def test_unknown_la_code() -> None:
    unknown = upn.check_letter("000123424001") + "000123424001"
    assert upn.validate(unknown) == ["UPN invalid (characters 2-4 not a recognised LA code)"]
    assert upn.validate(unknown, check_la=False) == []


def test_normalise() -> None:
    assert upn.normalise("  x931200024001 \n") == "X931200024001"
    assert upn.is_valid(upn.normalise(" x931200024001"))


def test_make_upn_and_temporary() -> None:
    assert upn.make_upn("931", "2000", 24, 1) == "X931200024001"
    assert upn.make_temporary_upn("931", "2000", 24, 1, "A") == "W93120002401A"
    assert upn.make_temporary_upn("931", "4100", 25, 2, "K") == "P93141002502K"


@pytest.mark.parametrize(
    "args",
    [
        ("93", "2000", 24, 1),
        ("931", "200", 24, 1),
        ("931", "2000", 100, 1),
        ("931", "2000", 24, 1000),
        ("9a1", "2000", 1, 1),
    ],
)
def test_make_upn_rejects_bad_parts(args: tuple[str, str, int, int]) -> None:
    with pytest.raises(ValueError):
        upn.make_upn(*args)


@pytest.mark.parametrize(("serial", "letter"), [(100, "A"), (1, "I"), (1, "O"), (1, "S"), (1, "AB"), (1, "a")])
def test_make_temporary_upn_rejects_bad_parts(serial: int, letter: str) -> None:
    with pytest.raises(ValueError):
        upn.make_temporary_upn("931", "2000", 24, serial, letter)


def test_check_letter_rejects_bad_body() -> None:
    for body in ("93120002400", "93120002400I", "9312000A4001"):
        with pytest.raises(ValueError):
            upn.check_letter(body)


la_codes = st.sampled_from(sorted(LA_CODES))
estabs = st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}")


@given(la_codes, estabs, st.integers(0, 99), st.integers(0, 999))
def test_make_upn_round_trip(la: str, estab: str, year: int, serial: int) -> None:
    value = upn.make_upn(la, estab, year, serial)
    assert upn.is_valid(value)
    assert not upn.is_temporary(value)
    assert value[1:4] == la and value[4:8] == estab and int(value[8:10]) == year and int(value[10:]) == serial


@given(la_codes, estabs, st.integers(0, 99), st.integers(0, 99), st.sampled_from(upn.LETTERS))
def test_make_temporary_upn_round_trip(la: str, estab: str, year: int, serial: int, letter: str) -> None:
    value = upn.make_temporary_upn(la, estab, year, serial, letter)
    assert upn.is_valid(value) and upn.is_temporary(value)
    assert value[-1] == letter


@given(la_codes, estabs, st.integers(0, 99), st.integers(0, 999), st.integers(1, 12), st.integers(1, 9))
def test_any_single_digit_change_is_detected(la: str, estab: str, year: int, serial: int, pos: int, delta: int) -> None:
    value = upn.make_upn(la, estab, year, serial)
    changed = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1 :]
    assert upn.validate(changed, check_la=False) == ["UPN invalid (wrong check letter at character 1)"]


def test_generate_is_unique_valid_and_deterministic() -> None:
    values = upn.generate("931", 500, seed=7)
    assert len(values) == len(set(values)) == 500
    assert all(upn.is_valid(v) and v[1:4] == "931" and not upn.is_temporary(v) for v in values)
    assert values == upn.generate("931", 500, seed=7)
    assert values != upn.generate("931", 500, seed=8)
    assert upn.generate("931", 0) == []


def test_generate_rejects_unknown_la_and_negative_count() -> None:
    with pytest.raises(ValueError):
        upn.generate("000", 1)
    with pytest.raises(ValueError):
        upn.generate("931", -1)


# --------------------------------------------------------------------------------------------------
# LA codes
# --------------------------------------------------------------------------------------------------


def test_la_codes_loaded() -> None:
    assert len(LA_CODES) == 188
    assert la_name("931") == "Oxfordshire"
    assert la_name(" 931 ") == "Oxfordshire"
    assert la_name("839") == "Bournemouth, Christchurch and Poole"
    assert la_name("000") is None


@pytest.mark.parametrize(
    ("code", "english"),
    [("931", True), ("201", True), ("943", True), ("835", True), ("909", True), ("660", False), ("681", False),
     ("702", False), ("999", False), ("200", False), ("944", False), ("abc", False)],
)  # fmt: skip
def test_is_english_la(code: str, english: bool) -> None:
    assert is_english_la(code) is english


def test_la_codes_copy_matches_shared_file() -> None:
    shared = Path("/work/shared/data/ctf/la_codes.csv")
    if not shared.exists():
        pytest.skip("shared data folder not mounted")
    with shared.open(encoding="utf-8") as handle:
        assert {row["la_code"]: row["la_name"] for row in csv.DictReader(handle)} == LA_CODES
