"""Deletion-return and new-pupil-return validation, ground by ground (rules.md R3.3-R3.6, R2.3, R2.6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cme.core.calendar import default_term_calendar
from cme.law.deletion_grounds import GROUNDS
from cme.notifications.tests.conftest import TODAY
from cme.notifications.tests.factories import deletion_input, new_entrant_input
from cme.notifications.validation import (
    ReturnContext,
    deletion_return_warnings,
    deletion_route,
    new_entrant_return_late,
    validate_deletion_return,
    validate_new_entrant_return,
)

CALENDAR = default_term_calendar(2025, 2027)  # autumn 2026: 2 Sep-23 Oct, 2 Nov-18 Dec
CONTEXT = ReturnContext(own_laestab="9312001", today=TODAY, calendar=CALENDAR, backdate_school_days=5)
JOINT = dict(no_sickness_or_unavoidable_cause=True, joint_enquiries_completed=True)
GROUND_I_OK = dict(first_day_of_absence=dt.date(2026, 10, 20), every_session_unexplained=True, **JOINT)
GROUND_H_OK = dict(leave_end_date=dt.date(2026, 11, 11), **JOINT)

#: A valid return for every ground (R3.3): what each ground needs on top of the reg 13 fields.
VALID_BY_GROUND: dict[str, dict[str, Any]] = {
    "A": {"new_school_name": "Cherwell Primary"},
    "B": {"new_school_name": ""},
    "C": {"new_school_name": "Dual School"},
    "D": {"new_school_laestab": "9312100", "new_school_name": ""},
    "E": {"new_school_name": ""},
    "F": {"new_school_name": "", "parent_notice_date": dt.date(2026, 11, 20)},
    "G": {"new_school_name": "", "new_address": "1 Rue de Rivoli, Paris"},
    "H": {"new_school_name": "", **GROUND_H_OK},
    "I": {"new_school_name": "", **GROUND_I_OK},
    "J": {"new_school_name": ""},
    "K": {"new_school_name": ""},
    "L": {"new_school_name": ""},
    "M": {"new_school_name": ""},
    "N": {"new_school_name": ""},
    "O": {"new_school_name": ""},
}


def errors_for(**overrides: Any) -> dict[str, str]:
    return validate_deletion_return(deletion_input(**overrides), context=CONTEXT)


def test_every_ground_has_a_valid_case() -> None:
    assert set(VALID_BY_GROUND) == set(GROUNDS)


@pytest.mark.parametrize("ground", sorted(VALID_BY_GROUND), ids=[f"R3.3-ground-{g}-valid" for g in
                                                                  sorted(VALID_BY_GROUND)])
def test_a_complete_return_is_accepted_for_each_ground(ground: str) -> None:
    assert errors_for(**{"ground": ground, "new_school_laestab": "", **VALID_BY_GROUND[ground]}) == {}


@pytest.mark.parametrize(
    "ground, overrides, field, message",
    [
        pytest.param("", {}, "ground", "Select the ground for deletion", id="R3.3-ground-missing"),
        pytest.param("P", {}, "ground", "A to O", id="R3.3-ground-P-is-not-a-ground"),
        pytest.param("A", {"new_school_name": "", "new_school_laestab": ""}, "new_school_name",
                     "now registered at", id="R3.3-ground-A-needs-the-new-school"),
        pytest.param("C", {"new_school_name": "", "new_school_laestab": ""}, "new_school_name",
                     "other school", id="R3.3-ground-C-needs-the-other-school"),
        pytest.param("D", {"new_school_name": "", "new_school_laestab": ""}, "new_school_name",
                     "school attendance order", id="R3.3-ground-D-needs-the-named-school"),
        pytest.param("F", {}, "parent_notice_date", "written notice", id="R2.3-ground-F-needs-the-written-notice"),
        pytest.param("F", {"parent_notice_date": dt.date(2026, 11, 26)}, "parent_notice_date", "today or in the past",
                     id="R2.3-ground-F-notice-not-in-the-future"),
        pytest.param("H", {**JOINT}, "leave_end_date", "leave of absence ended", id="R2.6-ground-H-needs-leave-end"),
        pytest.param("H", {**JOINT, "leave_end_date": dt.date(2026, 11, 12)}, "leave_end_date",
                     "9 had passed", id="R2.6-ground-H-9-school-days-is-too-soon"),
        pytest.param("H", {"leave_end_date": dt.date(2026, 11, 11), "joint_enquiries_completed": True},
                     "no_sickness_or_unavoidable_cause", "sickness", id="R3.6-ground-H-no-sickness-confirmed"),
        pytest.param("H", {"leave_end_date": dt.date(2026, 11, 11), "no_sickness_or_unavoidable_cause": True},
                     "joint_enquiries_completed", "jointly", id="R3.6-ground-H-needs-joint-enquiries"),
        pytest.param("I", {**GROUND_I_OK, "first_day_of_absence": None}, "first_day_of_absence",
                     "first day", id="R3.6-ground-I-needs-first-day-of-absence"),
        pytest.param("I", {**GROUND_I_OK, "first_day_of_absence": dt.date(2026, 11, 2)}, "first_day_of_absence",
                     "absent for 18 school days", id="R3.6-ground-I-18-school-days-is-not-20"),
        pytest.param("I", {**GROUND_I_OK, "first_day_of_absence": dt.date(2026, 11, 26)}, "first_day_of_absence",
                     "before the date of deletion", id="R3.6-ground-I-absence-before-deletion"),
        pytest.param("I", {**GROUND_I_OK, "every_session_unexplained": False}, "every_session_unexplained",
                     "G, N or O", id="R3.6-ground-I-every-session-G-N-O"),
        pytest.param("I", {**GROUND_I_OK, "no_sickness_or_unavoidable_cause": False},
                     "no_sickness_or_unavoidable_cause", "sickness", id="R3.6-ground-I-no-sickness"),
        pytest.param("I", {**GROUND_I_OK, "joint_enquiries_completed": False}, "joint_enquiries_completed",
                     "jointly made reasonable enquiries", id="R3.6-ground-I-needs-joint-enquiries"),
        pytest.param("I", {**GROUND_I_OK, "attendance_marks": ["N", "N"] * 19 + ["/", "\\"] + ["N", "N"] * 5},
                     "attendance_marks", "Only 5 consecutive", id="R3.6-ground-I-marks-break-the-run"),
    ],
)
def test_ground_rules(ground: str, overrides: dict[str, Any], field: str, message: str) -> None:
    values = {"new_school_name": "", "new_school_laestab": "", **overrides} if ground not in "ACD" or not ground \
        else overrides
    errors = errors_for(ground=ground, **values)
    assert field in errors, errors
    assert message in errors[field]


def test_ground_i_accepts_a_full_register_of_unexplained_absence() -> None:
    marks = ["N", "O"] * 22
    assert errors_for(ground="I", new_school_name="", new_school_laestab="", attendance_marks=marks,
                      **GROUND_I_OK) == {}


def test_ground_i_counts_school_days_not_calendar_days_across_half_term() -> None:
    """R3.6 with the LA term calendar: half term (26-30 Oct) and weekends are not school days."""
    assert errors_for(ground="I", new_school_name="", new_school_laestab="", **{
        **GROUND_I_OK, "first_day_of_absence": dt.date(2026, 10, 13)}) == {}
    # 12 Nov to 25 Nov is 14 calendar days but 10 school days.
    errors = errors_for(ground="I", new_school_name="", new_school_laestab="",
                        **{**GROUND_I_OK, "first_day_of_absence": dt.date(2026, 11, 12)})
    assert "absent for 10 school days" in errors["first_day_of_absence"]


@pytest.mark.parametrize(
    "deletion_date, ok",
    [
        pytest.param(TODAY, True, id="R3.3-today"),
        pytest.param(dt.date(2026, 11, 18), True, id="R3.3-5-school-days-ago-allowed"),
        pytest.param(dt.date(2026, 11, 17), False, id="R3.3-6-school-days-ago-is-retrospective"),
        pytest.param(dt.date(2026, 11, 26), False, id="R3.3-tomorrow-is-in-the-future"),
    ],
)
def test_no_future_and_no_retrospective_deletion(deletion_date: dt.date, ok: bool) -> None:
    errors = errors_for(deletion_date=deletion_date)
    assert ("deletion_date" not in errors) is ok, errors


def test_the_backdating_allowance_counts_school_days_over_half_term() -> None:
    """R3.3: Friday 23 Oct to Monday 2 Nov is one school day in the term calendar (half term is not counted)."""
    context = ReturnContext(own_laestab="9312001", today=dt.date(2026, 11, 2), calendar=CALENDAR,
                            backdate_school_days=1)
    assert "deletion_date" not in validate_deletion_return(deletion_input(deletion_date=dt.date(2026, 10, 23)),
                                                           context=context)
    strict = ReturnContext(own_laestab="9312001", today=dt.date(2026, 11, 2), calendar=CALENDAR,
                           backdate_school_days=0)
    assert "retrospectively" in validate_deletion_return(deletion_input(deletion_date=dt.date(2026, 10, 23)),
                                                         context=strict)["deletion_date"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        pytest.param({"forename": ""}, "forename", id="R3.5a-full-name"),
        pytest.param({"surname": " "}, "surname", id="R3.5a-surname"),
        pytest.param({"address": ""}, "address", id="R3.5b-address"),
        pytest.param({"postcode": "not a postcode"}, "postcode", id="R3.5b-postcode"),
        pytest.param({"parent1_name": ""}, "parent1_name", id="R3.5c-parent-lived-with"),
        pytest.param({"parent1_phone": ""}, "parent1_phone", id="R3.5d-emergency-number"),
        pytest.param({"parent1_phone": "999"}, "parent1_phone", id="R3.5d-real-phone-number"),
        pytest.param({"parent2_name": "Dan Thompson"}, "parent2_phone", id="R3.5d-number-for-each-parent"),
        pytest.param({"date_of_birth": None}, "date_of_birth", id="dob-missing"),
        pytest.param({"date_of_birth": TODAY}, "date_of_birth", id="dob-not-today"),
        pytest.param({"upn": "A12345"}, "upn", id="upn-real"),
        pytest.param({"school_laestab": "9312002"}, "school_laestab", id="own-school-only"),
        pytest.param({"new_school_laestab": "12"}, "new_school_laestab", id="laestab-7-digits"),
        pytest.param({"safeguarding_concern": True}, "safeguarding_detail", id="safeguarding-described"),
    ],
)
def test_reg_13_fields(overrides: dict[str, Any], field: str) -> None:
    assert field in errors_for(**overrides)


def test_a_school_account_without_a_school_cannot_send_returns() -> None:
    context = ReturnContext(own_laestab="", today=TODAY, calendar=CALENDAR)
    assert "not linked to a school" in validate_deletion_return(deletion_input(school_laestab=""),
                                                                context=context)["school_laestab"]


def test_ground_g_without_a_new_address_is_accepted_with_a_warning() -> None:
    data = deletion_input(ground="G", new_school_name="", new_school_laestab="")
    assert validate_deletion_return(data, context=CONTEXT) == {}
    assert "No new address" in deletion_return_warnings(data)[0]
    assert deletion_route(data) == "cme_check"


@pytest.mark.parametrize(
    "ground, overrides, route",
    [
        pytest.param("A", {}, "none", id="A-known-school-not-cme"),
        pytest.param("F", {"new_school_name": "", "new_school_laestab": ""}, "ehe", id="R5.5-F-goes-to-ehe"),
        pytest.param("I", {"new_school_name": "", "new_school_laestab": ""}, "cme_check", id="R2.7f-I-cme-check"),
        pytest.param("A", {"new_school_name": "", "new_school_laestab": ""}, "cme_check",
                     id="R3.5-destination-missing-cme-check"),
    ],
)
def test_route_of_the_return(ground: str, overrides: dict[str, Any], route: str) -> None:
    assert deletion_route(deletion_input(ground=ground, **overrides)) == route


def test_new_pupil_return_rules() -> None:
    """R3.4/R3.2: joined today or earlier; late returns are accepted and flagged."""
    assert validate_new_entrant_return(new_entrant_input(), context=CONTEXT) == {}
    future = validate_new_entrant_return(new_entrant_input(start_date=dt.date(2026, 11, 26)), context=CONTEXT)
    assert "today or in the past" in future["start_date"]
    assert "start_date" in validate_new_entrant_return(new_entrant_input(start_date=None), context=CONTEXT)
    assert "nc_year" in validate_new_entrant_return(new_entrant_input(nc_year=20), context=CONTEXT)
    assert not new_entrant_return_late(new_entrant_input(start_date=dt.date(2026, 11, 18)), context=CONTEXT)
    assert new_entrant_return_late(new_entrant_input(start_date=dt.date(2026, 11, 17)), context=CONTEXT)
