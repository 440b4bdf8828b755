"""Pure rules for part-time timetables (no Django, no clock): review dates, flags, hours missed (R4.2).

School days come from a `cme.core.calendar.TermCalendar` (the LA's term dates); nothing here counts school days
by hand. Only the whole-week step of the review cycle is added here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cme.core import calendar
from cme.core.calendar import TermCalendar

TENTH = Decimal("0.1")


def review_due(base: dt.date, weeks: int, terms: TermCalendar) -> dt.date:
    """The next review: `weeks` weeks after the last review (or the start). If that day is not a school day
    (a weekend, bank holiday, school holiday or closure day) it moves to the next school day. Beyond the term
    dates held, it moves to the next working day instead."""
    due = base + dt.timedelta(weeks=weeks)
    if terms.is_school_day(due):
        return due
    try:
        return terms.next_school_day(due)
    except ValueError:
        return due if calendar.is_working_day(due) else calendar.next_working_day(due)


class Flag(StrEnum):
    NO_CONSENT = "no_consent"
    PAST_END = "past_end"
    EXTENDED = "extended"
    REVIEW_OVERDUE = "review_overdue"
    PROFESSIONALS = "professionals"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]


FLAG_LABELS = {
    Flag.NO_CONSENT: "No parental consent recorded",
    Flag.PAST_END: "Past its planned end date",
    Flag.EXTENDED: "Extended repeatedly",
    Flag.REVIEW_OVERDUE: "Review overdue",
    Flag.PROFESSIONALS: "Social worker or SEN team not involved",
}


@dataclass(frozen=True)
class TimetableFacts:
    active: bool
    consent_given: bool
    planned_end_date: dt.date
    next_review_due: dt.date
    extensions: int
    has_social_worker: bool = False
    social_worker_involved: bool = False
    has_ehcp: bool = False
    ehcp_involved: bool = False


def flags(facts: TimetableFacts, *, today: dt.date, max_extensions: int) -> list[Flag]:
    """What needs attention on a timetable in place (R4.2): no consent of the parent the pupil lives with; past
    its clear end date; extended more than `max_extensions` times; review overdue; a social worker or EHCP
    without the relevant professionals involved. A timetable that has ended raises none."""
    if not facts.active:
        return []
    found = []
    if not facts.consent_given:
        found.append(Flag.NO_CONSENT)
    if today > facts.planned_end_date:
        found.append(Flag.PAST_END)
    if facts.extensions > max_extensions:
        found.append(Flag.EXTENDED)
    if today > facts.next_review_due:
        found.append(Flag.REVIEW_OVERDUE)
    if (facts.has_social_worker and not facts.social_worker_involved) or (facts.has_ehcp and not facts.ehcp_involved):
        found.append(Flag.PROFESSIONALS)
    return found


def hours_missed_per_week(full_time_hours: Decimal, hours_per_week: Decimal) -> Decimal:
    return max(Decimal(0), Decimal(full_time_hours) - Decimal(hours_per_week))


def school_days_on(start: dt.date, end: dt.date, terms: TermCalendar) -> int:
    """School days from `start` to `end` inclusive (0 if `end` is before `start`)."""
    if end < start:
        return 0
    return len(terms.school_days(start, end))


def hours_missed(school_days: int, full_time_hours: Decimal, hours_per_week: Decimal) -> Decimal:
    """School days x (full-time hours - timetabled hours) / 5, to one decimal place."""
    per_day = hours_missed_per_week(full_time_hours, hours_per_week) / 5
    return (per_day * school_days).quantize(TENTH, rounding=ROUND_HALF_UP)


def length_weeks(start: dt.date, end: dt.date) -> Decimal:
    """Weeks from `start` to `end`, to one decimal place (0 before it starts)."""
    days = max(0, (end - start).days)
    return (Decimal(days) / 7).quantize(TENTH, rounding=ROUND_HALF_UP)
