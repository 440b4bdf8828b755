"""Grounds for deleting a compulsory-school-age pupil from the admission register (rules.md R3.3).

School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208), reg 9(1)(a)-(o).
The wording of (a)-(e) is confirmed from reg 9; the short forms of (f)-(o) come from an LA deletion
return form and are UNCONFIRMED against the SI text (``GroundInfo.wording_confirmed``).

Each ground says where the deletion return (R3.5) goes in this system (``routes_to``):

* ``"cme_check"``: the child may be missing education (destination unknown or at risk); the LA must
  confirm where they are and that they are receiving education (R2.4, R2.7, R2.8);
* ``"ehe"``: the EHE team opens or updates an EHE record, not a CME case (R5.5);
* ``"none"``: nothing for the CME team: the destination is known and regulated, or the child is no
  longer a CME concern (died, leaving CSA, detained).

These routes are this system's choice (local practice, R2.5), documented per ground below. Whatever
the ground, a deletion return that should name a destination but does not (``destination_expected``)
goes to ``cme_check`` (R3.5: schools flag unknown destinations); see ``route_deletion``.

Grounds H and I also need the LA's joint-enquiries sign-off (R2.6, R3.6; implementation note 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from cme.law.attendance_codes import UNEXPLAINED_ABSENCE_CODES

__all__ = [
    "GROUNDS",
    "GROUND_H_MIN_SCHOOL_DAYS",
    "GROUND_I_MIN_SCHOOL_DAYS",
    "DeletionGround",
    "GroundInfo",
    "Route",
    "continuous_unexplained_absence_days",
    "route_deletion",
    "validate_ground_i_absence",
]

Route = Literal["cme_check", "ehe", "none"]

#: R3.3 / R3.6: ground I needs at least 20 school days of continuous unexplained absence.
GROUND_I_MIN_SCHOOL_DAYS: Final = 20
#: R3.3 / R2.6: ground H applies once 10 school days have passed after the leave of absence ended.
GROUND_H_MIN_SCHOOL_DAYS: Final = 10

#: A session that the school did not hold (planned closure): neither continues nor breaks a run.
_NO_SESSION: Final = "#"


class DeletionGround(StrEnum):
    """Reg 9(1) grounds (a)-(o), by their letter (R3.3)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    H = "H"
    I = "I"  # noqa: E741 - the regulation's own letter
    J = "J"
    K = "K"
    L = "L"
    M = "M"
    N = "N"
    O = "O"  # noqa: E741 - the regulation's own letter


@dataclass(frozen=True)
class GroundInfo:
    """One deletion ground: where it comes from, what it needs and where its return goes."""

    code: DeletionGround
    regulation: str
    title: str
    needs_joint_enquiries: bool
    min_continuous_school_days: int | None
    destination_expected: bool
    routes_to: Route
    routing_reason: str
    wording_confirmed: bool


def _ground(
    code: DeletionGround,
    title: str,
    routes_to: Route,
    routing_reason: str,
    *,
    destination_expected: bool = False,
    needs_joint_enquiries: bool = False,
    min_continuous_school_days: int | None = None,
) -> GroundInfo:
    letter = code.value.lower()
    return GroundInfo(
        code=code,
        regulation=f"9(1)({letter})",
        title=title,
        needs_joint_enquiries=needs_joint_enquiries,
        min_continuous_school_days=min_continuous_school_days,
        destination_expected=destination_expected,
        routes_to=routes_to,
        routing_reason=routing_reason,
        wording_confirmed=letter in "abcde",
    )


_G = DeletionGround

#: R3.3 table, keyed by letter ("A".."O").
GROUNDS: Final[dict[str, GroundInfo]] = {
    info.code.value: info
    for info in (
        _ground(
            _G.A,
            "Registered at another school",
            "none",
            "The new school is named on the return and now holds the child on roll (R2.7(a)).",
            destination_expected=True,
        ),
        _ground(
            _G.B,
            "Nursery pupil not continuing into reception",
            "none",
            "A nursery pupil is below compulsory school age (R1.1), so is not CME.",
        ),
        _ground(
            _G.C,
            "Dual registered; the other school agreed to the deletion",
            "none",
            "The child stays on the roll of the other school (R2.7(a)).",
            destination_expected=True,
        ),
        _ground(
            _G.D,
            "School attendance order amended to name another school",
            "none",
            "The LA's own order names the new school (R2.7(a)).",
            destination_expected=True,
        ),
        _ground(
            _G.E,
            "School attendance order revoked: education arranged otherwise than at school",
            "ehe",
            "The LA was satisfied about education otherwise than at school; the EHE register records it (R5.5).",
        ),
        _ground(
            _G.F,
            "Parent told the school in writing the child will be home educated",
            "ehe",
            "Written EHE notice: the EHE team opens a record, not a CME case (R2.3, R5.5).",
        ),
        _ground(
            _G.G,
            "No longer lives within reasonable distance of the school",
            "cme_check",
            "Moved away, perhaps abroad: the LA must confirm a new school or the new LA (R2.7(c),(e), R2.8, R2.9).",
            destination_expected=True,
        ),
        _ground(
            _G.H,
            "Did not return within 10 school days after leave of absence; not found by school and LA",
            "cme_check",
            "Whereabouts unknown after joint enquiries; lost-pupil CTF (R2.7(f), R3.6, R7.2).",
            needs_joint_enquiries=True,
            min_continuous_school_days=GROUND_H_MIN_SCHOOL_DAYS,
        ),
        _ground(
            _G.I,
            "Continuously absent for 20 school days or more; not found by school and LA",
            "cme_check",
            "Whereabouts unknown after joint enquiries; lost-pupil CTF (R2.7(f), R3.6, R7.2).",
            needs_joint_enquiries=True,
            min_continuous_school_days=GROUND_I_MIN_SCHOOL_DAYS,
        ),
        _ground(
            _G.J,
            "Detained under a sentence of detention; not expected to return",
            "none",
            "Education is provided in custody; the youth justice service holds the case.",
        ),
        _ground(_G.K, "Died", "none", "No education duty remains."),
        _ground(
            _G.L,
            "Will stop being of compulsory school age before the school next meets",
            "none",
            "Leaving compulsory school age (R1.2, R2.7(d)).",
        ),
        _ground(
            _G.M,
            "Boarder whose boarding fees are unpaid",
            "cme_check",
            "No new school is known: the LA must check the child is placed somewhere (R2.4).",
        ),
        _ground(
            _G.N,
            "No longer a pupil of an independent or non-maintained special school",
            "cme_check",
            "No new school is known: the LA must check the child is placed somewhere (R2.4).",
        ),
        _ground(
            _G.O,
            "Permanently excluded",
            "cme_check",
            "The child has no school until the LA arranges one; check provision is in place (R2.1).",
        ),
    )
}


