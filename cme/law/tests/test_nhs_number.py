"""Tests for cme.law.nhs_number (mod 11 check digit)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.law import nhs_number


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", " 9434765919 "])
def test_known_valid_number_in_any_layout(value: str) -> None:
    assert nhs_number.is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("9434765918", id="wrong-check-digit"),
        pytest.param("9434765030", id="body-with-check-digit-10"),
        pytest.param("943476591", id="too-short"),
        pytest.param("94347659190", id="too-long"),
        pytest.param("94347659I9", id="letter"),
        pytest.param("0000000000", id="placeholder-zeros"),
        pytest.param("9999999999", id="placeholder-nines"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_numbers(value: str) -> None:
    assert not nhs_number.is_valid(value)


def test_check_digit() -> None:
    assert nhs_number.check_digit("943476591") == 9
    assert nhs_number.check_digit("943476503") is None  # remainder gives 10: no valid number
    assert nhs_number.check_digit("000000000") == 0  # 11 becomes 0
    with pytest.raises(ValueError):
        nhs_number.check_digit("94347659")


def test_normalise_and_format() -> None:
    assert nhs_number.normalise(" 943-476 5919 ") == "9434765919"
    assert nhs_number.format_nhs_number("9434765919") == "943 476 5919"
    with pytest.raises(ValueError):
        nhs_number.format_nhs_number("9434765918")


def test_generate_uses_the_999_test_range() -> None:
    values = nhs_number.generate(1000, seed=3)
    assert len(set(values)) == 1000
    assert all(v.startswith("999") and len(v) == 10 and nhs_number.is_valid(v) for v in values)
    assert values == nhs_number.generate(1000, seed=3)
    with pytest.raises(ValueError):
        nhs_number.generate(-1)
    with pytest.raises(ValueError):
        nhs_number.generate(10_000_000)


@given(st.integers(0, 19), st.integers(1, 9), st.integers(0, 9))
def test_any_single_digit_change_is_detected(index: int, delta: int, position: int) -> None:
    value = nhs_number.generate(20, seed=11)[index]
    changed = value[:position] + str((int(value[position]) + delta) % 10) + value[position + 1 :]
    assert not nhs_number.is_valid(changed)
