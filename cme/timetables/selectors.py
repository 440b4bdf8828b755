"""Reads for the part-time timetables register. Every function takes the user and starts from their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cme.children.models import Child, ChildContact, Enrolment, School
from cme.children.restriction import LABEL
from cme.core.calendar import TermCalendar
from cme.timetables import rules
from cme.timetables.models import PartTimeTimetable, TimetableReview

if TYPE_CHECKING:
    from collections.abc import Callable

    from cme.accounts.models import User

Status = PartTimeTimetable.Status


@dataclass(frozen=True)
class TimetableFilters:
    status: str = "active"
    school_id: int | None = None
    flag: str = ""
    reason: str = ""


def flag_condition(flag: str, *, today: dt.date, max_extensions: int) -> Q:
    """The SQL form of `rules.flags` (kept beside it: the same definitions, on indexed columns)."""
    active = Q(status=Status.ACTIVE)
    conditions = {
        rules.Flag.NO_CONSENT: active & Q(consent_given=False),
        rules.Flag.PAST_END: active & Q(planned_end_date__lt=today),
        rules.Flag.EXTENDED: active & Q(extensions__gt=max_extensions),
        rules.Flag.REVIEW_OVERDUE: active & Q(next_review_due__lt=today),
        rules.Flag.PROFESSIONALS: active & (Q(has_social_worker=True, social_worker_involved=False)
                                            | Q(has_ehcp=True, ehcp_involved=False)),
    }
    if flag == "any":
        combined = Q(pk__in=[])
        for condition in conditions.values():
            combined |= condition
        return combined
    return conditions[rules.Flag(flag)]


def timetable_list(*, user: User, filters: TimetableFilters, today: dt.date,
                   max_extensions: int) -> QuerySet[PartTimeTimetable]:
    timetables = PartTimeTimetable.objects.for_user(user).select_related("child", "school")
    if filters.status in Status.values:
        timetables = timetables.filter(status=filters.status)
    if filters.school_id:
        timetables = timetables.filter(school_id=filters.school_id)
    if filters.reason in PartTimeTimetable.Reason.values:
        timetables = timetables.filter(reason=filters.reason)
    if filters.flag in {*rules.Flag, "any"}:
        timetables = timetables.filter(flag_condition(filters.flag, today=today, max_extensions=max_extensions))
    return timetables.order_by("next_review_due", "id")


def timetable_get(*, user: User, pk: int) -> PartTimeTimetable:
    timetable = PartTimeTimetable.objects.for_user(user).select_related(
        "child", "school", "local_authority").filter(pk=pk).first()
    if timetable is None:
        raise Http404("No part-time timetable found")
    return timetable


def timetable_detail(*, user: User, pk: int) -> PartTimeTimetable:
    timetable = (
        PartTimeTimetable.objects.for_user(user)
        .select_related("child", "school", "local_authority", "consent_by")
        .prefetch_related(
            Prefetch("reviews", queryset=TimetableReview.objects.order_by("-reviewed_on", "-id")),
            Prefetch("child__child_contacts", queryset=ChildContact.objects.select_related("contact")),
        )
        .filter(pk=pk)
        .first()
    )
    if timetable is None:
        raise Http404("No part-time timetable found")
    return timetable


def schools_with_timetables(*, user: User) -> QuerySet[School]:
    ids = PartTimeTimetable.objects.for_user(user).values("school_id")
    return School.objects.filter(pk__in=ids).order_by("name")


def user_school(user: User) -> School | None:
    """The school a school user works for (None for everyone else)."""
    if user.role != "school_user" or user.organisation_id is None:
        return None
    schools = School.objects.filter(organisation_id=user.organisation_id, local_authority_id=user.local_authority_id)
    return schools.first()


def pupils_on_roll(*, user: User, school: School, on: dt.date) -> QuerySet[Child]:
    """The school's current pupils, from the user's scope (a school picks from its own roll)."""
    current = Enrolment.objects.filter(school=school, start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))
    return Child.objects.for_user(user).filter(pk__in=current.values("child_id")).order_by(
        "legal_surname", "legal_forename")


def pupil_by_upn(*, user: User, school: School, upn: str, on: dt.date) -> Child | None:
    return pupils_on_roll(user=user, school=school, on=on).filter(upn=upn).first()


@dataclass
class TimetableFigures:
    """Hours missed and length for one timetable, to today or to its end (R4.2; absences coded C2)."""

    timetable: PartTimeTimetable
    today: dt.date
    terms: TermCalendar
    max_extensions: int

    @property
    def until(self) -> dt.date:
        t = self.timetable
        return t.ended_on if t.ended_on and t.status != Status.ACTIVE else self.today

    @cached_property
    def flags(self) -> list[rules.Flag]:
        t = self.timetable
        return rules.flags(rules.TimetableFacts(
            active=t.status == Status.ACTIVE, consent_given=t.consent_given, planned_end_date=t.planned_end_date,
            next_review_due=t.next_review_due, extensions=t.extensions, has_social_worker=t.has_social_worker,
            social_worker_involved=t.social_worker_involved, has_ehcp=t.has_ehcp, ehcp_involved=t.ehcp_involved,
        ), today=self.today, max_extensions=self.max_extensions)

    @property
    def hours_missed_per_week(self) -> Decimal:
        return rules.hours_missed_per_week(self.timetable.full_time_hours, self.timetable.hours_per_week)

    @cached_property
    def school_days(self) -> int:
        return rules.school_days_on(self.timetable.start_date, self.until, self.terms)

    @cached_property
    def hours_missed(self) -> Decimal:
        return rules.hours_missed(self.school_days, self.timetable.full_time_hours, self.timetable.hours_per_week)

    @property
    def length_weeks(self) -> Decimal:
        return rules.length_weeks(self.timetable.start_date, self.until)


def figures_for(timetables: list[PartTimeTimetable], *, today: dt.date, terms: TermCalendar,
                max_extensions: int) -> list[TimetableFigures]:
    return [TimetableFigures(t, today, terms, max_extensions) for t in timetables]


@dataclass
class SchoolLine:
    school: School
    active: int = 0
    flagged: int = 0
    hours_missed: Decimal = Decimal(0)


@dataclass
class RegisterReport:
    active: int = 0
    hours_missed_per_week: Decimal = Decimal(0)
    hours_missed_to_date: Decimal = Decimal(0)
    average_length_weeks: Decimal = Decimal(0)
    flag_counts: dict[str, int] = field(default_factory=dict)
    schools: list[SchoolLine] = field(default_factory=list)


def register_report(*, user: User, today: dt.date, terms: TermCalendar, max_extensions: int) -> RegisterReport:
    """Hours missed a week and to date, length and flags of the timetables in place, in total and by school."""
    timetables = list(
        PartTimeTimetable.objects.for_user(user).active().select_related("school").order_by("school__name"))
    figures = figures_for(timetables, today=today, terms=terms, max_extensions=max_extensions)
    report = RegisterReport(active=len(figures), flag_counts={flag.label: 0 for flag in rules.Flag})
    by_school: dict[int, SchoolLine] = {}
    for f in figures:
        report.hours_missed_per_week += f.hours_missed_per_week
        report.hours_missed_to_date += f.hours_missed
        for flag in f.flags:
            report.flag_counts[flag.label] += 1
        line = by_school.setdefault(f.timetable.school_id, SchoolLine(f.timetable.school))
        line.active += 1
        line.flagged += bool(f.flags)
        line.hours_missed += f.hours_missed
    if figures:
        total = sum((f.length_weeks for f in figures), Decimal(0))
        report.average_length_weeks = (total / len(figures)).quantize(rules.TENTH)
    report.schools = sorted(by_school.values(), key=lambda line: (-line.active, line.school.name))
    return report


EXPORT_COLUMNS = [
    "Timetable", "Forename", "Surname", "Date of birth", "UPN", "School", "LAESTAB", "Reason", "Hours a week",
    "Full-time hours", "Hours missed a week", "Start date", "Planned end date", "Status", "Ended on",
    "Parental consent", "Consent given by", "Consent date", "Next review due", "Extensions", "Length (weeks)",
    "School days so far", "Hours missed to date", "Flags",
]


def export_rows(figures: list[TimetableFigures], *, masked: Callable[[Child], bool]) -> list[list[object]]:
    """One row per timetable; for a child `masked` says to hide (DP-6), no name, date of birth or UPN."""
    rows = []
    for f in figures:
        t = f.timetable
        identity: list[object] = ([LABEL, "", None, ""] if masked(t.child) else
                                  [t.child.legal_forename, t.child.legal_surname, t.child.date_of_birth, t.child.upn])
        rows.append([
            t.pk, *identity, t.school.name,
            t.school.laestab, t.get_reason_display(), t.hours_per_week, t.full_time_hours, f.hours_missed_per_week,
            t.start_date, t.planned_end_date, t.get_status_display(), t.ended_on, t.consent_given,
            t.consent_by_name, t.consent_on, t.next_review_due if t.status == Status.ACTIVE else None, t.extensions,
            f.length_weeks, f.school_days, f.hours_missed, "; ".join(flag.label for flag in f.flags),
        ])
    return rows
