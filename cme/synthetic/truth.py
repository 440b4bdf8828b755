"""The hidden truth: a child's education status on a date, derived from the generated facts.

The order of the tests is the contract:

1. ``on_roll``: an enrolment covers the date (or a place starts within ``PLACE_ARRANGED_DAYS`` of it,
   after a transfer the family has already made);
2. ``moved_out_of_area``: the household now lives in another LA or abroad;
3. ``below_csa`` / ``above_csa``: not of compulsory school age (``cme.law.school_age``);
4. ``ehe``: elective home education after a ground F deletion;
5. otherwise the child is missing education (s436A), and the kind says how:
   ``cme_arrived_no_school`` (never on a roll, family came from abroad in the last two years),
   ``cme_never_started`` (never on a roll), ``cme_missed_transfer`` (last roll ended with ground A and a
   named next school the child never joined), ``cme_left_no_destination`` (anything else: ground I, H, G
   or N with destination ``XXXXXXX``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cme.law import school_age
from cme.synthetic.specs import UNKNOWN_DESTINATION, EnrolmentSpec, HouseholdSpec

__all__ = ["NEWLY_ARRIVED_DAYS", "PLACE_ARRANGED_DAYS", "derive_status"]

#: A family that came from abroad this recently counts as newly arrived.
NEWLY_ARRIVED_DAYS = 730
#: A school place starting this soon after the date counts as being on roll (mid-transfer).
PLACE_ARRANGED_DAYS = 30


def derive_status(
    dob: dt.date,
    enrolments: Sequence[EnrolmentSpec],
    household: HouseholdSpec,
    *,
    ehe_start: dt.date | None,
    on: dt.date,
    la_code: str,
) -> tuple[str, dt.date | None]:
    """``(status, since)`` for one child on ``on``; ``since`` is when the status began, where known."""
    last_end: dt.date | None = None
    last: EnrolmentSpec | None = None
    for e in enrolments:
        if e.start <= on and (e.end is None or e.end >= on):
            return "on_roll", e.start
        if e.start > on and (e.start - on).days <= PLACE_ARRANGED_DAYS:
            return "on_roll", e.start
        if e.end is not None and e.end < on and (last_end is None or e.end >= last_end):
            last_end, last = e.end, e
    if household.la_code != la_code:
        return "moved_out_of_area", household.moved_in
    if on < school_age.csa_start(dob):
        return "below_csa", None
    if on > school_age.csa_end(dob):
        return "above_csa", school_age.csa_end(dob)
    if ehe_start is not None and ehe_start <= on and last is not None and last.deletion_ground == "F":
        return "ehe", ehe_start
    if last is None:
        arrived = household.arrived_uk
        if arrived is not None and (on - arrived).days <= NEWLY_ARRIVED_DAYS:
            return "cme_arrived_no_school", max(arrived, school_age.csa_start(dob))
        return "cme_never_started", school_age.csa_start(dob)
    since = max(last.end or on, school_age.csa_start(dob))
    if last.deletion_ground == "A" and last.destination_laestab not in (None, UNKNOWN_DESTINATION):
        return "cme_missed_transfer", since
    return "cme_left_no_destination", since
