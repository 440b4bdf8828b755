"""Validation of school returns: one place, used by the web forms, the CSV import and the API.

`validate_deletion_return` and `validate_new_entrant_return` answer {field: message} with GOV.UK error
messages (empty = valid). The statutory rules they apply, by id in /work/shared/domain/rules.md:

- R3.3: the ground must be one of reg 9(1)(a)-(o), A to O; no retrospective deletion.
- R3.5: the deletion return carries the pupil's name and address, the parents they normally live with and
  an emergency number for each, the reg 8(3) new address/school when known, the date and the ground.
- R3.6 / R2.6: ground I needs 20 or more school days of continuous absence, every session G, N or O, no
  reason to believe sickness or an unavoidable cause, and joint school and LA enquiries that failed to find
  the pupil; ground H needs 10 school days to have passed since agreed leave ended, plus the same enquiries.
- R2.3 / R5.5: ground F needs the date of the parent's written notice (the return goes to the EHE team).
- R3.4: a new-pupil return is due within 5 days of the pupil joining the roll (late returns are accepted and
  flagged, never refused: the LA needs them).

School days are counted with the LA's term calendar (`LocalAuthority.term_calendar()`), never by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cme.core.calendar import TermCalendar
from cme.core.models import LocalAuthority
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.law.deletion_grounds import (
    GROUND_H_MIN_SCHOOL_DAYS,
    GROUND_I_MIN_SCHOOL_DAYS,
    GROUNDS,
    route_deletion,
    validate_ground_i_absence,
)
from cme.notifications.inputs import DeletionReturnInput, NewEntrantReturnInput, PupilDetails
from cme.settings.env import envint

#: R3.3 "no retrospective deletion": how many school days before today a deletion date may be, so a school
#: can send the return for a deletion it made this week. Override with the setting or environment variable
#: CME_DELETION_RETURN_BACKDATE_SCHOOL_DAYS (0 = the deletion date must be today).
DEFAULT_BACKDATE_SCHOOL_DAYS = 5
#: R3.4: the new-pupil return is due by the end of the 5th day after the pupil's name was entered (school days,
#: as cme.core.calendar counts R3.4).
NEW_ENTRANT_RETURN_DAYS = 5
#: Grounds whose return must name the new (or other) school (R3.3 (a), (c), (d)).
GROUNDS_NEEDING_NEW_SCHOOL = {"A": "the school the pupil is now registered at",
                              "C": "the other school the pupil is registered at",
                              "D": "the school named in the amended school attendance order"}
#: Grounds that need the joint school and LA enquiries (R3.6, implementation note 4).
GROUNDS_NEEDING_JOINT_ENQUIRIES = {code for code, info in GROUNDS.items() if info.needs_joint_enquiries}

_PHONE_CHARS = re.compile(r"[\s()\-.]")
_LAESTAB = re.compile(r"^\d{7}$")


def backdate_allowance(local_authority: LocalAuthority | None = None) -> int:
    """School days a deletion date may lie before today: the LA's setting, else the service-wide setting
    CME_DELETION_RETURN_BACKDATE_SCHOOL_DAYS, default 5."""
    if local_authority is not None and local_authority.deletion_return_backdate_school_days is not None:
        return int(local_authority.deletion_return_backdate_school_days)
    value = getattr(settings, "CME_DELETION_RETURN_BACKDATE_SCHOOL_DAYS", None)
    return int(value) if value is not None else envint("CME_DELETION_RETURN_BACKDATE_SCHOOL_DAYS",
                                                       DEFAULT_BACKDATE_SCHOOL_DAYS)


@dataclass(frozen=True)
class ReturnContext:
    """What validation needs besides the return: whose school is sending, today, and the LA's school days."""

    own_laestab: str
    today: dt.date
    calendar: TermCalendar
    backdate_school_days: int = DEFAULT_BACKDATE_SCHOOL_DAYS


def return_context(*, local_authority: LocalAuthority, own_laestab: str, today: dt.date | None = None
                   ) -> ReturnContext:
    return ReturnContext(own_laestab=own_laestab, today=today or timezone.localdate(),
                         calendar=local_authority.term_calendar(),
                         backdate_school_days=backdate_allowance(local_authority))


def is_phone_number(value: str) -> bool:
    compact = _PHONE_CHARS.sub("", value)
    if compact.startswith("+"):
        compact = compact[1:]
    return compact.isdigit() and 10 <= len(compact) <= 15


