"""The detection rules: named, documented, configurable, and pure (plain data in, hits out; no database).

Each rule looks at one child's facts on a day and may return a ``Hit`` with the evidence an officer needs at
triage. ``RULES`` lists them with their documented defaults; an LA changes a rule's parameters or switches it
off on the rule settings page (feeds.DetectionRule). Where a hit should go (``route``):

* ``cme``: a possible child missing education (s436A; R2.1) for the CME officer's triage;
* ``ehe_team``: withdrawn for home education: the EHE team, not a CME case (R5.5);
* ``attendance_matter``: on a roll but not attending: for the school as an attendance matter, not CME (R2.1).

One concern per child for CME: the CME rules are tried in ``CME_ORDER`` and the first that fires wins (the
officer sees one concern with the most specific evidence, not four). EHE and attendance hits are separate.

All CME rules share one gate (``missing_gate``): of compulsory school age (R1.1, R1.2), on no school roll and
with no place starting later, not educated otherwise (EHE/EOTAS, R5.2), and not known to have left the area
(R2.7(c)): exactly the s436A definition (R2.1) as far as the records show it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cme.law import school_age
from cme.law.deletion_grounds import GROUND_H_MIN_SCHOOL_DAYS, GROUND_I_MIN_SCHOOL_DAYS, GROUNDS

UNKNOWN_DESTINATIONS = frozenset({"", "XXXXXXX", "MMMMMMM"})  # R7.2, R7.3 (MMMMMMM: UNCONFIRMED, treated alike)
#: Grounds whose leavers are not a CME question for these rules: EHE (F, E: the EHE rule), nursery (B),
#: detained (J), died (K), leaving compulsory school age (L). R3.3 routing.
NOT_CME_GROUNDS = frozenset({"B", "E", "F", "J", "K", "L"})
LOST_GROUNDS = frozenset({"H", "I"})
EHE_GROUNDS = frozenset({"E", "F"})
_ONE_DAY = dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentFact:
    laestab: str
    school_name: str
    start: dt.date
    end: dt.date | None = None
    nc_year_at_start: int | None = None
    high_nc_year: int = 13
    phase: str = ""
    deletion_ground: str = ""
    destination_laestab: str = ""
    destination_name: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class PeriodFact:
    """Education otherwise (kind ehe/eotas) or a residence (kind "in"/"out" of the area)."""

    kind: str
    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class RecordFact:
    """A partner record linked to the child (matching.SourceRecord), as evidence."""

    source: str
    source_record_id: str
    postcode: str = ""
    current: bool = True  # in the latest import of its source
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AllocationFact:
    kind: str  # offer / pre_admission
    laestab: str
    start: dt.date
    school_name: str = ""
    source: str = ""
    source_record_id: str = ""


@dataclass(frozen=True)
class AbsenceFact:
    """Consecutive school days whose every held session was G, N or O (R3.6), ending on ``last_day``."""

    laestab: str
    school_name: str
    days: int
    first_day: dt.date
    last_day: dt.date


@dataclass(frozen=True)
class ChildData:
    child_id: int
    date_of_birth: dt.date
    enrolments: Sequence[EnrolmentFact] = ()
    otherwise: Sequence[PeriodFact] = ()
    residences: Sequence[PeriodFact] = ()
    records: Sequence[RecordFact] = ()
    allocations: Sequence[AllocationFact] = ()
    absence: AbsenceFact | None = None
    absence_before_deletion: int | None = None  # school days of G/N/O up to the last deletion, if marks held


class SchoolDays:
    """School days (from the LA's term calendar, cme.core.calendar) as a sorted list, for fast counting."""

    def __init__(self, days: Sequence[dt.date], autumn_starts: Mapping[int, dt.date] | None = None) -> None:
        self.days = sorted(days)
        self.autumn_starts = dict(autumn_starts or {})

    def between(self, start: dt.date, end: dt.date) -> int:
        """School days in (start, end]."""
        if end <= start:
            return 0
        return bisect.bisect_right(self.days, end) - bisect.bisect_right(self.days, start)

    def autumn_start(self, year: int) -> dt.date:
        """First school day of the autumn term of the school year starting in ``year`` (1 Sep if not held)."""
        if year in self.autumn_starts:
            return self.autumn_starts[year]
        index = bisect.bisect_left(self.days, dt.date(year, 9, 1))
        if index < len(self.days) and self.days[index] < dt.date(year + 1, 1, 1):
            return self.days[index]
        return dt.date(year, 9, 1)


@dataclass(frozen=True)
class Context:
    on: dt.date
    la_code: str
    school_days: SchoolDays
    destination_grace_school_days: int = 10


@dataclass(frozen=True)
class Hit:
    rule: str
    child_id: int
    route: str
    summary: str
    evidence: dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Shared predicates
# --------------------------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@lru_cache(maxsize=100_000)
def _csa(dob: dt.date, on: dt.date) -> bool:
    return school_age.is_compulsory_school_age(dob, on)


def is_csa(child: ChildData, on: dt.date) -> bool:
    return _csa(child.date_of_birth, on)


def on_roll(child: ChildData, on: dt.date) -> EnrolmentFact | None:
    return next((e for e in child.enrolments if e.covers(on)), None)


def place_ahead(child: ChildData, on: dt.date) -> EnrolmentFact | None:
    return next((e for e in child.enrolments if e.start > on), None)


def educated_otherwise(child: ChildData, on: dt.date) -> PeriodFact | None:
    return next((p for p in child.otherwise if p.covers(on)), None)


def left_area(child: ChildData, on: dt.date) -> bool:
    current = [r for r in child.residences if r.covers(on)]
    return bool(current) and max(current, key=lambda r: r.start).kind == "out"


def missing_gate(child: ChildData, on: dt.date) -> bool:
    """R2.1 as the records show it: CSA, on no roll, no place arranged, not educated otherwise, still here."""
    return (is_csa(child, on) and on_roll(child, on) is None and place_ahead(child, on) is None
            and educated_otherwise(child, on) is None and not left_area(child, on))


def last_left(child: ChildData, on: dt.date) -> EnrolmentFact | None:
    ended = [e for e in child.enrolments if e.end is not None and e.end < on]
    return max(ended, key=lambda e: (e.end, e.start)) if ended else None


def year_at_end(child: ChildData, enrolment: EnrolmentFact) -> int | None:
    """The year group the child was in when the enrolment ended (actual if known, else expected; R1.4)."""
    end = enrolment.end or enrolment.start
    if enrolment.nc_year_at_start is not None:
        return enrolment.nc_year_at_start + (school_age.school_year_start(end) - school_age.school_year_start(
            enrolment.start))
    return school_age.nc_year(child.date_of_birth, end)


def is_phase_end(child: ChildData, enrolment: EnrolmentFact) -> bool:
    """Left in the summer from the school's top year group before Year 11: a key-stage transfer was due."""
    year = year_at_end(child, enrolment)
    return (enrolment.end is not None and enrolment.end.month in (5, 6, 7, 8) and year is not None
            and year < 11 and year >= enrolment.high_nc_year)


def _enrolment_evidence(e: EnrolmentFact) -> dict[str, Any]:
    ground = GROUNDS.get(e.deletion_ground)
    return {
        "school": e.school_name, "laestab": e.laestab, "start": _iso(e.start), "end": _iso(e.end),
        "deletion_ground": e.deletion_ground, "deletion_ground_title": ground.title if ground else "",
        "destination": e.destination_laestab or "not given", "destination_name": e.destination_name,
    }


def _records_evidence(records: Sequence[RecordFact]) -> list[dict[str, Any]]:
    return [{"source": r.source, "record": r.source_record_id, "postcode": r.postcode, "current": r.current,
             **dict(r.detail)} for r in records[:6]]


# --------------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------------


def unexplained_absence(child: ChildData, ctx: Context, params: Mapping[str, Any]) -> Hit | None:
    """R2.6, R3.6: (a) deleted under ground H or I (whereabouts unknown after joint enquiries): off roll, so a
    possible CME (R2.7(f)); the evidence shows whether the register we hold supports the ground (20 school days
    of G/N/O for I, 10 for H). (b) On roll with `min_days` (default 10) consecutive school days on which every
    session was G, N or O: an attendance matter for the school, not CME (R2.1)."""
    on = ctx.on
    last = last_left(child, on)
    if last is not None and last.deletion_ground in LOST_GROUNDS and missing_gate(child, on):
        needed = GROUND_I_MIN_SCHOOL_DAYS if last.deletion_ground == "I" else GROUND_H_MIN_SCHOOL_DAYS
        held = child.absence_before_deletion
        evidence = {
            "enrolment": _enrolment_evidence(last),
            "absence_school_days_before_deletion": held,
            "school_days_the_ground_needs": needed,
            "register_supports_ground": None if held is None else held >= needed,
            "joint_enquiries": "The ground needs the LA's joint-enquiries sign-off (R3.6).",
        }
        return Hit("unexplained_absence", child.child_id, "cme",
                   f"Deleted from the roll of {last.school_name} on {last.end:%d %B %Y} under ground "
                   f"{last.deletion_ground} (whereabouts not known); on no school roll since.", evidence)
    absence = child.absence
    current = on_roll(child, on)
    min_days = int(params.get("min_days", 10))
    if current is not None and absence is not None and absence.days >= min_days and is_csa(child, on):
        evidence = {
            "school": absence.school_name, "laestab": absence.laestab, "consecutive_school_days": absence.days,
            "first_day": _iso(absence.first_day), "last_day": _iso(absence.last_day),
            "codes": "every session G, N or O (R3.6)",
        }
        return Hit("unexplained_absence", child.child_id, "attendance_matter",
                   f"{absence.days} consecutive school days of unexplained absence at {absence.school_name} "
                   f"({absence.first_day:%d %B} to {absence.last_day:%d %B %Y}); still on roll.", evidence)
    return None


def missed_transfer(child: ChildData, ctx: Context, params: Mapping[str, Any]) -> Hit | None:
    """R1.4 (EA 2002 s82): left a school at the end of its top year group (Year 2 infant, Year 6 primary or junior,
    a middle school's last year) and on no roll `grace_school_days` (default 0) after the autumn term began."""
    on = ctx.on
    if not missing_gate(child, on):
        return None
    last = last_left(child, on)
    if (last is None or last.end is None or last.deletion_ground in NOT_CME_GROUNDS | LOST_GROUNDS
            or not is_phase_end(child, last)):
        return None
    term_start = ctx.school_days.autumn_start(school_age.school_year_start(last.end) + 1)
    grace = int(params.get("grace_school_days", 0))
    if on < term_start or ctx.school_days.between(term_start, on) < grace:
        return None
    year = year_at_end(child, last)
    transfer = {2: "infant to junior (Year 2 to Year 3)", 6: "primary to secondary (Year 6 to Year 7)"}.get(
        year or 0, f"Year {year} to Year {(year or 0) + 1}")
    evidence = {"enrolment": _enrolment_evidence(last), "year_group_when_left": year, "transfer": transfer,
                "autumn_term_started": _iso(term_start)}
    named = "" if last.destination_laestab in UNKNOWN_DESTINATIONS else (
        f" The school named {last.destination_name or last.destination_laestab} as the next school.")
    return Hit("missed_transfer", child.child_id, "cme",
               f"Left {last.school_name} at the end of Year {year} on {last.end:%d %B %Y} and is on no school roll "
               f"since the autumn term began ({transfer}).{named}", evidence)


def left_no_destination(child: ChildData, ctx: Context, params: Mapping[str, Any]) -> Hit | None:
    """R2.4, R2.7, R7.2: left a school roll with no known destination (blank, XXXXXXX or MMMMMMM), or for a named
    school that has not enrolled them (nor has any other school) N school days later (N =
    LocalAuthority.destination_grace_school_days, default 10; a destination outside the LA is checked too unless
    `check_destinations_outside_la` is false: confirm with that LA, R2.8)."""
    on = ctx.on
    if not missing_gate(child, on):
        return None
    last = last_left(child, on)
    if (last is None or last.end is None or last.deletion_ground in NOT_CME_GROUNDS | LOST_GROUNDS
            or is_phase_end(child, last)):
        return None
    evidence: dict[str, Any] = {"enrolment": _enrolment_evidence(last)}
    if last.destination_laestab in UNKNOWN_DESTINATIONS:
        return Hit("left_no_destination", child.child_id, "cme",
                   f"Left {last.school_name} on {last.end:%d %B %Y} with no known destination and is on no school "
                   "roll since.", evidence)
    outside = last.destination_laestab[:3] != ctx.la_code
    if outside and not params.get("check_destinations_outside_la", True):
        return None
    grace = int(params.get("grace_school_days", ctx.destination_grace_school_days))
    days = ctx.school_days.between(last.end, on)
    if days < grace:
        return None
    evidence["school_days_since"] = days
    evidence["destination_outside_la"] = outside
    where = last.destination_name or last.destination_laestab
    return Hit("left_no_destination", child.child_id, "cme",
               f"Left {last.school_name} on {last.end:%d %B %Y} for {where}, but {days} school days later is on no "
               "school roll" + (" (a school in another LA: confirm with that LA, R2.8)." if outside else "."),
               evidence)


def allocated_never_attended(child: ChildData, ctx: Context, params: Mapping[str, Any]) -> Hit | None:
    """R2.4, R3.2: allocated a place (an admissions offer, or a pre-admission on the school's feed) starting
    `grace_school_days` (default 10) or more school days ago, and never enrolled since (at that or any school)."""
    on = ctx.on
    if not missing_gate(child, on):
        return None
    grace = int(params.get("grace_school_days", 10))
    for allocation in sorted(child.allocations, key=lambda a: a.start, reverse=True):
        if allocation.start > on or ctx.school_days.between(allocation.start, on) < grace:
            continue
        since = allocation.start - dt.timedelta(days=30)
        if any(e.start >= since for e in child.enrolments):
            continue
        kind = "an admissions offer" if allocation.kind == "offer" else "a pre-admission place"
        evidence = {"allocation": {"kind": allocation.kind, "laestab": allocation.laestab,
                                   "school": allocation.school_name, "start": _iso(allocation.start),
                                   "source": allocation.source, "record": allocation.source_record_id},
                    "school_days_since_start": ctx.school_days.between(allocation.start, on)}
        return Hit("allocated_never_attended", child.child_id, "cme",
                   f"Allocated a place at {allocation.school_name or allocation.laestab} ({kind}) from "
                   f"{allocation.start:%d %B %Y} but has never been on its roll or any other.", evidence)
    return None


def never_accessed_education(child: ChildData, ctx: Context, params: Mapping[str, Any]) -> Hit | None:
    """R2.1: of compulsory school age, living in the area (a linked health, HMRC Child Benefit, social care, DWP or
    Border Force record, or the child's own residence record), never on a school roll, not EHE or EOTAS, not
    otherwise accounted for. Without a residence record, `min_sources` (default 2) different partner sources
    are needed (one record alone may be a record that failed to link to the child we hold);
    `only_current_records` (default true) counts only records in each source's latest extract."""
    on = ctx.on
    if not missing_gate(child, on) or any(e.start <= on for e in child.enrolments):
        return None
    sources = set(params.get("sources") or ())
    only_current = bool(params.get("only_current_records", True))
    records = [r for r in child.records if (not sources or r.source in sources) and (r.current or not only_current)]
    lives_here = bool(params.get("use_residence_records", True)) and any(
        r.kind == "in" and r.covers(on) for r in child.residences)
    if len({r.source for r in records}) < int(params.get("min_sources", 2)) and not lives_here:
        return None
    if not records and not lives_here:
        return None
    evidence = {"records": _records_evidence(records), "residence_record_in_area": lives_here,
                "compulsory_school_age_from": _iso(school_age.csa_start(child.date_of_birth))}
    known = ", ".join(sorted({r.source.replace("_", " ") for r in records})) or "the LA's own residence record"
    return Hit("never_accessed_education", child.child_id, "cme",
               f"Of compulsory school age and living in the area (known to {known}) but never on a school roll.",
               evidence)


def withdrawn_for_ehe(child: ChildData, ctx: Context, params: Mapping[str, Any]) -> Hit | None:
    """R2.3, R5.5: deleted under ground F (written notice of home education) or E, or an EHE notification
    received, and no EHE record since: route to the EHE team (not a CME case)."""
    on = ctx.on
    if not is_csa(child, on) or left_area(child, on):
        return None
    window = dt.timedelta(days=int(params.get("match_days", 60)))

    def known_to_ehe(since: dt.date) -> bool:
        return any(p.start >= since - window or p.covers(since) for p in child.otherwise)

    last = last_left(child, on)
    if last is not None and last.deletion_ground in EHE_GROUNDS and on_roll(child, on) is None \
            and place_ahead(child, on) is None and last.end is not None and not known_to_ehe(last.end):
        return Hit("withdrawn_for_ehe", child.child_id, "ehe_team",
                   f"Deleted from {last.school_name} on {last.end:%d %B %Y} under ground {last.deletion_ground} "
                   "(home education) and there is no EHE record yet.", {"enrolment": _enrolment_evidence(last)})
    for record in child.records:
        if record.source != "ehe_notification":
            continue
        notified = record.detail.get("notified_on")
        day = dt.date.fromisoformat(notified) if isinstance(notified, str) and notified else on
        if day <= on and not known_to_ehe(day):
            return Hit("withdrawn_for_ehe", child.child_id, "ehe_team",
                       f"Home education notified on {day:%d %B %Y} and there is no EHE record yet.",
                       {"records": _records_evidence([record])})
    return None


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------

RuleFunction = Callable[[ChildData, Context, Mapping[str, Any]], Hit | None]


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    rule_ids: str
    function: RuleFunction
    defaults: Mapping[str, Any]
    parameter_help: Mapping[str, str] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return " ".join((self.function.__doc__ or "").split())


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("unexplained_absence", "Deleted under ground H or I, or 10+ school days of unexplained absence",
             "R2.6, R3.6", unexplained_absence, {"min_days": 10},
             {"min_days": "consecutive school days of G/N/O sessions before an on-roll pupil is raised"}),
    RuleSpec("missed_transfer", "Missed a key-stage transfer", "R1.4", missed_transfer, {"grace_school_days": 0},
             {"grace_school_days": "school days after the autumn term starts before raising"}),
    RuleSpec("left_no_destination", "Left a school roll with no known destination", "R2.4, R2.7, R7.2",
             left_no_destination, {"check_destinations_outside_la": True},
             {"grace_school_days": "school days to wait for a named destination (default: the LA's setting)",
              "check_destinations_outside_la": "also raise when the named school is in another LA"}),
    RuleSpec("allocated_never_attended", "Allocated a school place but never attended", "R2.4, R3.2",
             allocated_never_attended, {"grace_school_days": 10},
             {"grace_school_days": "school days after the place's start date before raising"}),
    RuleSpec("never_accessed_education", "Living in the area but never on a school roll", "R2.1",
             never_accessed_education,
             {"min_sources": 2, "only_current_records": True, "use_residence_records": True, "sources": []},
             {"min_sources": "partner sources needed when there is no residence record",
              "only_current_records": "count only records in each source's latest extract",
              "use_residence_records": "a residence record in the area is enough",
              "sources": "which sources count (empty: health, HMRC, social care, DWP, Border Force)"}),
    RuleSpec("withdrawn_for_ehe", "Withdrawn for home education with no EHE record", "R2.3, R5.5",
             withdrawn_for_ehe, {"match_days": 60},
             {"match_days": "an EHE record starting up to this many days before counts"}),
)
RULES_BY_CODE = {spec.code: spec for spec in RULES}
#: One CME concern per child: the first of these that fires wins.
CME_ORDER = ("unexplained_absence", "missed_transfer", "left_no_destination", "allocated_never_attended",
             "never_accessed_education")


#: The rules that find nothing unless the child passes `missing_gate` (evaluate checks the gate once for them).
GATED = frozenset({"missed_transfer", "left_no_destination", "allocated_never_attended", "never_accessed_education"})


def evaluate(child: ChildData, ctx: Context, parameters: Mapping[str, Mapping[str, Any]]) -> list[Hit]:
    """Every enabled rule (the keys of ``parameters``) on one child: at most one CME hit, plus EHE/attendance."""
    hits: list[Hit] = []
    cme_found = False
    gate = missing_gate(child, ctx.on)
    for code in (*CME_ORDER, *(c for c in RULES_BY_CODE if c not in CME_ORDER)):
        if code not in parameters or (code in GATED and not gate):
            continue
        spec = RULES_BY_CODE[code]
        hit = spec.function(child, ctx, {**spec.defaults, **parameters[code]})
        if hit is None:
            continue
        if hit.route == "cme":
            if cme_found:
                continue
            cme_found = True
        hits.append(hit)
    return hits
