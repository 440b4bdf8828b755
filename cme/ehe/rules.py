"""Pure rules for the EHE register (no Django, no clock): the SAO pathway order and its dates, annual contact.

Dates go through `cme.core.calendar` (working days); the calendar-day steps the statute uses are added here.
"""

from __future__ import annotations

import datetime as dt

from cme.core import calendar

#: s437(2) Education Act 1996: the period in a s437(1) notice is "not less than 15 days" from service (R5.4).
STATUTORY_MIN_NOTICE_DAYS = 15

#: The school attendance order pathway (R5.3, R5.4): which step may follow which. None = no step yet.
#: A closed pathway ("withdrawn") may start again with a new s437(1) notice.
#: s438 (notice of intention naming a school) is in the Act; its detailed steps are UNCONFIRMED in rules.md.
SAO_NEXT: dict[str | None, frozenset[str]] = {
    None: frozenset({"notice_437_1"}),
    "notice_437_1": frozenset({"intention_438", "withdrawn"}),
    "intention_438": frozenset({"sao_437_3", "withdrawn"}),
    "sao_437_3": frozenset({"prosecution_443", "withdrawn"}),
    "prosecution_443": frozenset({"withdrawn"}),
    "withdrawn": frozenset({"notice_437_1"}),
}

#: Steps that give the parent a period to respond before the next step may be taken.
STEPS_WITH_A_RESPONSE_PERIOD = frozenset({"notice_437_1", "intention_438"})


def notice_days(configured: int | None) -> int:
    """The LA's chosen response period in days, never below the statutory 15 (R5.4)."""
    if configured is None:
        return STATUTORY_MIN_NOTICE_DAYS
    return max(int(configured), STATUTORY_MIN_NOTICE_DAYS)


def sao_response_due(served_on: dt.date, days: int) -> dt.date:
    """The date the parent must satisfy the LA by: `days` calendar days after service, and if that is not
    a working day, the next working day (never shorter than the statute's period; local choice [L])."""
    due = served_on + dt.timedelta(days=notice_days(days))
    return due if calendar.is_working_day(due) else calendar.next_working_day(due)


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def sao_step_allowed(previous: str | None, step: str) -> bool:
    return step in SAO_NEXT.get(previous, frozenset())


def sao_step_problem(*, previous: str | None, previous_served_on: dt.date | None, previous_due: dt.date | None,
                     step: str, served_on: dt.date) -> str | None:
    """Why this step cannot be recorded, or None. A step follows the previous one (never before it), and a step
    that gives the parent time to respond cannot be followed, except by closing the pathway, until that time
    has passed (R5.4: the SAO comes only if the parent fails to satisfy the LA within the period)."""
    if not sao_step_allowed(previous, step):
        if previous is None:
            return "The pathway starts with the s437(1) notice."
        return "That step cannot follow the last one recorded."
    if previous_served_on is not None and served_on < previous_served_on:
        return f"The date cannot be before the last step ({_long(previous_served_on)})."
    if previous_due is not None and step != "withdrawn" and served_on <= previous_due:
        return f"The parent has until {_long(previous_due)} to respond: record the next step after that date."
    return None


def next_annual_contact(after: dt.date) -> dt.date:
    """A year after `after` (28 February for 29 February), on the next working day if it falls on a weekend
    or bank holiday."""
    try:
        due = after.replace(year=after.year + 1)
    except ValueError:  # 29 February
        due = dt.date(after.year + 1, 2, 28)
    return due if calendar.is_working_day(due) else calendar.next_working_day(due)