def _when(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _validate_pupil(data: PupilDetails, context: ReturnContext, errors: dict[str, str]) -> None:
    """R3.5 (a)-(d) / R3.4: the pupil, their address, and the parents they live with with emergency numbers."""
    if data.school_laestab and data.school_laestab.strip() != context.own_laestab:
        errors["school_laestab"] = (f"You can only send returns for your own school (LAESTAB {context.own_laestab})"
                                    if context.own_laestab else "Your account is not linked to a school")
    if not context.own_laestab:
        errors.setdefault("school_laestab", "Your account is not linked to a school")
    if data.upn:
        problems = upns.validate(upns.normalise(data.upn))
        if problems:
            errors["upn"] = "Enter a real UPN: 13 characters, like A123456789012"
    if not data.forename.strip():
        errors["forename"] = "Enter the pupil's first name"
    if not data.surname.strip():
        errors["surname"] = "Enter the pupil's last name"
    if data.date_of_birth is None:
        errors["date_of_birth"] = "Enter the pupil's date of birth"
    elif data.date_of_birth >= context.today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif data.date_of_birth.year < context.today.year - 25:
        errors["date_of_birth"] = "Enter a real date of birth for a pupil"
    if data.sex and data.sex not in ("F", "M", "U"):
        errors["sex"] = "Sex must be F, M or U"
    if not data.address.strip():
        errors["address"] = "Enter the pupil's address"
    if not data.postcode.strip():
        errors["postcode"] = "Enter the pupil's postcode"
    elif not postcodes.is_valid(data.postcode):
        errors["postcode"] = "Enter a real postcode, like OX4 1AB"
    if not data.parent1_name.strip():
        errors["parent1_name"] = "Enter the full name of the parent the pupil normally lives with"
    if not data.parent1_phone.strip():
        errors["parent1_phone"] = "Enter an emergency phone number for the parent"
    elif not is_phone_number(data.parent1_phone):
        errors["parent1_phone"] = "Enter a phone number, like 01632 960 001 or 07700 900 982"
    if data.parent2_name.strip() and not data.parent2_phone.strip():
        errors["parent2_phone"] = "Enter an emergency phone number for the second parent"
    elif data.parent2_phone.strip() and not is_phone_number(data.parent2_phone):
        errors["parent2_phone"] = "Enter a phone number, like 01632 960 001 or 07700 900 982"
    if data.parent2_phone.strip() and not data.parent2_name.strip():
        errors["parent2_name"] = "Enter the second parent's full name, or remove their phone number"
    if data.safeguarding_concern and not data.safeguarding_detail.strip():
        errors["safeguarding_detail"] = "Describe the safeguarding concern"


def _validate_laestab(value: str, field: str, errors: dict[str, str]) -> None:
    if value and not _LAESTAB.match(value.strip()):
        errors[field] = "LAESTAB must be 7 digits, like 9312001"


def validate_deletion_return(data: DeletionReturnInput, *, context: ReturnContext) -> dict[str, str]:
    """Reasons a deletion return cannot be accepted, by field (empty = valid). See the module docstring."""
    errors: dict[str, str] = {}
    _validate_pupil(data, context, errors)
    ground = data.ground.strip().upper()
    today, calendar = context.today, context.calendar
    # R3.3: one of the fifteen reg 9(1) grounds.
    if ground not in GROUNDS:
        errors["ground"] = "Select the ground for deletion, A to O"
    # R3.3: the date of deletion: not in the future, and no retrospective deletion.
    deletion = data.deletion_date
    if deletion is None:
        errors["deletion_date"] = "Enter the date the pupil was deleted from the admission register"
    elif deletion > today:
        errors["deletion_date"] = "Date of deletion must be today or in the past"
    elif calendar.school_days_between(deletion, today) > context.backdate_school_days:
        errors["deletion_date"] = (
            f"Date of deletion must be within the last {context.backdate_school_days} school days – a pupil "
            "cannot be deleted from the register retrospectively"
        )
    elif data.date_of_birth and deletion < data.date_of_birth:
        errors["deletion_date"] = "Date of deletion must be after the pupil's date of birth"
    _validate_laestab(data.new_school_laestab, "new_school_laestab", errors)
    if data.new_postcode and not postcodes.is_valid(data.new_postcode):
        errors["new_postcode"] = "Enter a real postcode for the new address, like OX4 1AB"
    if ground in GROUNDS_NEEDING_NEW_SCHOOL and not (data.new_school_name.strip() or data.new_school_laestab.strip()):
        errors["new_school_name"] = f"Enter the name or LAESTAB of {GROUNDS_NEEDING_NEW_SCHOOL[ground]}"
    if ground == "F":
        _validate_ground_f(data, today, errors)
    if ground == "H":
        _validate_ground_h(data, calendar, errors)
    if ground == "I":
        _validate_ground_i(data, calendar, errors)
    if ground in GROUNDS_NEEDING_JOINT_ENQUIRIES:
        if not data.no_sickness_or_unavoidable_cause:
            errors["no_sickness_or_unavoidable_cause"] = (
                "Confirm there are no reasonable grounds to believe the absence is because of sickness or an "
                "unavoidable cause"
            )
        if not data.joint_enquiries_completed:
            errors["joint_enquiries_completed"] = (
                "Confirm the school and the local authority have jointly made reasonable enquiries and not found "
                "the pupil"
            )
    return errors


def _validate_ground_f(data: DeletionReturnInput, today: dt.date, errors: dict[str, str]) -> None:
    """R2.3, R5.5: ground F needs the parent's written notice, given on or before the deletion."""
    notice = data.parent_notice_date
    if notice is None:
        errors["parent_notice_date"] = "Enter the date of the parent's written notice that they will home educate"
    elif notice > today:
        errors["parent_notice_date"] = "Date of the parent's written notice must be today or in the past"
    elif data.deletion_date and notice > data.deletion_date:
        errors["parent_notice_date"] = "Date of the parent's written notice must be on or before the date of deletion"


def _validate_ground_h(data: DeletionReturnInput, calendar: TermCalendar, errors: dict[str, str]) -> None:
    """R2.6 / R3.3: 10 school days must have passed since the agreed leave of absence ended."""
    leave_end, deletion = data.leave_end_date, data.deletion_date
    if leave_end is None:
        errors["leave_end_date"] = "Enter the date the agreed leave of absence ended"
        return
    if deletion is None or "deletion_date" in errors:
        return
    if leave_end >= deletion:
        errors["leave_end_date"] = "The leave of absence must have ended before the date of deletion"
        return
    passed = calendar.school_days_between(leave_end, deletion)
    if passed < GROUND_H_MIN_SCHOOL_DAYS:
        errors["leave_end_date"] = (
            f"Ground H applies only once {GROUND_H_MIN_SCHOOL_DAYS} school days have passed since the leave ended – "
            f"{passed} had passed by the date of deletion"
        )


def _validate_ground_i(data: DeletionReturnInput, calendar: TermCalendar, errors: dict[str, str]) -> None:
    """R3.6: 20 or more school days of continuous absence, every session G, N or O."""
    first, deletion = data.first_day_of_absence, data.deletion_date
    if first is None:
        errors["first_day_of_absence"] = "Enter the first day of the pupil's continuous absence"
    elif deletion is not None and "deletion_date" not in errors:
        if first > deletion:
            errors["first_day_of_absence"] = "The first day of absence must be before the date of deletion"
        else:
            # School days from the first day of absence up to and including the date of deletion.
            absent = len(calendar.school_days(first, deletion))
            if absent < GROUND_I_MIN_SCHOOL_DAYS:
                errors["first_day_of_absence"] = (
                    f"Ground I needs at least {GROUND_I_MIN_SCHOOL_DAYS} school days of continuous absence – "
                    f"the pupil has been absent for {absent} school days since {_when(first)}"
                )
    if not data.every_session_unexplained:
        errors["every_session_unexplained"] = (
            "Confirm every session in the absence was recorded as G, N or O (unauthorised absence)"
        )
    if data.attendance_marks is not None:
        reasons = validate_ground_i_absence(data.attendance_marks)
        if reasons:
            errors["attendance_marks"] = reasons[0]


def deletion_return_warnings(data: DeletionReturnInput) -> list[str]:
    """Things the LA must follow up that do not stop the return being accepted (R3.5: unknown destination)."""
    ground = data.ground.strip().upper()
    warnings = []
    if ground == "G" and not (data.new_address.strip() or data.new_postcode.strip()):
        warnings.append("No new address was given: the local authority will check where the pupil has gone.")
    if ground in GROUNDS and GROUNDS[ground].destination_expected and not deletion_destination_known(data):
        if ground != "G":
            warnings.append("No destination was given: the local authority will check where the pupil has gone.")
    return warnings


def deletion_destination_known(data: DeletionReturnInput) -> bool:
    return bool(data.new_school_name.strip() or data.new_school_laestab.strip() or data.new_address.strip()
                or data.new_postcode.strip())


def deletion_route(data: DeletionReturnInput) -> str:
    """Where the return goes (cme.law.deletion_grounds.route_deletion): cme_check, ehe or none."""
    return route_deletion(data.ground.strip().upper(), destination_known=deletion_destination_known(data))


def validate_new_entrant_return(data: NewEntrantReturnInput, *, context: ReturnContext) -> dict[str, str]:
    """Reasons a new-pupil return cannot be accepted, by field (R3.4: the admission register details)."""
    errors: dict[str, str] = {}
    _validate_pupil(data, context, errors)
    start = data.start_date
    if start is None:
        errors["start_date"] = "Enter the date the pupil joined the admission register"
    elif start > context.today:
        errors["start_date"] = "Date the pupil joined must be today or in the past"
    elif data.date_of_birth and start <= data.date_of_birth:
        errors["start_date"] = "Date the pupil joined must be after their date of birth"
    if data.nc_year is not None and not -2 <= data.nc_year <= 14:
        errors["nc_year"] = "Year group must be a number from -2 to 14 (0 is reception)"
    _validate_laestab(data.previous_school_laestab, "previous_school_laestab", errors)
    return errors


def new_entrant_return_late(data: NewEntrantReturnInput, *, context: ReturnContext) -> bool:
    """R3.4: sent after the end of the 5th (school) day after the pupil's name was entered (accepted, but flagged)."""
    if data.start_date is None:
        return False
    return context.calendar.school_days_between(data.start_date, context.today) > NEW_ENTRANT_RETURN_DAYS
