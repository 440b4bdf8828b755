"""The pure rules: derived priority and one guard per closure outcome (R2.5, R2.7, R7.2), table-driven."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cme.cases import rules
from cme.cases.rules import (
    CLOSED,
    ENQUIRIES,
    IN_LA,
    LOCATED,
    NOT_LOCATED,
    OVERSEAS,
    UK,
    ClosureFacts,
    EnquiryFact,
    case_priority,
    closure_problems,
)

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("severity", "days_open", "expected"),
    [
        (0, 0, rules.LOW),
        (1, 0, rules.LOW),
        (2, 0, rules.MEDIUM),
        (3, 0, rules.HIGH),
        (0, 29, rules.LOW),
        (0, 30, rules.LOW),
        (1, 30, rules.MEDIUM),
        (0, 60, rules.MEDIUM),
        (1, 60, rules.HIGH),
        (2, 30, rules.HIGH),
        (9, 0, rules.HIGH),
    ],
    ids=lambda v: str(v),
)
def test_priority_comes_from_the_worst_active_flag_and_the_age_of_the_case(severity: int, days_open: int,
                                                                           expected: int) -> None:
    assert case_priority(max_severity=severity, working_days_open=days_open) == expected


ON_ROLL_OK = ClosureFacts(today=TODAY, status=LOCATED, school_where=IN_LA, school_id=1,
                          start_date=TODAY, confirmed_by="Admissions officer")
NOT_LOCATED_OK = ClosureFacts(today=TODAY, status=NOT_LOCATED, enquiries=(EnquiryFact("Home visit", done=True),
                              EnquiryFact("Police", not_applicable=True, reason="Not needed")),
                              panel_reviewed=True, lost_pupil_ctf_generated=True, lost_pupil_ctf_uploaded=True)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(ON_ROLL_OK, [], id="R2.7a-in-LA-school-confirmed"),
        pytest.param(replace(ON_ROLL_OK, school_where=UK, school_id=None, school_laestab="8254001"), [],
                     id="R2.7a-UK-by-LAESTAB"),
        pytest.param(replace(ON_ROLL_OK, school_where=UK, school_id=None, school_name="Hill School"), [],
                     id="R2.7a-UK-by-name"),
        pytest.param(replace(ON_ROLL_OK, school_where=OVERSEAS, school_id=None, school_country="Poland",
                             school_name="Szkoła 5"), [], id="R2.7a-overseas"),
        pytest.param(replace(ON_ROLL_OK, status=ENQUIRIES),
                     ["Record the child as located before closing the case as on roll."], id="R2.7a-not-located-yet"),
        pytest.param(replace(ON_ROLL_OK, status=CLOSED), ["This case is already closed."], id="already-closed"),
        pytest.param(replace(ON_ROLL_OK, school_id=None),
                     ["Choose the school in this local authority the child is on roll at."], id="R2.7a-no-LA-school"),
        pytest.param(replace(ON_ROLL_OK, school_where=UK, school_id=None),
                     ["Enter the school's LAESTAB or its name."], id="R2.7a-UK-no-school"),
        pytest.param(replace(ON_ROLL_OK, school_where=UK, school_laestab="82540"),
                     ["Enter the school's LAESTAB as 7 digits, for example 9314125."], id="R2.7a-UK-bad-LAESTAB"),
        pytest.param(replace(ON_ROLL_OK, school_where=OVERSEAS, school_id=None),
                     ["Enter the country of the school overseas.", "Enter the name of the school overseas."],
                     id="R2.7a-overseas-no-country-no-school"),
        pytest.param(replace(ON_ROLL_OK, school_where=""),
                     ["Say where the school is: in this local authority, elsewhere in the UK or overseas."],
                     id="R2.7a-no-where"),
        pytest.param(replace(ON_ROLL_OK, start_date=None),
                     ["Enter the date the child started at the school, as the school confirmed it."],
                     id="R2.7a-no-start-date"),
        pytest.param(replace(ON_ROLL_OK, start_date=TODAY + dt.timedelta(days=3)),
                     ["The start date is in the future: close the case once the child has started."],
                     id="R2.7a-future-start"),
        pytest.param(replace(ON_ROLL_OK, confirmed_by=" "),
                     ["Say who confirmed the school place (for example the school's admissions officer)."],
                     id="R2.7a-unconfirmed"),
    ],
)
def test_on_roll_guard(facts: ClosureFacts, expected: list[str]) -> None:
    assert closure_problems("on_roll", facts) == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(ClosureFacts(today=TODAY, status=LOCATED, ehe_suitable=True), [], id="R5.2-suitable"),
        pytest.param(ClosureFacts(today=TODAY, status=LOCATED),
                     ["The EHE team has not confirmed that the child's home education appears suitable (R5.2)."],
                     id="R5.2-not-confirmed"),
        pytest.param(ClosureFacts(today=TODAY, status=NOT_LOCATED, ehe_suitable=True),
                     ["Record the child as located before closing the case as home educated."], id="R2.7b-status"),
    ],
)
def test_ehe_guard(facts: ClosureFacts, expected: list[str]) -> None:
    assert closure_problems("ehe_suitable", facts) == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(NOT_LOCATED_OK, [], id="R2.7f-everything-done"),
        pytest.param(replace(NOT_LOCATED_OK, status=ENQUIRIES),
                     ["Record the child as not located before closing the case as not located."], id="R2.7f-status"),
        pytest.param(replace(NOT_LOCATED_OK, enquiries=(EnquiryFact("Home visit"),)),
                     ["Enquiry not done or marked not applicable with a reason: Home visit."],
                     id="R2.5-enquiry-outstanding"),
        pytest.param(replace(NOT_LOCATED_OK, enquiries=(EnquiryFact("Police", not_applicable=True, reason=" "),)),
                     ["Enquiry not done or marked not applicable with a reason: Police."],
                     id="R2.5-not-applicable-without-reason"),
        pytest.param(replace(NOT_LOCATED_OK, enquiries=()),
                     ["There are no reasonable enquiries recorded on this case."], id="R2.5-no-checklist"),
        pytest.param(replace(NOT_LOCATED_OK, panel_reviewed=False),
                     ["The case has not been reviewed at the multi-agency panel."], id="panel-not-reviewed"),
        pytest.param(replace(NOT_LOCATED_OK, lost_pupil_ctf_generated=False, lost_pupil_ctf_uploaded=False),
                     ["Generate the child's lost-pupil CTF (destination XXXXXXX)."], id="R7.2-no-ctf"),
        pytest.param(replace(NOT_LOCATED_OK, lost_pupil_ctf_uploaded=False),
                     ["Record the date the lost-pupil CTF was uploaded to S2S."], id="R7.2-not-uploaded"),
    ],
)
def test_not_located_guard(facts: ClosureFacts, expected: list[str]) -> None:
    assert closure_problems("not_located", facts) == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(ClosureFacts(today=TODAY, status=LOCATED, transfer_confirmed=True), [], id="R2.8-confirmed"),
        pytest.param(ClosureFacts(today=TODAY, status=LOCATED),
                     ["The receiving local authority has not confirmed the transfer."], id="R2.8-unconfirmed"),
        pytest.param(ClosureFacts(today=TODAY, status=ENQUIRIES, transfer_confirmed=True),
                     ["Record the child as located before closing the case as moved to another local authority."],
                     id="R2.7c-status"),
    ],
)
def test_moved_la_guard(facts: ClosureFacts, expected: list[str]) -> None:
    assert closure_problems("moved_la", facts) == expected


def test_an_unknown_outcome_is_refused() -> None:
    assert closure_problems("gone_fishing", ON_ROLL_OK) == [
        "Choose a closure outcome: on roll, home educated, moved to another local authority or not located."]


def test_every_outcome_has_a_guard() -> None:
    from cme.cases.models import ClosureOutcome

    assert set(rules.GUARDS) == set(ClosureOutcome.values)
