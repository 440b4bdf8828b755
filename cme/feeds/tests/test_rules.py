"""The detection rules, table-driven, each case citing the rule it checks (rules.md ids)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cme.core.calendar import default_term_calendar
from cme.feeds import rules
from cme.feeds.rules import AbsenceFact, AllocationFact, ChildData, EnrolmentFact, PeriodFact, RecordFact

ON = dt.date(2026, 11, 27)  # a Friday in the autumn term 2026
DOB = dt.date(2015, 3, 10)  # Reception in 2019/20, Year 7 in 2026/27: of compulsory school age
CALENDAR = default_term_calendar(2024, 2027)
assert CALENDAR.first_day and CALENDAR.last_day
DAYS = rules.SchoolDays(CALENDAR.school_days(CALENDAR.first_day, CALENDAR.last_day),
                        {y: d for y in range(2024, 2028) if (d := CALENDAR.autumn_term_first_day(y))})
CTX = rules.Context(on=ON, la_code="931", school_days=DAYS, destination_grace_school_days=10)
HOME = PeriodFact("in", dt.date(2015, 3, 10))


def school_days_before(n: int) -> dt.date:
    return CALENDAR.add_school_days(ON, -n)


def enrolment(start: dt.date = dt.date(2019, 9, 4), end: dt.date | None = None, ground: str = "",
              destination: str = "", nc: int | None = 0, high: int = 6,
              name: str = "Riverside Primary") -> EnrolmentFact:
    return EnrolmentFact(laestab="9312001", school_name=name, start=start, end=end, nc_year_at_start=nc,
                         high_nc_year=high, deletion_ground=ground, destination_laestab=destination)


def child(*enrolments: EnrolmentFact, dob: dt.date = DOB, **kwargs: Any) -> ChildData:
    kwargs.setdefault("residences", (HOME,))
    return ChildData(child_id=1, date_of_birth=dob, enrolments=enrolments, **kwargs)


def run(code: str, data: ChildData, **params: Any) -> rules.Hit | None:
    spec = rules.RULES_BY_CODE[code]
    return spec.function(data, CTX, {**spec.defaults, **params})


LEFT_RECENTLY = dt.date(2026, 11, 13)
GATE_CASES = [
    pytest.param(child(enrolment(end=LEFT_RECENTLY, destination="XXXXXXX")), True, id="R2.1-off-roll-counts"),
    pytest.param(child(enrolment()), False, id="R2.1-on-roll-is-not-CME"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY), enrolment(start=dt.date(2026, 12, 1))), False,
                 id="R2.1-place-arranged"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY), otherwise=(PeriodFact("ehe", LEFT_RECENTLY),)), False,
                 id="R5.2-EHE-is-not-CME"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY), residences=(HOME, PeriodFact("out", dt.date(2026, 11, 14)))),
                 False, id="R2.7c-left-the-area"),
    pytest.param(child(dob=dt.date(2022, 1, 5)), False, id="R1.1-below-CSA"),
    pytest.param(child(dob=dt.date(2009, 1, 5)), False, id="R1.2-above-CSA"),
]


@pytest.mark.parametrize(("data", "expected"), GATE_CASES)
def test_missing_gate(data: ChildData, expected: bool) -> None:
    assert rules.missing_gate(data, ON) is expected


LEFT_NO_DESTINATION = [
    pytest.param(enrolment(end=LEFT_RECENTLY, ground="G", destination="XXXXXXX"), True,
                 id="R7.2-lost-pupil-destination"),
    pytest.param(enrolment(end=LEFT_RECENTLY, ground="N", destination=""), True, id="R2.4-no-destination-given"),
    pytest.param(enrolment(end=LEFT_RECENTLY, ground="G", destination="MMMMMMM"), True, id="R7.3-MMMMMMM-alike"),
    pytest.param(enrolment(end=school_days_before(12), ground="A", destination="9312002"), True,
                 id="R2.7a-named-school-never-enrolled-after-N-days"),
    pytest.param(enrolment(end=school_days_before(5), ground="A", destination="9312002"), False,
                 id="R2.7a-named-school-within-grace"),
    pytest.param(enrolment(end=school_days_before(12), ground="A", destination="8252002"), True,
                 id="R2.8-destination-in-another-LA"),
    pytest.param(enrolment(end=LEFT_RECENTLY, ground="F"), False, id="R5.5-EHE-ground-is-not-this-rule"),
    pytest.param(enrolment(end=LEFT_RECENTLY, ground="I", destination="XXXXXXX"), False,
                 id="R3.6-ground-I-is-the-absence-rule"),
    pytest.param(enrolment(end=LEFT_RECENTLY, ground="K"), False, id="R3.3-died"),
    pytest.param(enrolment(end=dt.date(2026, 7, 22), nc=0, ground="A", destination="9314001"), False,
                 id="R1.4-end-of-phase-is-missed-transfer"),
]


@pytest.mark.parametrize(("last", "fires"), LEFT_NO_DESTINATION)
def test_left_no_destination(last: EnrolmentFact, fires: bool) -> None:
    hit = run("left_no_destination", child(last))
    assert (hit is not None) is fires
    if hit:
        assert hit.route == "cme" and hit.evidence["enrolment"]["laestab"] == "9312001"


def test_left_no_destination_outside_the_la_can_be_switched_off() -> None:
    data = child(enrolment(end=school_days_before(12), ground="A", destination="8252002"))
    assert run("left_no_destination", data, check_destinations_outside_la=False) is None


MISSED_TRANSFER = [
    pytest.param(child(enrolment(start=dt.date(2019, 9, 4), end=dt.date(2026, 7, 22), nc=0, ground="A",
                                 destination="9314001")), True, id="R1.4-Y6-to-Y7"),
    pytest.param(child(enrolment(start=dt.date(2023, 9, 6), end=dt.date(2026, 8, 31), nc=0, high=2, ground="A"),
                       dob=dt.date(2019, 3, 10)), True, id="R1.4-infant-Y2-to-junior-Y3"),
    pytest.param(child(enrolment(start=dt.date(2019, 9, 4), end=dt.date(2026, 7, 22), nc=0, ground="A"),
                       enrolment(start=dt.date(2026, 9, 3), nc=7, high=11)), False, id="R1.4-joined-secondary"),
    pytest.param(child(enrolment(start=dt.date(2019, 9, 4), end=dt.date(2026, 3, 20), nc=0, ground="G",
                                 destination="XXXXXXX")), False, id="R1.4-left-mid-year-is-not-a-transfer"),
    pytest.param(child(enrolment(start=dt.date(2020, 9, 2), end=dt.date(2026, 7, 22), nc=0, high=6)), False,
                 id="R1.4-not-the-schools-top-year"),
]


@pytest.mark.parametrize(("data", "fires"), MISSED_TRANSFER)
def test_missed_transfer(data: ChildData, fires: bool) -> None:
    hit = run("missed_transfer", data)
    assert (hit is not None) is fires
    if hit:
        assert hit.evidence["transfer"] in ("primary to secondary (Year 6 to Year 7)",
                                            "infant to junior (Year 2 to Year 3)")


def test_missed_transfer_waits_for_the_autumn_term_and_the_grace() -> None:
    data = child(enrolment(start=dt.date(2019, 9, 4), end=dt.date(2026, 7, 22), nc=0))
    assert run("missed_transfer", data, grace_school_days=70) is None
    summer = rules.Context(on=dt.date(2026, 8, 20), la_code="931", school_days=DAYS)
    assert rules.missed_transfer(data, summer, {}) is None


ALLOCATED = [
    pytest.param(child(allocations=(AllocationFact("offer", "9314001", dt.date(2026, 9, 3), "Cherwell Academy"),)),
                 True, id="R3.2-offer-never-taken-up"),
    pytest.param(child(allocations=(AllocationFact("pre_admission", "9314001", school_days_before(5)),)), False,
                 id="R3.2-within-grace"),
    pytest.param(child(enrolment(start=dt.date(2026, 9, 3), end=dt.date(2026, 10, 1), destination="XXXXXXX"),
                       allocations=(AllocationFact("offer", "9314001", dt.date(2026, 9, 3)),)), False,
                 id="R3.2-attended-then-left-is-another-rule"),
    pytest.param(child(allocations=(AllocationFact("offer", "9314001", dt.date(2027, 9, 2)),)), False,
                 id="R3.2-place-not-started-yet"),
]


@pytest.mark.parametrize(("data", "fires"), ALLOCATED)
def test_allocated_never_attended(data: ChildData, fires: bool) -> None:
    assert (run("allocated_never_attended", data) is not None) is fires


HEALTH = RecordFact("health", "GP1", "OX4 1AB")
HMRC = RecordFact("hmrc_child_benefit", "CHB1", "OX4 1AB")
NEVER = [
    pytest.param(child(records=(HEALTH,)), True, id="R2.1-residence-record-and-health"),
    pytest.param(child(residences=(), records=(HEALTH, HMRC)), True, id="R2.1-two-partner-sources"),
    pytest.param(child(residences=(), records=(HEALTH,)), False, id="R2.1-one-source-alone-is-not-enough"),
    pytest.param(child(residences=(), records=(RecordFact("health", "GP1", current=False), HMRC)), False,
                 id="R2.1-record-no-longer-in-the-extract"),
    pytest.param(child(residences=()), False, id="R2.1-nothing-says-they-live-here"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY), records=(HEALTH,)), False, id="R2.1-was-on-a-roll"),
]


@pytest.mark.parametrize(("data", "fires"), NEVER)
def test_never_accessed_education(data: ChildData, fires: bool) -> None:
    assert (run("never_accessed_education", data) is not None) is fires


def test_never_accessed_min_sources_is_configurable() -> None:
    assert run("never_accessed_education", child(residences=(), records=(HEALTH,)), min_sources=1) is not None


EHE = [
    pytest.param(child(enrolment(end=LEFT_RECENTLY, ground="F")), True, id="R5.5-ground-F-no-EHE-record"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY, ground="F"),
                       otherwise=(PeriodFact("ehe", LEFT_RECENTLY + dt.timedelta(days=1)),)), False,
                 id="R5.5-EHE-record-opened"),
    pytest.param(child(enrolment(), records=(RecordFact("ehe_notification", "E1",
                                                        detail={"notified_on": "2026-11-20"}),)), True,
                 id="R2.3-notice-received-while-on-roll"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY, ground="F"), enrolment(start=dt.date(2026, 11, 20))), False,
                 id="R5.5-back-on-a-roll"),
]


@pytest.mark.parametrize(("data", "fires"), EHE)
def test_withdrawn_for_ehe(data: ChildData, fires: bool) -> None:
    hit = run("withdrawn_for_ehe", data)
    assert (hit is not None) is fires
    if hit:
        assert hit.route == "ehe_team"


ABSENCE = [
    pytest.param(child(enrolment(), absence=AbsenceFact("9312001", "Riverside", 10, school_days_before(9), ON)),
                 "attendance_matter", id="R2.6-ten-days-on-roll-is-an-attendance-matter"),
    pytest.param(child(enrolment(), absence=AbsenceFact("9312001", "Riverside", 9, school_days_before(8), ON)),
                 None, id="R2.6-nine-days-is-not-yet"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY, ground="I", destination="XXXXXXX"),
                       absence_before_deletion=20), "cme", id="R3.6-ground-I-deletion-is-CME"),
    pytest.param(child(enrolment(end=LEFT_RECENTLY, ground="H", destination="XXXXXXX")), "cme",
                 id="R3.3-ground-H-deletion-is-CME"),
]


@pytest.mark.parametrize(("data", "route"), ABSENCE)
def test_unexplained_absence(data: ChildData, route: str | None) -> None:
    hit = run("unexplained_absence", data)
    assert (hit.route if hit else None) == route


def test_the_register_check_for_a_ground_i_deletion_is_in_the_evidence() -> None:
    short = child(enrolment(end=LEFT_RECENTLY, ground="I", destination="XXXXXXX"), absence_before_deletion=12)
    hit = run("unexplained_absence", short)
    assert hit is not None and hit.evidence["register_supports_ground"] is False  # R3.6: 20 school days needed
    assert hit.evidence["school_days_the_ground_needs"] == 20


def test_one_cme_concern_per_child_the_first_rule_wins() -> None:
    data = child(enrolment(end=school_days_before(12), ground="A", destination="9312002"),
                 allocations=(AllocationFact("offer", "9314001", dt.date(2026, 9, 3)),), records=(HEALTH,))
    every = {spec.code: {} for spec in rules.RULES}
    hits = rules.evaluate(data, CTX, every)
    assert [h.rule for h in hits] == ["left_no_destination"]
    del every["left_no_destination"]
    assert [h.rule for h in rules.evaluate(data, CTX, every)] == ["allocated_never_attended"]


def test_ehe_and_attendance_hits_are_separate_from_the_cme_concern() -> None:
    data = child(enrolment(end=LEFT_RECENTLY, ground="F"))
    hits = rules.evaluate(data, CTX, {spec.code: {} for spec in rules.RULES})
    assert [(h.rule, h.route) for h in hits] == [("withdrawn_for_ehe", "ehe_team")]


def test_every_rule_is_documented_with_its_rule_ids_and_defaults() -> None:
    for spec in rules.RULES:
        assert spec.description and spec.rule_ids.startswith("R") and spec.name
        assert set(spec.defaults) <= set(spec.parameter_help)


def test_school_days_count() -> None:
    assert DAYS.between(school_days_before(10), ON) == 10
    assert DAYS.between(ON, school_days_before(3)) == 0
    assert DAYS.autumn_start(2026) == CALENDAR.autumn_term_first_day(2026)
