"""What each route in carries, as plain dataclasses: the web forms, the CSV import and the API build these and
hand them to the services in `notifications.services` (one validation, one write path).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: The referrer's agency for partner referrals (issue 4, item 2), in the words partners use.
REFERRER_AGENCIES: list[tuple[str, str]] = [
    ("school", "School"),
    ("independent_school", "Independent school"),
    ("police", "Police"),
    ("camhs", "CAMHS"),
    ("young_carers", "Young carers service"),
    ("youth_justice", "Youth justice"),
    ("youth_services", "Youth services"),
    ("housing", "Housing"),
    ("admissions", "School admissions"),
    ("border_force", "Border Force / Home Office"),
    ("other_la", "Another local authority"),
    ("a_and_e", "Accident and emergency (A&E)"),
    ("health_visitor", "Health visitor"),
    ("gp", "GP"),
    ("social_care", "Children's social care"),
    ("other", "Other"),
]
REFERRER_AGENCY_LABELS = dict(REFERRER_AGENCIES)

#: Organisation.PartnerType -> the referrer agency it usually is (the form's default).
PARTNER_TYPE_AGENCY = {
    "police": "police", "health": "gp", "housing": "housing", "camhs": "camhs", "youth_justice": "youth_justice",
    "social_care": "social_care", "border_force": "border_force", "other_la": "other_la",
    "young_carers": "young_carers", "youth_services": "youth_services", "admissions": "admissions",
    "independent_school": "independent_school", "other": "other",
}

REFERRAL_CONCERNS: list[tuple[str, str]] = [
    ("missing_education", "I believe the child is not in any education"),
    ("whereabouts_unknown", "The child's whereabouts are not known"),
]


@dataclass
class PupilDetails:
    """The pupil and the parents they normally live with: reg 13(4)-(6) (a)-(d) for deletion returns (R3.5), the
    admission register details for new-pupil returns (R3.4)."""

    school_laestab: str = ""
    upn: str = ""
    forename: str = ""
    middle_names: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    address: str = ""
    postcode: str = ""
    parent1_name: str = ""
    parent1_phone: str = ""
    parent1_address: str = ""
    parent2_name: str = ""
    parent2_phone: str = ""
    parent2_address: str = ""
    notes: str = ""
    safeguarding_concern: bool = False
    safeguarding_detail: str = ""


@dataclass
class DeletionReturnInput(PupilDetails):
    """A deletion-from-roll return (R3.3 ground, R3.5 fields, R3.6 conditions for ground I)."""

    ground: str = ""
    deletion_date: dt.date | None = None
    # Reg 8(3) information, if known (R3.5(e)).
    new_address: str = ""
    new_postcode: str = ""
    lives_with: str = ""
    new_address_from: dt.date | None = None
    new_school_name: str = ""
    new_school_laestab: str = ""
    new_school_start: dt.date | None = None
    # Ground-specific facts.
    parent_notice_date: dt.date | None = None  # F: date of the parent's written notice (R2.3)
    leave_end_date: dt.date | None = None  # H: end of the agreed leave of absence (R2.6)
    first_day_of_absence: dt.date | None = None  # I: first day of the continuous absence (R3.6)
    every_session_unexplained: bool = False  # I: every session in the run was G, N or O (R3.6 condition 2)
    no_sickness_or_unavoidable_cause: bool = False  # H, I: R3.6 condition 3
    joint_enquiries_completed: bool = False  # H, I: R3.6 condition 4
    joint_enquiries_la_officer: str = ""
    #: Optional (API): the pupil's session marks up to the deletion date, AM then PM per school day.
    attendance_marks: list[str] | None = None


@dataclass
class NewEntrantReturnInput(PupilDetails):
    """A new-pupil return: sent within 5 days of the pupil's name going on the admission register (R3.4)."""

    start_date: dt.date | None = None
    nc_year: int | None = None
    previous_school_name: str = ""
    previous_school_laestab: str = ""


@dataclass
class PartnerReferralInput:
    """A partner agency's referral of a child believed missing education or whose whereabouts are unknown."""

    referrer_agency: str = ""
    referrer_name: str = ""
    referrer_role: str = ""
    referrer_phone: str = ""
    referrer_email: str = ""
    concern: str = "missing_education"
    forename: str = ""
    surname: str = ""
    other_names: str = ""
    date_of_birth: dt.date | None = None
    age_estimate: str = ""
    sex: str = ""
    upn: str = ""
    address: str = ""
    postcode: str = ""
    parents: str = ""
    last_school: str = ""
    last_seen: dt.date | None = None
    what_is_known: str = ""
    safeguarding_concern: bool = False
    safeguarding_detail: str = ""


@dataclass
class ResidentReportInput:
    """A report from a member of the public (no sign-in). Everything but what they know is optional."""

    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    relationship: str = ""
    forename: str = ""
    surname: str = ""
    age_estimate: str = ""
    address: str = ""
    postcode: str = ""
    what_is_known: str = ""
    in_danger: bool = False


@dataclass
class MailboxInput:
    """An email to the CME mailbox, pasted or uploaded as a .eml, logged by an officer."""

    sender: str = ""
    subject: str = ""
    sent_at: dt.datetime | None = None
    body: str = ""
    message_id: str = ""
    raw: bytes | None = None
    filename: str = ""
    attachment_names: list[str] = field(default_factory=list)
    # What the officer can tell from the email (helps matching).
    forename: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    upn: str = ""
    postcode: str = ""
    safeguarding_concern: bool = False
    safeguarding_detail: str = ""


@dataclass
class LAEnquiryInput:
    """'Is this child known to you?', received from or sent to another LA's CME officer."""

    direction: str = "received"
    other_la_code: str = ""
    other_la_contact_name: str = ""
    other_la_contact_email: str = ""
    forename: str = ""
    surname: str = ""
    date_of_birth: dt.date | None = None
    upn: str = ""
    address: str = ""
    postcode: str = ""
    question: str = ""
    asked_on: dt.date | None = None
    response_due: dt.date | None = None
    notification_id: int | None = None
