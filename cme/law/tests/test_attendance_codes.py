"""Tests for cme.law.attendance_codes (formats.md §4, rules.md R3.6-R3.7)."""

from __future__ import annotations

import pytest

from cme.law import attendance_codes as ac


@pytest.mark.parametrize(
    ("code", "category"),
    [
        *[(code, "attendance") for code in ["/", "\\", "L", "K", "V", "P", "W", "B"]],
        *[(code, "authorised") for code in ["C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"]],
        *[(code, "unauthorised") for code in ["G", "N", "O", "U"]],
        *[(code, "not_counted") for code in ["X", "D", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"]],
        ("Z", "admin"),
        ("#", "admin"),
        ("-", "missing"),
    ],
)
def test_2024_code_categories(code: str, category: str) -> None:
    assert ac.category(code) == category
    assert not ac.lookup(code).legacy


def test_every_2024_code_is_in_the_table() -> None:
    assert len(ac.CODES) == 35
    assert {info.category for info in ac.CODES.values()} == set(ac.CATEGORIES)


@pytest.mark.parametrize(
    ("code", "category", "successor"),
    [("H", "authorised", "C"), ("F", "authorised", "C"), ("J", "attendance", "J1"), ("Y", "not_counted", "Y7")],
)
def test_legacy_codes_are_mapped_not_rejected(code: str, category: str, successor: str) -> None:
    info = ac.lookup(code)
    assert info.legacy and info.category == category and info.successor == successor
    assert ac.is_known(code)


def test_codes_are_cleaned() -> None:
    assert ac.category(" n ") == "unauthorised"
    assert ac.category("c2") == "authorised"


@pytest.mark.parametrize("code", ["A", "Y8", "", "NN", "?"])
def test_unknown_codes(code: str) -> None:
    assert not ac.is_known(code)
    with pytest.raises(ValueError, match="not a recognised attendance code"):
        ac.category(code)


@pytest.mark.parametrize(
    ("code", "unexplained"),
    [("G", True), ("N", True), ("O", True), ("n", True), ("U", False), ("I", False), ("C2", False), ("#", False),
     ("-", False), ("H", False), ("?", False)],
    ids=lambda value: f"R3.6-{value}" if isinstance(value, str) else str(value),
)  # fmt: skip
def test_r3_6_unexplained_absence_is_g_n_o_only(code: str, unexplained: bool) -> None:
    assert ac.is_unexplained_absence(code) is unexplained


def test_cme_trigger_codes() -> None:
    assert {"N", "O", "G", "U", "C2", "K", "E", "Q", "Y5", "Z", "D"} == ac.CME_TRIGGER_CODES
    assert all(ac.is_known(code) for code in ac.CME_TRIGGER_CODES)
    assert set(ac.CME_TRIGGER_REASONS) == ac.CME_TRIGGER_CODES