def route_deletion(ground: DeletionGround | str, *, destination_known: bool) -> Route:
    """Where a deletion return goes: the ground's route, or ``cme_check`` when an expected destination is missing."""
    info = GROUNDS[DeletionGround(ground).value]
    if info.destination_expected and not destination_known:
        return "cme_check"
    return info.routes_to


def _clean(mark: str) -> str:
    return mark.strip().upper()


def _day_continues_run(am: str, pm: str) -> bool | None:
    """True if the day continues a run, False if it breaks it, None if the school did not meet at all."""
    held = [mark for mark in (_clean(am), _clean(pm)) if mark != _NO_SESSION]
    if not held:
        return None
    return all(mark in UNEXPLAINED_ABSENCE_CODES for mark in held)


def continuous_unexplained_absence_days(daily_marks: Sequence[tuple[str, str]]) -> int:
    """R3.6: school days at the *end* of ``daily_marks`` on which every session was coded G, N or O.

    ``daily_marks`` is one (AM, PM) pair per school day in date order. A session marked ``#`` (planned
    closure) was not held: a day with no held session is skipped, and a day whose only held session is
    G/N/O counts. Any other code, including ``-`` (no mark), breaks the run.
    """
    run = 0
    for am, pm in reversed(daily_marks):
        continues = _day_continues_run(am, pm)
        if continues is None:
            continue
        if not continues:
            break
        run += 1
    return run


def _pairs(marks: Sequence[str]) -> list[tuple[str, str]]:
    return [(marks[i], marks[i + 1]) for i in range(0, len(marks), 2)]


def validate_ground_i_absence(
    marks: Sequence[str],
    *,
    sickness_or_unavoidable_cause_suspected: bool | None = None,
    joint_enquiries_failed_to_locate: bool | None = None,
) -> list[str]:
    """R3.6: reasons the register does not support deleting under ground I (empty list = supported).

    ``marks`` is the pupil's session marks in date order up to the proposed deletion date, AM then PM
    for each school day (the CTF ``AttendanceMarks`` order). The run is measured in **school days**:
    the last 20 or more school days must have every held session coded G, N or O (so 40 sessions when
    no session was closed). Conditions 3 and 4 of R3.6 cannot be read from a register: pass what the
    case records and any that fail are reported; None means "not checked here".
    """
    reasons: list[str] = []
    if len(marks) % 2:
        reasons.append("The attendance marks must come in AM/PM pairs, one pair per school day.")
        return reasons
    days = _pairs(marks)
    run = continuous_unexplained_absence_days(days)
    if run < GROUND_I_MIN_SCHOOL_DAYS:
        reason = (
            f"Only {run} consecutive school day(s) of unexplained absence (every session G, N or O) up to the "
            f"deletion date; ground I needs at least {GROUND_I_MIN_SCHOOL_DAYS} (R3.6)."
        )
        breaking = _breaking_day(days)
        if breaking is not None:
            index, am, pm = breaking
            reason += f" The run is broken on school day {index} of {len(days)} (marks {am!r}, {pm!r})."
        reasons.append(reason)
    if sickness_or_unavoidable_cause_suspected:
        reasons.append(
            "There are grounds to believe the absence is due to sickness or an unavoidable cause "
            "(including mental health or EBSA), so ground I does not apply (R3.6)."
        )
    if joint_enquiries_failed_to_locate is False:
        reasons.append(
            "The school and the LA have not jointly made reasonable enquiries and failed to find the child; "
            "the LA's joint-enquiries sign-off is needed (R3.6)."
        )
    return reasons


def _breaking_day(days: Sequence[tuple[str, str]]) -> tuple[int, str, str] | None:
    """The 1-based index and marks of the latest school day that broke the trailing run, if any."""
    for index in range(len(days) - 1, -1, -1):
        am, pm = days[index]
        if _day_continues_run(am, pm) is False:
            return index + 1, am, pm
    return None
