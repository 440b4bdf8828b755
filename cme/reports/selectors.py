"""Reads for reporting: the scoped querysets the KPIs run over, and the whole dashboard in a fixed number of queries.

Scope: casework roles report over their own LA through each model's `for_user` queryset. Aggregate-only roles
(read-only managers: `reports.aggregate` without `reports.export_personal`) reach no individual record, so their
figures come from LA-wide querysets here and are only ever shown as suppressed counts (reports.suppression).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone

from cme.accounts.policy import has_permission, scope_for
from cme.cases.models import Case, CaseQuerySet, Enquiry, EnquiryQuerySet, Task, TaskQuerySet
from cme.children.models import Child, Enrolment, RiskFlag, School, hide_restricted
from cme.children.restriction import LABEL
from cme.ehe.models import EHERecord
from cme.law import school_age
from cme.notifications.models import Notification
from cme.reports import kpis
from cme.reports.suppression import suppress_table
from cme.timetables.models import PartTimeTimetable

if TYPE_CHECKING:
    from collections.abc import Callable

    from cme.accounts.models import User

#: Default reporting period: the last 12 weeks up to today. A period is at most 3 years long (longer asks are cut
#: to the 3 years up to their end date) and lies between 1990 and 2100.
DEFAULT_PERIOD_DAYS = 84
MAX_PERIOD_DAYS = 3 * 366
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class ReportFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    school_id: int | None = None

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        end = min(max(self.date_to or today, EARLIEST), LATEST)
        start = min(max(self.date_from or (end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)), EARLIEST), LATEST)
        start, end = (start, end) if start <= end else (end, start)
        return max(start, end - dt.timedelta(days=MAX_PERIOD_DAYS)), end


@dataclass
class ReportScope:
    local_authority_id: int
    aggregate_only: bool
    cases: CaseQuerySet
    notifications: QuerySet[Notification]
    enquiries: EnquiryQuerySet
    tasks: TaskQuerySet
    risk_flags: QuerySet[RiskFlag]
    timetables: QuerySet[PartTimeTimetable]
    ehe_records: QuerySet[EHERecord]


def is_aggregate_only(user: User) -> bool:
    return not has_permission(user, "reports.export_personal")


def report_scope(*, user: User, filters: ReportFilter | None = None) -> ReportScope:
    """The querysets every KPI runs over for this user, narrowed to one school's pupils when asked.

    Raises PermissionDenied without `reports.aggregate`."""
    if not has_permission(user, "reports.aggregate"):
        raise PermissionDenied("reports.aggregate")
    filters = filters or ReportFilter()
    la_id = user.local_authority_id
    aggregate_only = is_aggregate_only(user)
    if aggregate_only:  # aggregates only: LA-wide, never shown except as suppressed counts
        cases = Case.objects.filter(local_authority_id=la_id)
        notifications = Notification.objects.filter(local_authority_id=la_id)
        tasks = Task.objects.filter(local_authority_id=la_id)
        timetables = PartTimeTimetable.objects.filter(local_authority_id=la_id, child__merged_into__isnull=True)
        ehe_records = EHERecord.objects.filter(local_authority_id=la_id, child__merged_into__isnull=True)
        children = Child.objects.filter(local_authority_id=la_id, merged_into__isnull=True)
        # UK GDPR Art 18: a restricted child's records are only stored, so they are not counted either.
        scope = scope_for(user)
        cases, notifications, timetables, ehe_records = (hide_restricted(q, scope, "child_id") for q in (
            cases, notifications, timetables, ehe_records))
        tasks, children = hide_restricted(tasks, scope, "case__child_id"), hide_restricted(children, scope, "pk")
    else:
        cases = Case.objects.for_user(user)
        notifications = Notification.objects.for_user(user)
        tasks = Task.objects.for_user(user)
        timetables = PartTimeTimetable.objects.for_user(user)
        ehe_records = EHERecord.objects.for_user(user)
        children = Child.objects.for_user(user)
    risk_flags = RiskFlag.objects.filter(child__in=children.values("pk"))
    if filters.school_id:
        school = School.objects.filter(local_authority_id=la_id, pk=filters.school_id).first()
        pupils = Subquery(Enrolment.objects.filter(school_id=filters.school_id).values("child_id"))
        cases = cases.filter(child_id__in=pupils)
        tasks = tasks.filter(Q(case__isnull=True) | Q(case__child_id__in=pupils))
        risk_flags = risk_flags.filter(child_id__in=pupils)
        timetables = timetables.filter(school_id=filters.school_id)
        ehe_records = ehe_records.filter(child_id__in=pupils)
        from_school = Q(child_id__in=pupils)
        if school is not None:
            from_school |= Q(school_laestab=school.laestab)
            if school.organisation_id:
                from_school |= Q(source_organisation_id=school.organisation_id)
        notifications = notifications.filter(from_school)
    enquiries = Enquiry.objects.filter(case__in=cases.values("pk"))
    return ReportScope(la_id, aggregate_only, cases, notifications, enquiries, tasks, risk_flags, timetables,
                       ehe_records)


@dataclass
class Figure:
    """A headline number (None when suppressed)."""

    key: str
    label: str
    value: int | float | None
    definition: str
    display: str = ""


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    today: dt.date
    aggregate_only: bool
    figures: list[Figure] = field(default_factory=list)
    tables: list[kpis.Table] = field(default_factory=list)

    def table(self, key: str) -> kpis.Table:
        return next(t for t in self.tables if t.key == key)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _doc(function: Any) -> str:
    return " ".join((function.__doc__ or "").split())


def _figure(key: str, label: str, value: int | float | None, function: Any, aggregate_only: bool) -> Figure:
    from cme.reports.suppression import suppress_count

    shown = suppress_count(value) if aggregate_only and isinstance(value, int) else value
    display = "1–5" if shown is None and value is not None else (f"{shown:,}" if isinstance(shown, int) else
                                                                  "" if shown is None else f"{shown:g}")
    return Figure(key, label, shown, _doc(function), display)


def dashboard(*, user: User, filters: ReportFilter | None = None, today: dt.date | None = None) -> Dashboard:
    """Every KPI for the dashboard (and the API), suppressed for aggregate-only roles: a fixed number of queries."""
    filters = filters or ReportFilter()
    today = today or timezone.localdate()
    scope = report_scope(user=user, filters=filters)
    start, end = filters.period(today)
    agg = scope.aggregate_only
    located = kpis.time_to_locate(scope.cases, start=start, end=end)
    median = located.median_days
    if agg and located.located < 10:  # a median of fewer than 10 children is not shown to aggregate-only roles
        median = None
    result = Dashboard(start=start, end=end, today=today, aggregate_only=agg)
    result.figures = [
        _figure("open_cases", "Open cases", kpis.open_cases(scope.cases), kpis.open_cases, agg),
        _figure("awaiting_triage", "Awaiting triage", kpis.awaiting_triage(scope.notifications),
                kpis.awaiting_triage, agg),
        _figure("overdue_cases", "Cases with overdue work", kpis.overdue_cases(scope.cases, today=today),
                kpis.overdue_cases, agg),
        _figure("overdue_enquiries", "Overdue enquiries", kpis.overdue_enquiries(scope.enquiries, today=today),
                kpis.overdue_enquiries, agg),
        _figure("overdue_tasks", "Overdue tasks", kpis.overdue_tasks(scope.tasks, today=today),
                kpis.overdue_tasks, agg),
        _figure("part_time_timetables", "Part-time timetables in place", kpis.active_count(scope.timetables),
                kpis.active_count, agg),
        _figure("ehe", "Children electively home educated", kpis.active_count(scope.ehe_records),
                kpis.active_count, agg),
        _figure("located", "Children located in the period", located.located, kpis.time_to_locate, agg),
        Figure("median_days_to_locate", "Median working days to locate", median, _doc(kpis.time_to_locate),
               "" if median is None else f"{median:g}"),
    ]
    tables = [
        kpis.open_cases_by_stage(scope.cases),
        kpis.open_cases_by_age(scope.cases, today=today),
        kpis.new_referrals_by_source(scope.notifications, start=start, end=end),
        kpis.new_referrals_per_week(scope.notifications, start=start, end=end),
        kpis.cme_by_nc_year(scope.cases, today=today),
        kpis.cme_by_key_stage(scope.cases, today=today),
        kpis.cme_by_risk_group(scope.cases, scope.risk_flags, today=today),
        kpis.cme_by_district(scope.cases),
        kpis.outcomes_by_closure_reason(scope.cases, start=start, end=end),
        located.table,
    ]
    result.tables = [suppress_table(t) for t in tables] if agg else tables
    return result


def schools_for_filter(*, user: User) -> QuerySet[School]:
    return School.objects.filter(local_authority_id=user.local_authority_id).order_by("name").only("pk", "name")


# --- Personal-data report: the children missing education list ---------------------------------------------------


CME_LIST_COLUMNS = ["Case", "Forename", "Surname", "Date of birth", "Year group", "Postcode", "Stage", "Opened",
                    "Officer"]


def cme_list(*, user: User, filters: ReportFilter | None = None) -> CaseQuerySet:
    """Open cases with the child's details, for the personal-data report (casework roles only)."""
    if not has_permission(user, "reports.export_personal"):
        raise PermissionDenied("reports.export_personal")
    scope = report_scope(user=user, filters=filters)
    return (scope.cases.open().select_related("child", "allocated_to")
            .order_by("child__legal_surname", "child__legal_forename", "pk"))


def cme_list_rows(cases: CaseQuerySet, *, today: dt.date, masked: Callable[[Child], bool]) -> list[list[Any]]:
    """One row per case; for a child `masked` says to hide (DP-6), no name, date of birth or postcode."""
    rows = []
    for case in cases:
        child = case.child
        identity: list[Any] = ([LABEL, "", None, "", ""] if masked(child) else
                               [child.legal_forename, child.legal_surname, child.date_of_birth,
                                kpis.year_label(school_age.nc_year(child.date_of_birth, today)),
                                child.current_postcode])
        rows.append([case.reference, *identity,
                     case.get_status_display(), case.opened_on,
                     case.allocated_to.full_name if case.allocated_to else "Unallocated"])
    return rows
