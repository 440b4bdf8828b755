"""Writes to the part-time timetables register: schools submit, the attendance team reviews (R4.2).

Every write is audited with the child's id. Review dates go through the LA's term calendar (`rules.review_due`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, diff
from cme.children.models import Child, Contact, Enrolment, School
from cme.core.calendar import TermCalendar
from cme.core.formatting import govuk_date
from cme.core.models import LocalAuthority
from cme.timetables import rules
from cme.timetables.models import PartTimeTimetable, TimetableReview

DEFAULT_FULL_TIME_HOURS = Decimal("32.5")
DEFAULT_MAX_EXTENSIONS = 2


class TimetableError(Exception):
    """A register rule refused the change; the message is shown to the user."""


def full_time_hours(local_authority: LocalAuthority) -> Decimal:
    """Full-time hours a week: the LA's setting, else CME_FULL_TIME_HOURS, default 32.5."""
    value = getattr(local_authority, "full_time_hours", None)
    if value is None:
        value = getattr(settings, "CME_FULL_TIME_HOURS", DEFAULT_FULL_TIME_HOURS)
    return Decimal(str(value))


def max_extensions(local_authority: LocalAuthority) -> int:
    """A timetable extended more than this many times is flagged: the LA's setting, else
    CME_PART_TIME_MAX_EXTENSIONS, default 2."""
    value = getattr(local_authority, "part_time_max_extensions", None)
    if value is None:
        value = getattr(settings, "CME_PART_TIME_MAX_EXTENSIONS", DEFAULT_MAX_EXTENSIONS)
    return int(value)


def next_review_due(*, local_authority: LocalAuthority, base: dt.date, terms: TermCalendar | None = None) -> dt.date:
    return rules.review_due(base, local_authority.part_time_review_weeks, terms or local_authority.term_calendar())


@dataclass(frozen=True)
class Consent:
    """The agreement of the parent the pupil normally lives with (R4.2)."""

    given: bool = False
    by_contact: Contact | None = None
    by_name: str = ""
    on: dt.date | None = None
    how: str = ""


@dataclass(frozen=True)
class TimetablePlan:
    reason: str
    hours_per_week: Decimal
    start_date: dt.date
    planned_end_date: dt.date
    reintegration_plan: str
    reason_detail: str = ""
    has_social_worker: bool = False
    social_worker_involved: bool = False
    has_ehcp: bool = False
    ehcp_involved: bool = False


def _consent_fields(child: Child, consent: Consent) -> dict[str, object]:
    if not consent.given:
        return {"consent_given": False, "consent_by": None, "consent_by_name": "", "consent_on": None,
                "consent_how": ""}
    if consent.by_contact is not None and not consent.by_contact.child_links.filter(child=child).exists():
        raise TimetableError("Choose a parent or carer of this pupil.")
    name = consent.by_name.strip() or (
        f"{consent.by_contact.forename} {consent.by_contact.surname}" if consent.by_contact else "")
    if not name or consent.on is None or consent.how not in PartTimeTimetable.ConsentHow.values:
        raise TimetableError("Say which parent agreed, when and how.")
    return {"consent_given": True, "consent_by": consent.by_contact, "consent_by_name": name[:150],
            "consent_on": consent.on, "consent_how": consent.how}


def pupil_on_roll(*, school: School, child: Child, on: dt.date) -> bool:
    return Enrolment.objects.filter(school=school, child=child, start__lte=on).filter(
        Q(end__isnull=True) | Q(end__gte=on)).exists()


@transaction.atomic
def timetable_submit(*, actor: Auditor, user: User | None, school: School, child: Child, plan: TimetablePlan,
                     consent: Consent, today: dt.date) -> PartTimeTimetable:
    """A school tells the LA about a part-time timetable for one of its pupils (R4.2)."""
    la = school.local_authority
    full_time = full_time_hours(la)
    if child.local_authority_id != school.local_authority_id or not pupil_on_roll(school=school, child=child, on=today):
        raise TimetableError("The pupil must be on your school's roll.")
    if plan.reason not in PartTimeTimetable.Reason.values:
        raise TimetableError("Choose the reason for the timetable.")
    if not Decimal(0) < plan.hours_per_week < full_time:
        raise TimetableError(f"Hours a week must be more than 0 and less than full time ({full_time} hours).")
    if plan.planned_end_date <= plan.start_date:
        raise TimetableError("The planned end date must be after the start date: a part-time timetable has a clear "
                             "end date (R4.2).")
    if not plan.reintegration_plan.strip():
        raise TimetableError("Describe the plan for returning to full time.")
    if PartTimeTimetable.objects.filter(child=child, school=school, status=PartTimeTimetable.Status.ACTIVE).exists():
        raise TimetableError("This pupil already has a part-time timetable in place: the LA reviews and extends it.")
    timetable = PartTimeTimetable.objects.create(
        local_authority=la, child=child, school=school, reason=plan.reason, reason_detail=plan.reason_detail.strip(),
        hours_per_week=plan.hours_per_week, full_time_hours=full_time, start_date=plan.start_date,
        planned_end_date=plan.planned_end_date, reintegration_plan=plan.reintegration_plan.strip(),
        has_social_worker=plan.has_social_worker, social_worker_involved=plan.social_worker_involved,
        has_ehcp=plan.has_ehcp, ehcp_involved=plan.ehcp_involved,
        next_review_due=next_review_due(local_authority=la, base=plan.start_date),
        submitted_by=user, submitted_by_label=actor.label, **_consent_fields(child, consent),
    )
    actor.record(AuditEvent.Action.CREATE, timetable, child_id=child.pk, local_authority_id=la.pk,
                 summary=f"part-time timetable submitted by {school.name}: {plan.hours_per_week} hours a week")
    return timetable


