"""DfE attendance and absence codes from 19 Aug 2024 (formats.md §4; rules.md R3.7).

Each code has a *category*:

* ``attendance``: present, or an approved educational activity (/, \\, L, K, V, P, W, B);
* ``authorised``: authorised absence (C1, M, J1, S, C2, C, T, R, I, E);
* ``unauthorised``: unauthorised absence (G, N, O, U);
* ``not_counted``: not a possible session (X, D, Q, Y1-Y7; the treatment of D and Q is UNCONFIRMED);
* ``admin``: administrative (Z prospective pupil, # planned closure);
* ``missing``: no mark entered (-).

Codes withdrawn in 2024 still appear in legacy CTFs and MIS history, so they are mapped, not rejected:
H (agreed holiday), F (agreed extended holiday), J (interview), Y (unable to attend, exceptional
circumstances). Their categories are the ones that applied before 2024 (DfE 2013-2024 code set; not
re-verified here, UNCONFIRMED), and ``successor`` names the nearest 2024 code where there is one.

Unexplained absence (R3.6): only G, N and O. U (arrived after the register closed) counts as
unauthorised absence but the pupil was seen in school that day, so it is not evidence that the child's
whereabouts are unknown and it does not continue a ground I run; it is still a CME trigger code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CATEGORIES",
    "CME_TRIGGER_CODES",
    "CME_TRIGGER_REASONS",
    "CODES",
    "LEGACY_CODES",
    "UNEXPLAINED_ABSENCE_CODES",
    "AttendanceCode",
    "Category",
    "category",
    "is_known",
    "is_unexplained_absence",
    "lookup",
]

Category = Literal["attendance", "authorised", "unauthorised", "not_counted", "admin", "missing"]
CATEGORIES: Final[tuple[Category, ...]] = (
    "attendance",
    "authorised",
    "unauthorised",
    "not_counted",
    "admin",
    "missing",
)


@dataclass(frozen=True)
class AttendanceCode:
    """One register code, its meaning and how it counts."""

    code: str
    meaning: str
    category: Category
    legacy: bool = False
    successor: str | None = None


def _table(*rows: AttendanceCode) -> dict[str, AttendanceCode]:
    return {row.code: row for row in rows}


#: formats.md §4 table (2024 codes).
CODES: Final[dict[str, AttendanceCode]] = _table(
    AttendanceCode("/", "Present (AM)", "attendance"),
    AttendanceCode("\\", "Present (PM)", "attendance"),
    AttendanceCode("L", "Late, arrived before the register closed", "attendance"),
    AttendanceCode("K", "Attending education provision arranged by the local authority", "attendance"),
    AttendanceCode("V", "Educational visit or trip", "attendance"),
    AttendanceCode("P", "Approved, supervised sporting activity", "attendance"),
    AttendanceCode("W", "Work experience", "attendance"),
    AttendanceCode("B", "Other approved, supervised off-site educational activity", "attendance"),
    AttendanceCode("C1", "Leave: regulated performance or regulated employment abroad", "authorised"),
    AttendanceCode("M", "Leave: medical or dental appointment", "authorised"),
    AttendanceCode("J1", "Leave: interview for employment or admission", "authorised"),
    AttendanceCode("S", "Leave: study for a public examination", "authorised"),
    AttendanceCode("C2", "Leave: compulsory school age pupil on a part-time timetable", "authorised"),
    AttendanceCode("C", "Leave: exceptional circumstances", "authorised"),
    AttendanceCode("T", "Parent travelling for occupational purposes", "authorised"),
    AttendanceCode("R", "Religious observance", "authorised"),
    AttendanceCode("I", "Illness (not medical or dental appointment)", "authorised"),
    AttendanceCode("E", "Suspended or permanently excluded, no alternative provision made", "authorised"),
    AttendanceCode("G", "Holiday not granted by the school", "unauthorised"),
    AttendanceCode("N", "Reason for absence not yet established", "unauthorised"),
    AttendanceCode("O", "Absent in other or unknown circumstances", "unauthorised"),
    AttendanceCode("U", "Arrived after the register closed", "unauthorised"),
    AttendanceCode("X", "Non-compulsory school age pupil not required to attend", "not_counted"),
    AttendanceCode("D", "Dual registered, attending the other school", "not_counted"),
    AttendanceCode("Q", "Unable to attend: lack of access arrangements", "not_counted"),
    AttendanceCode("Y1", "Unable to attend: transport normally provided not available", "not_counted"),
    AttendanceCode("Y2", "Unable to attend: widespread travel disruption", "not_counted"),
    AttendanceCode("Y3", "Unable to attend: part of the school premises closed", "not_counted"),
    AttendanceCode("Y4", "Unable to attend: whole school site unexpectedly closed", "not_counted"),
    AttendanceCode("Y5", "Unable to attend: criminal justice detention", "not_counted"),
    AttendanceCode("Y6", "Unable to attend: public health guidance or law", "not_counted"),
    AttendanceCode("Y7", "Unable to attend: any other unavoidable cause", "not_counted"),
    AttendanceCode("Z", "Prospective pupil not on the admission register", "admin"),
    AttendanceCode("#", "Planned whole or partial school closure", "admin"),
    AttendanceCode("-", "No mark entered", "missing"),
)

#: Codes withdrawn in 2024, with the category they had before (UNCONFIRMED) and the nearest 2024 code.
LEGACY_CODES: Final[dict[str, AttendanceCode]] = _table(
    AttendanceCode("H", "Holiday agreed by the school (withdrawn 2024)", "authorised", legacy=True, successor="C"),
    AttendanceCode("F", "Agreed extended family holiday (withdrawn)", "authorised", legacy=True, successor="C"),
    AttendanceCode("J", "Interview (withdrawn 2024)", "attendance", legacy=True, successor="J1"),
    AttendanceCode(
        "Y",
        "Unable to attend due to exceptional circumstances (withdrawn 2024)",
        "not_counted",
        legacy=True,
        successor="Y7",
    ),
)

#: R3.6: the only codes that continue a ground I run of continuous unexplained absence.
UNEXPLAINED_ABSENCE_CODES: Final[frozenset[str]] = frozenset({"G", "N", "O"})

#: formats.md §4 "CME triggers": codes that should prompt a CME detection rule to look at a child.
CME_TRIGGER_REASONS: Final[dict[str, str]] = {
    "N": "Reason for absence not established (must be replaced within 5 school days, R3.7)",
    "O": "Unauthorised absence in other or unknown circumstances",
    "G": "Unauthorised holiday: the child may have left the country",
    "U": "Arrived after the register closed",
    "C2": "Part-time timetable: must be time-limited and reviewed (R4.2)",
    "K": "Education arranged by the LA: check the child is actually attending",
    "E": "Suspended or excluded with no alternative provision yet",
    "Q": "LA failed to arrange access (e.g. transport)",
    "Y5": "Criminal justice detention",
    "Z": "Prospective pupil expected but not on roll",
    "D": "Dual registered: check the main registration",
}
CME_TRIGGER_CODES: Final[frozenset[str]] = frozenset(CME_TRIGGER_REASONS)


def _clean(code: str) -> str:
    stripped = code.strip()
    return stripped if stripped in ("\\", "/") else stripped.upper()


def lookup(code: str) -> AttendanceCode:
    """The 2024 or legacy code (white space stripped, letters upper-cased). Raises ValueError if unknown."""
    cleaned = _clean(code)
    found = CODES.get(cleaned) or LEGACY_CODES.get(cleaned)
    if found is None:
        raise ValueError(f"{code!r} is not a recognised attendance code.")
    return found


def is_known(code: str) -> bool:
    """True for a 2024 code or a mapped legacy code."""
    cleaned = _clean(code)
    return cleaned in CODES or cleaned in LEGACY_CODES


def category(code: str) -> Category:
    """The category of a code (see module docstring). Raises ValueError for an unknown code."""
    return lookup(code).category


def is_unexplained_absence(code: str) -> bool:
    """R3.6: True only for G, N and O (not U; see module docstring). Unknown codes are False."""
    return _clean(code) in UNEXPLAINED_ABSENCE_CODES
