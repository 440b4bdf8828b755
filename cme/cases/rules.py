"""Pure rules for case work (no database): the case's priority and the closure guards (rules.md R2.5, R2.7, R7.2).

Each closure outcome has one guard function returning the list of failed-guard messages, written for the
officer ("what is missing"), so a refused closure says exactly which guard failed. An empty list means the
case may close on that outcome.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Kept as plain strings so this module needs no Django (they equal the model choices' values).
OPEN, ENQUIRIES, LOCATED, NOT_LOCATED, CLOSED = "open", "enquiries", "located", "not_located", "closed"
ON_ROLL, EHE_SUITABLE, MOVED_LA, OUTCOME_NOT_LOCATED = "on_roll", "ehe_suitable", "moved_la", "not_located"
IN_LA, UK, OVERSEAS = "in_la", "uk", "overseas"
LOW, MEDIUM, HIGH = 1, 2, 3

#: Working days open after which a case gains priority (about 6 and 12 weeks) [L: configurable later].
AGE_STEPS = (30, 60)

_LAESTAB = re.compile(r"^\d{7}$")


def case_priority(*, max_severity: int, working_days_open: int) -> int:
    """Priority from the most severe active risk flag (0 none, 1 low, 2 medium, 3 high) and the case's age.

    A high-severity flag makes the case high priority at once; each age step (AGE_STEPS working days) adds one.
    """
    score = max(0, min(max_severity, HIGH)) + sum(1 for step in AGE_STEPS if working_days_open >= step)
    if score >= HIGH:
        return HIGH
    if score == MEDIUM:
        return MEDIUM
    return LOW


@dataclass(frozen=True)
class EnquiryFact:
    label: str
    done: bool = False
    not_applicable: bool = False
    reason: str = ""

    @property
    def complete(self) -> bool:
        return self.done or (self.not_applicable and bool(self.reason.strip()))


@dataclass(frozen=True)
class ClosureFacts:
    """Everything the closure guards look at, gathered by cases.selectors.closure_facts."""

    today: dt.date
    status: str
    # (a) on roll: where, which school, and the confirmed start date.
    school_where: str = ""
    school_id: int | None = None
    school_laestab: str = ""
    school_name: str = ""
    school_country: str = ""
    start_date: dt.date | None = None
    confirmed_by: str = ""
    # (b) EHE: the EHE team's finding that the education appears suitable (R5.2).
    ehe_suitable: bool = False
    # (c) not located: the checklist, the panel, the lost-pupil CTF and its S2S upload.
    enquiries: tuple[EnquiryFact, ...] = field(default=())
    panel_reviewed: bool = False
    lost_pupil_ctf_generated: bool = False
    lost_pupil_ctf_uploaded: bool = False
    # (d) moved to another LA: the receiving LA's confirmation (R2.8).
    transfer_confirmed: bool = False


def _needs_status(facts: ClosureFacts, status: str, message: str) -> list[str]:
    if facts.status == CLOSED:
        return ["This case is already closed."]
    return [] if facts.status == status else [message]


def guard_on_roll(facts: ClosureFacts) -> list[str]:
    """R2.7(a): registered at a school: in the LA, elsewhere in the UK (LAESTAB or name) or overseas (country and
    school), confirmed, with the start date."""
    errors = _needs_status(facts, LOCATED, "Record the child as located before closing the case as on roll.")
    if facts.school_where == IN_LA:
        if facts.school_id is None:
            errors.append("Choose the school in this local authority the child is on roll at.")
    elif facts.school_where == UK:
        if facts.school_laestab and not _LAESTAB.match(facts.school_laestab):
            errors.append("Enter the school's LAESTAB as 7 digits, for example 9314125.")
        if not facts.school_laestab and not facts.school_name.strip():
            errors.append("Enter the school's LAESTAB or its name.")
    elif facts.school_where == OVERSEAS:
        if not facts.school_country.strip():
            errors.append("Enter the country of the school overseas.")
        if not facts.school_name.strip():
            errors.append("Enter the name of the school overseas.")
    else:
        errors.append("Say where the school is: in this local authority, elsewhere in the UK or overseas.")
    if facts.start_date is None:
        errors.append("Enter the date the child started at the school, as the school confirmed it.")
    elif facts.start_date > facts.today:
        errors.append("The start date is in the future: close the case once the child has started.")
    if not facts.confirmed_by.strip():
        errors.append("Say who confirmed the school place (for example the school's admissions officer).")
    return errors


def guard_ehe_suitable(facts: ClosureFacts) -> list[str]:
    """R2.7(b), R5.2: the EHE team has confirmed that the home education appears suitable."""
    errors = _needs_status(facts, LOCATED, "Record the child as located before closing the case as home educated.")
    if not facts.ehe_suitable:
        errors.append("The EHE team has not confirmed that the child's home education appears suitable (R5.2).")
    return errors


def guard_not_located(facts: ClosureFacts) -> list[str]:
    """R2.7(f), R2.5, R7.2: every reasonable enquiry done or justified, reviewed at the multi-agency panel, and the
    lost-pupil CTF uploaded to S2S."""
    errors = _needs_status(facts, NOT_LOCATED,
                           "Record the child as not located before closing the case as not located.")
    for enquiry in facts.enquiries:
        if not enquiry.complete:
            errors.append(f"Enquiry not done or marked not applicable with a reason: {enquiry.label}.")
    if not facts.enquiries:
        errors.append("There are no reasonable enquiries recorded on this case.")
    if not facts.panel_reviewed:
        errors.append("The case has not been reviewed at the multi-agency panel.")
    if not facts.lost_pupil_ctf_generated:
        errors.append("Generate the child's lost-pupil CTF (destination XXXXXXX).")
    elif not facts.lost_pupil_ctf_uploaded:
        errors.append("Record the date the lost-pupil CTF was uploaded to S2S.")
    return errors


def guard_moved_la(facts: ClosureFacts) -> list[str]:
    """R2.7(c), R2.8: the receiving LA has confirmed the child lives in its area."""
    errors = _needs_status(facts, LOCATED,
                           "Record the child as located before closing the case as moved to another local authority.")
    if not facts.transfer_confirmed:
        errors.append("The receiving local authority has not confirmed the transfer.")
    return errors


GUARDS: dict[str, Callable[[ClosureFacts], list[str]]] = {
    ON_ROLL: guard_on_roll,
    EHE_SUITABLE: guard_ehe_suitable,
    OUTCOME_NOT_LOCATED: guard_not_located,
    MOVED_LA: guard_moved_la,
}


def closure_problems(outcome: str, facts: ClosureFacts) -> list[str]:
    """The failed guards for closing on `outcome` (an unknown outcome is itself refused)."""
    guard = GUARDS.get(outcome)
    if guard is None:
        return ["Choose a closure outcome: on roll, home educated, moved to another local authority or not located."]
    return guard(facts)
