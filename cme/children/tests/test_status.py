"""Education status is derived, never typed (R2.1, R1.1, R1.2, R5.2, R5.5, R2.7)."""

from __future__ import annotations

import datetime as dt

import pytest

from cme.children.status import ChildFacts, EducationStatus, Period, status_on, timeline

D = dt.date
DOB = D(2015, 3, 10)  # CSA from 31 Mar 2020 (R1.1) to the end of Friday 27 Jun 2031 (R1.2)


@pytest.mark.parametrize(
    "rule, facts, day, expected",
    [
        ("R1.1 below CSA before the prescribed day", ChildFacts(DOB), D(2020, 3, 30), EducationStatus.BELOW_CSA),
        ("R1.1 CSA starts on the prescribed day", ChildFacts(DOB), D(2020, 3, 31), EducationStatus.CME),
        ("R1.2 CSA ends on the last Friday in June", ChildFacts(DOB), D(2031, 6, 28), EducationStatus.ABOVE_CSA),
        ("R1.2 still CSA on the school leaving date", ChildFacts(DOB), D(2031, 6, 27), EducationStatus.CME),
        ("R2.1 on roll is not CME", ChildFacts(DOB, enrolments=[Period(D(2019, 9, 4), None)]), D(2024, 1, 1),
         EducationStatus.ON_ROLL),
        ("R2.1 on roll in Reception below CSA", ChildFacts(DOB, enrolments=[Period(D(2019, 9, 4), None)]),
         D(2019, 10, 1), EducationStatus.ON_ROLL),
        ("R2.1 off roll without destination is CME", ChildFacts(DOB, enrolments=[Period(D(2019, 9, 4), D(2023, 5, 1))]),
         D(2023, 5, 2), EducationStatus.CME),
        ("R5.2 EHE is not CME", ChildFacts(DOB, education_otherwise=[Period(D(2023, 5, 2), None, "ehe", "unknown")]),
         D(2024, 1, 1), EducationStatus.EHE),
        ("R5.5 EHE found unsuitable is CME",
         ChildFacts(DOB, education_otherwise=[Period(D(2023, 5, 2), None, "ehe", "not_suitable")]),
         D(2024, 1, 1), EducationStatus.CME),
        ("R2.1 EOTAS is education otherwise",
         ChildFacts(DOB, education_otherwise=[Period(D(2023, 1, 1), None, "eotas")]),
         D(2024, 1, 1), EducationStatus.EOTAS),
        ("R2.7(c) moved out of the area", ChildFacts(DOB, residences=[Period(D(2022, 1, 1), None, "out")]),
         D(2024, 1, 1), EducationStatus.LEFT_AREA),
        ("R2.7(c) living in the area and on no roll",
         ChildFacts(DOB, residences=[Period(D(2022, 1, 1), None, "in")]), D(2024, 1, 1), EducationStatus.CME),
        ("no address known", ChildFacts(DOB, has_address_in_area=False), D(2024, 1, 1), EducationStatus.UNKNOWN),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_status_on(rule: str, facts: ChildFacts, day: dt.date, expected: EducationStatus) -> None:
    assert status_on(facts, day) == expected, rule


def test_timeline_is_consecutive_periods_of_one_status() -> None:
    facts = ChildFacts(
        DOB,
        enrolments=[Period(D(2019, 9, 4), D(2023, 5, 1))],
        education_otherwise=[Period(D(2023, 9, 1), None, "ehe")],
    )
    entries = timeline(facts, until=D(2024, 1, 1))
    assert [e.status for e in entries] == [
        EducationStatus.BELOW_CSA, EducationStatus.ON_ROLL, EducationStatus.CME, EducationStatus.EHE,
    ]
    for before, after in zip(entries, entries[1:], strict=False):
        assert before.end == after.start - dt.timedelta(days=1)
    assert entries[-1].end is None
