"""Tests for cme.law.deletion_grounds (rules.md R3.3, R3.5, R3.6, R2.6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cme.law.deletion_grounds import (
    GROUNDS,
    DeletionGround,
    continuous_unexplained_absence_days,
    route_deletion,
    validate_ground_i_absence,
)


def test_r3_3_fifteen_grounds_a_to_o() -> None:
    assert [g.value for g in DeletionGround] == list("ABCDEFGHIJKLMNO")
    assert list(GROUNDS) == list("ABCDEFGHIJKLMNO")
    assert DeletionGround("I") is DeletionGround.I
    assert DeletionGround.I == "I"


@pytest.mark.parametrize(
    ("code", "regulation", "route", "joint", "days", "destination", "confirmed"),
    [
        pytest.param("A", "9(1)(a)", "none", False, None, True, True, id="R3.3-A-registered-elsewhere"),
        pytest.param("B", "9(1)(b)", "none", False, None, False, True, id="R3.3-B-nursery"),
        pytest.param("C", "9(1)(c)", "none", False, None, True, True, id="R3.3-C-dual-registered"),
        pytest.param("D", "9(1)(d)", "none", False, None, True, True, id="R3.3-D-SAO-amended"),
        pytest.param("E", "9(1)(e)", "ehe", False, None, False, True, id="R3.3-E-SAO-revoked"),
        pytest.param("F", "9(1)(f)", "ehe", False, None, False, False, id="R3.3-F-EHE-in-writing"),
        pytest.param("G", "9(1)(g)", "cme_check", False, None, True, False, id="R3.3-G-moved-away"),
        pytest.param("H", "9(1)(h)", "cme_check", True, 10, False, False, id="R3.3-R2.6-H-10-days-after-leave"),
        pytest.param("I", "9(1)(i)", "cme_check", True, 20, False, False, id="R3.3-R3.6-I-20-days"),
        pytest.param("J", "9(1)(j)", "none", False, None, False, False, id="R3.3-J-detained"),
        pytest.param("K", "9(1)(k)", "none", False, None, False, False, id="R3.3-K-died"),
        pytest.param("L", "9(1)(l)", "none", False, None, False, False, id="R3.3-L-leaving-CSA"),
        pytest.param("M", "9(1)(m)", "cme_check", False, None, False, False, id="R3.3-M-boarding-fees"),
        pytest.param("N", "9(1)(n)", "cme_check", False, None, False, False, id="R3.3-N-independent-school"),
        pytest.param("O", "9(1)(o)", "cme_check", False, None, False, False, id="R3.3-O-permanent-exclusion"),
    ],
)
def test_r3_3_ground_table(
    code: str, regulation: str, route: str, joint: bool, days: int | None, destination: bool, confirmed: bool
) -> None:
    info = GROUNDS[code]
    assert info.code == DeletionGround(code)
    assert info.regulation == regulation
    assert info.routes_to == route
    assert info.needs_joint_enquiries is joint
    assert info.min_continuous_school_days == days
    assert info.destination_expected is destination
    assert info.wording_confirmed is confirmed
    assert info.title and info.routing_reason


@pytest.mark.parametrize(
    ("ground", "destination_known", "route"),
    [
        pytest.param("A", True, "none", id="R3.5-A-with-new-school"),
        pytest.param("A", False, "cme_check", id="R3.5-A-without-new-school"),
        pytest.param(DeletionGround.G, False, "cme_check", id="R3.5-G-unknown-address"),
        pytest.param("F", False, "ehe", id="R5.5-F-EHE"),
        pytest.param("K", False, "none", id="R3.3-K-died"),
    ],
)
def test_route_deletion(ground: str, destination_known: bool, route: str) -> None:
    assert route_deletion(ground, destination_known=destination_known) == route


def test_route_deletion_rejects_unknown_ground() -> None:
    with pytest.raises(ValueError):
        route_deletion("P", destination_known=True)


# --------------------------------------------------------------------------------------------------
# R3.6 ground I
# --------------------------------------------------------------------------------------------------


def sessions(*days: str) -> list[str]:
    """'NN' -> ['N', 'N']: one two-character string per school day (AM, PM)."""
    return [mark for day in days for mark in day]


@pytest.mark.parametrize(
    ("marks", "days"),
    [
        pytest.param(sessions(*["NN"] * 20), 20, id="R3.6-20-days-N"),
        pytest.param(sessions("//", *["GO"] * 5), 5, id="R3.6-mixed-G-O-after-attendance"),
        pytest.param(sessions(*["NN"] * 10, "NI", *["NN"] * 3), 3, id="R3.6-illness-breaks-run"),
        pytest.param(sessions(*["OO"] * 4, "U/"), 0, id="R3.6-U-is-not-unexplained"),
        pytest.param(sessions(*["NN"] * 4, "##", "NN"), 5, id="R3.6-closure-day-skipped"),
        pytest.param(sessions(*["NN"] * 4, "#N", "NN"), 6, id="R3.6-half-closure-counts"),
        pytest.param(sessions(*["NN"] * 4, "-N"), 0, id="R3.6-missing-mark-breaks"),
        pytest.param([], 0, id="R3.6-no-marks"),
        pytest.param([" n", "o ", "g", "N"], 2, id="R3.6-lower-case-and-spaces-ignored"),
    ],
)
def test_continuous_unexplained_absence_days(marks: list[str], days: int) -> None:
    pairs = [(marks[i], marks[i + 1]) for i in range(0, len(marks), 2)]
    assert continuous_unexplained_absence_days(pairs) == days


def test_r3_6_twenty_school_days_of_g_n_o_supports_ground_i() -> None:
    marks = sessions("//", "I/", *["NO", "GN"] * 10)
    assert validate_ground_i_absence(marks) == []
    assert validate_ground_i_absence(marks, joint_enquiries_failed_to_locate=True) == []


def test_r3_6_nineteen_days_is_not_enough() -> None:
    reasons = validate_ground_i_absence(sessions("//", *["NN"] * 19))
    assert len(reasons) == 1
    assert "Only 19 consecutive school day(s)" in reasons[0] and "at least 20" in reasons[0]
    assert "broken on school day 1 of 20" in reasons[0]


def test_r3_6_any_other_code_in_the_period_breaks_the_run() -> None:
    marks = sessions(*["NN"] * 12, "NM", *["NN"] * 12)
    reasons = validate_ground_i_absence(marks)
    assert "Only 12 consecutive" in reasons[0] and "day 13 of 25" in reasons[0] and "'M'" in reasons[0]


def test_r3_6_sessions_must_pair() -> None:
    assert validate_ground_i_absence(["N"] * 41) == [
        "The attendance marks must come in AM/PM pairs, one pair per school day."
    ]


def test_r3_6_conditions_3_and_4() -> None:
    marks = sessions(*["NN"] * 25)
    reasons = validate_ground_i_absence(
        marks, sickness_or_unavoidable_cause_suspected=True, joint_enquiries_failed_to_locate=False
    )
    assert len(reasons) == 2
    assert "sickness or an unavoidable cause" in reasons[0]
    assert "jointly" in reasons[1]


@given(st.lists(st.sampled_from(["/", "\\", "N", "O", "G", "I", "U", "#", "C2", "-"]), max_size=120))
def test_run_never_exceeds_school_days_and_validation_agrees(flat: list[str]) -> None:
    if len(flat) % 2:
        flat = flat[:-1]
    pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    run = continuous_unexplained_absence_days(pairs)
    assert 0 <= run <= len(pairs)
    assert (validate_ground_i_absence(flat) == []) == (run >= 20)
