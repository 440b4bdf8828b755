"""Vulnerable-group risk flags and elective home education reasons.

About one child in ten carries at least one flag. Household flags (Gypsy, Roma and Traveller, military
family, refuge, temporary accommodation, newly arrived) are shared by siblings; the rarest flags
(trafficking, FGM, forced marriage) appear a few times per 100,000 children. Children missing education
carry more flags than their peers, as in real caseloads.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Final

from cme.law import school_age
from cme.synthetic.rand import Weighted
from cme.synthetic.specs import RiskFlagSpec

__all__ = ["EHE_REASONS", "ChildFlagContext", "HouseholdFlags", "child_flags", "ehe_reason"]

EHE_REASONS: Final = Weighted(
    [
        ("dissatisfaction with school", 22.0),
        ("philosophical", 15.0),
        ("health", 14.0),
        ("SEND not met", 12.0),
        ("bullying", 8.0),
        ("religious or cultural", 5.0),
        ("lifestyle", 4.0),
        ("did not get preferred school", 4.0),
        ("to avoid exclusion", 2.0),
        ("other", 6.0),
        ("not known", 8.0),
    ]
)
_TRAVELLER_EHE_REASONS: Final = Weighted(
    [("lifestyle", 40.0), ("religious or cultural", 20.0), ("dissatisfaction with school", 20.0), ("not known", 20.0)]
)
_DISSATISFIED: Final = frozenset(
    {"dissatisfaction with school", "bullying", "SEND not met", "did not get preferred school"}
)

#: (code, base rate per child, minimum age, source, sex or "")
_INDIVIDUAL: Final[tuple[tuple[str, float, int, str, str], ...]] = (
    ("harm_neglect", 0.015, 0, "social care", ""),
    ("medical_emotional_needs", 0.017, 4, "health", ""),
    ("young_carer", 0.011, 8, "school", ""),
    ("missing_runaway", 0.006, 11, "police", ""),
    ("young_offender", 0.003, 12, "youth justice", ""),
    ("youth_justice_supervision", 0.0015, 12, "youth justice", ""),
    ("substance_misuse", 0.003, 13, "health", ""),
    ("teenage_parent", 0.004, 15, "health", "F"),
    ("radicalisation_risk", 0.0004, 11, "police", ""),
    ("honour_based_violence", 0.0003, 10, "police", ""),
    ("forced_marriage", 0.00015, 13, "police", ""),
    ("fgm", 0.0002, 0, "health", "F"),
    ("trafficked", 0.0001, 8, "police", ""),
    ("privately_fostered", 0.0008, 0, "social care", ""),
    ("ceased_attending", 0.003, 5, "school", ""),
)


@dataclass(frozen=True, slots=True)
class HouseholdFlags:
    """Flags every child in a household shares, with the date the household's situation began."""

    traveller: bool = False
    military: bool = False
    refuge: bool = False
    temporary_accommodation: bool = False
    newly_arrived: dt.date | None = None
    foster: bool = False
    since: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ChildFlagContext:
    key: int
    dob: dt.date
    sex: str
    status: str
    ehe_reason: str | None = None
    ehe_start: dt.date | None = None
    excluded_on: dt.date | None = None
    left_independent_on: dt.date | None = None
    left_roll_on: dt.date | None = None


def ehe_reason(rng: random.Random, *, traveller: bool) -> str:
    return (_TRAVELLER_EHE_REASONS if traveller else EHE_REASONS).pick(rng)


def _when(rng: random.Random, dob: dt.date, min_age: int, on: dt.date, *, within_days: int = 1460) -> dt.date:
    """A recording date after the child reached ``min_age`` and within the last few years."""
    earliest = max(school_age.birthday(dob, min_age), on - dt.timedelta(days=within_days), dob)
    span = (on - earliest).days
    return earliest + dt.timedelta(days=int(rng.random() * max(1, span)))


def child_flags(
    rng: random.Random, child: ChildFlagContext, household: HouseholdFlags, on: dt.date
) -> list[RiskFlagSpec]:
    """The flags recorded for one child by ``on``."""
    flags: dict[str, RiskFlagSpec] = {}
    key, dob = child.key, child.dob
    age = school_age.age_on(dob, on)

    def add(code: str, source: str, when: dt.date) -> None:
        if code not in flags:
            flags[code] = RiskFlagSpec(key, code, source, min(max(when, dob), on))

    since = household.since or _when(rng, dob, 0, on)
    if household.traveller:
        add("gypsy_roma_traveller", "school", since)
    if household.military:
        add("military_family", "school", since)
    if household.refuge:
        add("refuge", "housing", since)
    if household.temporary_accommodation:
        add("homeless_temporary_accommodation", "housing", since)
    if household.newly_arrived is not None:
        add("newly_arrived_migrant", "border force" if rng.random() < 0.4 else "school", household.newly_arrived)
    if household.foster:
        add("looked_after", "social care", _when(rng, dob, 0, on))
    missing = child.status.startswith("cme_")
    boost = 6.0 if child.status == "cme_left_no_destination" else (2.5 if missing or child.status == "ehe" else 1.0)
    if household.traveller or household.temporary_accommodation:
        boost *= 1.5
    for code, rate, min_age, source, sex in _INDIVIDUAL:
        if age < min_age or (sex and child.sex != sex):
            continue
        if rng.random() < rate * boost:
            add(code, source, _when(rng, dob, min_age, on))
    if code_rate(child.status) and rng.random() < code_rate(child.status):
        add("ceased_attending", "school", child.left_roll_on or _when(rng, dob, 5, on, within_days=365))
    if child.excluded_on is not None:
        add("permanently_excluded", "school", child.excluded_on)
    if child.left_independent_on is not None and rng.random() < 0.7:
        add("left_independent_school", "independent school", child.left_independent_on)
    if child.ehe_reason in _DISSATISFIED and child.ehe_start is not None:
        add("ehe_dissatisfaction", "EHE team", child.ehe_start)
    if "young_offender" in flags and rng.random() < 0.4:
        add("youth_justice_supervision", "youth justice", flags["young_offender"].recorded_on)
    return list(flags.values())


def code_rate(status: str) -> float:
    """Chance that a child who left a roll is flagged as having stopped attending first."""
    return 0.55 if status == "cme_left_no_destination" else 0.0