@transaction.atomic
def timetable_consent_record(*, actor: Auditor, user: User | None, timetable: PartTimeTimetable,
                             consent: Consent) -> PartTimeTimetable:
    """Record the parent's agreement after submission (a timetable without it is flagged)."""
    if not consent.given:
        raise TimetableError("Record the parent's agreement.")
    fields = _consent_fields(timetable.child, consent)
    before = {"consent_given": timetable.consent_given}
    for name, value in fields.items():
        setattr(timetable, name, value)
    timetable.save()
    actor.record(AuditEvent.Action.UPDATE, timetable, child_id=timetable.child_id,
                 local_authority_id=timetable.local_authority_id, changes=diff(before, {"consent_given": True}),
                 summary="parental consent recorded")
    return timetable


@transaction.atomic
def timetable_review(*, actor: Auditor, user: User | None, timetable: PartTimeTimetable, reviewed_on: dt.date,
                     outcome: str, new_end_date: dt.date | None = None, notes: str = "",
                     pupil_and_parents_involved: bool = False, today: dt.date) -> TimetableReview:
    """The attendance team's review (R4.2: regular reviews, shortest time necessary). Continue or extend: the
    next review is due a cycle after this one. End or return to full time: the timetable ends on the review."""
    if timetable.status != PartTimeTimetable.Status.ACTIVE:
        raise TimetableError("This timetable has ended.")
    if outcome not in TimetableReview.Outcome.values:
        raise TimetableError("Choose the outcome of the review.")
    if reviewed_on > today:
        raise TimetableError("The review date must be today or in the past.")
    if reviewed_on < timetable.start_date:
        raise TimetableError("The review date must be on or after the start of the timetable.")
    last = timetable.reviews.order_by("-reviewed_on").first()
    if last is not None and reviewed_on < last.reviewed_on:
        raise TimetableError(f"The last review was on {govuk_date(last.reviewed_on)}: this one cannot be earlier.")
    before = {"status": timetable.status, "planned_end_date": timetable.planned_end_date,
              "next_review_due": timetable.next_review_due}
    if outcome == TimetableReview.Outcome.EXTEND:
        if new_end_date is None or new_end_date <= max(timetable.planned_end_date, reviewed_on):
            raise TimetableError("Give a new end date later than the current one.")
        timetable.planned_end_date = new_end_date
        timetable.extensions += 1
    elif new_end_date is not None:
        raise TimetableError("A new end date is given only when the timetable is extended.")
    if outcome in (TimetableReview.Outcome.END, TimetableReview.Outcome.FULL_TIME):
        timetable.status = (PartTimeTimetable.Status.FULL_TIME if outcome == TimetableReview.Outcome.FULL_TIME
                            else PartTimeTimetable.Status.ENDED)
        timetable.ended_on = reviewed_on
    else:
        timetable.next_review_due = next_review_due(local_authority=timetable.local_authority, base=reviewed_on)
    timetable.save()
    review = TimetableReview.objects.create(
        timetable=timetable, reviewed_on=reviewed_on, outcome=outcome, new_end_date=new_end_date, notes=notes.strip(),
        pupil_and_parents_involved=pupil_and_parents_involved, by=user, by_label=actor.label,
    )
    after = {"status": timetable.status, "planned_end_date": timetable.planned_end_date,
             "next_review_due": timetable.next_review_due}
    actor.record(AuditEvent.Action.UPDATE, timetable, child_id=timetable.child_id,
                 local_authority_id=timetable.local_authority_id, changes=diff(before, after),
                 summary=f"part-time timetable reviewed: {review.get_outcome_display()}")
    return review
