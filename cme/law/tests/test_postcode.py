"""Tests for cme.law.postcode (formats.md §5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.law import postcode

VALID = {
    "OX1 1AA": "OX1 1AA",
    "OX44 9XX": "OX44 9XX",
    "SW1A 1AA": "SW1A 1AA",
    "EC1A 1BB": "EC1A 1BB",
    "W1A 0AX": "W1A 0AX",
    "DN55 1PT": "DN55 1PT",
    "OX11AA": "OX1 1AA",
    "ox4 1aa": "OX4 1AA",
    "  OX4   1AA ": "OX4 1AA",
    "GIR 0AA": "GIR 0AA",
    "gir0aa": "GIR 0AA",
    "M1 1AE": "M1 1AE",
    "B33 8TH": "B33 8TH",
    "CR2 6XH": "CR2 6XH",
}

INVALID = ["QX1 1AA", "OX1 1CA", "GIR 0AA junk", "OX1", "OX1 1AAA", "", "   ", "12345", "OX1-1AA", "ZZ"]


@pytest.mark.parametrize(("raw", "expected"), list(VALID.items()))
def test_valid_postcodes_normalise(raw: str, expected: str) -> None:
    assert postcode.normalise(raw) == expected
    assert postcode.is_valid(raw)


@pytest.mark.parametrize("raw", INVALID)
def test_invalid_postcodes(raw: str) -> None:
    assert postcode.normalise(raw) is None
    assert not postcode.is_valid(raw)


@pytest.mark.parametrize(
    ("raw", "outward", "sector", "area"),
    [
        ("OX4 1AA", "OX4", "OX4 1", "OX"),
        ("ox44 9xx", "OX44", "OX44 9", "OX"),
        ("W1A 0AX", "W1A", "W1A 0", "W"),
        ("SW1A1AA", "SW1A", "SW1A 1", "SW"),
        ("M1 1AE", "M1", "M1 1", "M"),
    ],
)
def test_parts(raw: str, outward: str, sector: str, area: str) -> None:
    assert postcode.outward(raw) == outward
    assert postcode.district(raw) == outward
    assert postcode.sector(raw) == sector
    assert postcode.area(raw) == area
    assert postcode.inward(raw) == raw.replace(" ", "").upper()[-3:]


def test_parts_of_an_invalid_postcode_raise() -> None:
    with pytest.raises(ValueError):
        postcode.outward("QX1 1AA")


def test_pattern_is_anchored_as_a_whole() -> None:
    assert postcode.STRICT_PATTERN.match("GIR 0AA junk") is None
    assert postcode.STRICT_PATTERN.match("junk OX1 1AA") is None


@given(st.text(max_size=12))
def test_normalise_is_idempotent_and_valid(raw: str) -> None:
    normal = postcode.normalise(raw)
    if normal is not None:
        assert postcode.normalise(normal) == normal
        assert postcode.STRICT_PATTERN.fullmatch(normal)
