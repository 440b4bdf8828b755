"""Pure rules for the Children Not In School register (CWSA 2026 s38: new s436B-G EA 1996; R6.1-R6.4).

No Django, no clock. Not yet in force (R6.1): the register is built and kept behind
`LocalAuthority.cnis_register_enabled` until commencement regulations are made.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from cme.law.school_age import is_compulsory_school_age

#: Jan 2026 government amendments: an LA may ask a provider for updates at most once every 3 months (R6.3).
PROVIDER_REQUEST_INTERVAL_MONTHS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later; the last day of that month if it is shorter
    (30 November + 3 months = 28 or 29 February; 31 May + 3 months = 31 August)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def next_provider_request(last_sent: dt.date | None) -> dt.date | None:
    """The first day another request may go to the same provider (None: no request yet, so any day)."""
    if last_sent is None:
        return None
    return add_months(last_sent, PROVIDER_REQUEST_INTERVAL_MONTHS)


def provider_request_allowed(last_sent: dt.date | None, on: dt.date) -> bool:
    """At most one request every 3 months to each provider (R6.3)."""
    allowed_from = next_provider_request(last_sent)
    return allowed_from is None or on >= allowed_from


#: s436B condition C (R6.2); which type of school (c) covers is UNCONFIRMED (s436B(7)(d)).
CONDITION_C = {
    "a": "C(a): not a registered pupil at a relevant school",
    "b": "C(b): registered, but the school has arranged or agreed education elsewhere and the child is absent for "
         "some or all of the normal full-time hours (flexi-schooling, off-site or EOTAS arrangements)",
    "c": "C(c): a part-time student at a relevant school of the kind in s436B(7)(d)",
}


def eligibility_problems(*, lives_in_area: bool, date_of_birth: dt.date, on: dt.date, condition_c: str) -> list[str]:
    """Why a child does not meet all three conditions of s436B (A: lives in the area; B: compulsory school age;
    C: one of its limbs), or an empty list."""
    problems = []
    if not lives_in_area:
        problems.append("Condition A: the child must live in the council's area.")
    if not is_compulsory_school_age(date_of_birth, on):
        problems.append("Condition B: the child must be of compulsory school age.")
    if condition_c not in CONDITION_C:
        problems.append("Condition C: choose which limb applies.")
    return problems
