"""A child's education status on any date, derived from their records (never typed by hand).

Pure functions over plain periods, so the rules are tested without a database:

- below / above compulsory school age (R1.1, R1.2) — outside CSA the s436A duty does not apply;
- on roll: registered at a school on that date (R2.1 limb 1; on roll but absent is *not* CME);
- EHE / EOTAS: receiving education otherwise than at school, unless found not suitable (R2.1, R5.2, R5.5);
- left the area: no longer resident in the LA (R2.7(c));
- CME: of CSA, living in the area, on no roll and not educated otherwise (R2.1);
- unknown: nothing tells us where the child lives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cme.law.school_age import csa_end, csa_start


class EducationStatus(StrEnum):
    BELOW_CSA = "below_csa"
    ON_ROLL = "on_roll"
    EHE = "ehe"
    EOTAS = "eotas"
    CME = "cme"
    LEFT_AREA = "left_area"
    ABOVE_CSA = "above_csa"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    EducationStatus.BELOW_CSA: "Below compulsory school age",
    EducationStatus.ON_ROLL: "On a school roll",
    EducationStatus.EHE: "Electively home educated",
    EducationStatus.EOTAS: "Education otherwise than at school",
    EducationStatus.CME: "Missing education",
    EducationStatus.LEFT_AREA: "Left the local authority area",
    EducationStatus.ABOVE_CSA: "Above compulsory school age",
    EducationStatus.UNKNOWN: "Not known",
}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None  # inclusive; None = still open
    kind: str = ""  # enrolment: school name; otherwise: ehe / eotas; residence: "in" / "out"
    flag: str = ""  # education otherwise: suitability

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class ChildFacts:
    date_of_birth: dt.date
    enrolments: Sequence[Period] = ()
    education_otherwise: Sequence[Period] = ()
    residences: Sequence[Period] = ()  # kind "in" (in the LA's area) or "out"
    has_address_in_area: bool = True


def status_on(facts: ChildFacts, day: dt.date) -> EducationStatus:
    # On roll comes first: a sixth-former or a four-year-old in Reception is "on roll" whatever their age.
    if any(p.covers(day) for p in facts.enrolments):
        return EducationStatus.ON_ROLL
    if day < csa_start(facts.date_of_birth):
        return EducationStatus.BELOW_CSA
    if day > csa_end(facts.date_of_birth):
        return EducationStatus.ABOVE_CSA
    for period in facts.education_otherwise:
        if period.covers(day) and period.flag != "not_suitable":
            return EducationStatus.EOTAS if period.kind == "eotas" else EducationStatus.EHE
    residence = next((p for p in facts.residences if p.covers(day)), None)
    if residence is not None and residence.kind == "out":
        return EducationStatus.LEFT_AREA
    if residence is None and not facts.has_address_in_area:
        return EducationStatus.UNKNOWN
    return EducationStatus.CME


@dataclass(frozen=True)
class TimelineEntry:
    start: dt.date
    end: dt.date | None
    status: EducationStatus


def timeline(facts: ChildFacts, *, until: dt.date) -> list[TimelineEntry]:
    """The child's status from birth to `until`, as consecutive periods of one status each."""
    points = {facts.date_of_birth, csa_start(facts.date_of_birth), csa_end(facts.date_of_birth) + dt.timedelta(1)}
    for period in (*facts.enrolments, *facts.education_otherwise, *facts.residences):
        points.add(period.start)
        if period.end is not None:
            points.add(period.end + dt.timedelta(days=1))
    ordered = sorted(p for p in points if facts.date_of_birth <= p <= until)
    entries: list[TimelineEntry] = []
    for point in ordered:
        status = status_on(facts, point)
        if entries and entries[-1].status == status:
            continue
        if entries:
            last = entries[-1]
            entries[-1] = TimelineEntry(last.start, point - dt.timedelta(days=1), last.status)
        entries.append(TimelineEntry(point, None, status))
    return entries
