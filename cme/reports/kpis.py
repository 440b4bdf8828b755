"""KPI definitions, written once: the dashboard, the exports and the API all call these functions.

Each KPI is a named function over querysets that the caller has already scoped (`reports.selectors.report_scope`)
and filtered; its docstring is its definition, and docs/KPIS.md repeats them in plain words. Every function runs a
fixed number of queries whatever the size of the data (aggregates, or one narrow `values_list`).

"Children missing education" (CME) here means children with an open CME case (`Case.status != closed`): the case
is the LA's record that the child is believed to be missing education (s436A Education Act 1996; rules.md §2).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncWeek

from cme.cases.models import ENQUIRING, CaseQuerySet, CaseStatusChoice, ClosureOutcome, EnquiryQuerySet, TaskQuerySet
from cme.children.models import RiskFlag
from cme.core import calendar
from cme.law import postcode as postcodes
from cme.law import school_age
from cme.notifications.models import Notification

#: Column header for a single count column.
COUNT = "Children"


@dataclass
class Table:
    """One report: rows of (label, counts per column); a chart draws column 0 (or every column, stacked)."""

    key: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[tuple[str, list[int | None]]]
    chart: str = "bar"  # "bar" (horizontal), "column" (vertical, ordered categories), "" (table only)
    note: str = ""
    totals: list[int | None] = field(default_factory=list)
    suppressed: bool = False

    def __post_init__(self) -> None:
        if not self.totals:
            self.totals = [sum(v or 0 for _, values in self.rows for v in values[i:i + 1])
                           for i in range(len(self.columns))]

    def as_rows(self) -> list[list[Any]]:
        """Rows for an export: label then each column (a suppressed cell is written as "*")."""
        return [[label, *("*" if v is None else v for v in values)] for label, values in self.rows]


# --- Open cases (snapshot today) ------------------------------------------------------------------------------


def open_cases(cases: CaseQuerySet) -> int:
    """Open cases: cases whose status is not "closed" (open, making enquiries, located, not located).

    Equals the count on the cases list page's "All open cases" view with no filters."""
    return cases.open().count()


def open_cases_by_stage(cases: CaseQuerySet) -> Table:
    """Open cases by stage: the current status of each open case (one aggregate query)."""
    stages = [c for c in CaseStatusChoice if c != CaseStatusChoice.CLOSED]
    row = cases.open().aggregate(**{s.value: Count("id", filter=Q(status=s.value)) for s in stages})
    return Table("open_cases_by_stage", "Open cases by stage", "Stage", ["Cases"],
                 [(s.label, [row[s.value]]) for s in stages])


#: Case age bands in working days since the case opened (20 working days is about 4 weeks).
AGE_BANDS = [(20, "Under 4 weeks"), (60, "4 to 12 weeks"), (130, "12 to 26 weeks"), (None, "26 weeks or more")]


def open_cases_by_age(cases: CaseQuerySet, *, today: dt.date) -> Table:
    """Open cases by age: working days from the day the case opened to today (core.calendar), in bands:
    under 20 working days, 20-59, 60-129, 130 or more (one aggregate query)."""
    filters: dict[str, Any] = {}
    newer_than = None
    for index, (days, _label) in enumerate(AGE_BANDS):
        older = calendar.add_working_days(today, -days) if days is not None else None
        condition = Q()
        if older is not None:
            condition &= Q(opened_on__gt=older)
        if newer_than is not None:
            condition &= Q(opened_on__lte=newer_than)
        filters[f"band{index}"] = Count("id", filter=condition) if condition else Count("id")
        newer_than = older
    row = cases.open().aggregate(**filters)
    return Table("open_cases_by_age", "Open cases by how long they have been open", "Open for", ["Cases"],
                 [(label, [row[f"band{i}"]]) for i, (_, label) in enumerate(AGE_BANDS)], chart="column")


# --- Referrals --------------------------------------------------------------------------------------------------


def new_referrals_by_source(notifications: QuerySet[Notification], *, start: dt.date, end: dt.date) -> Table:
    """New referrals by source: notifications received between start and end (inclusive, local dates) by route
    in (Notification.kind), every route counted, attached duplicates included (each is a report received)."""
    rows = dict(notifications.filter(received_at__date__gte=start, received_at__date__lte=end)
                .values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return Table("referrals_by_source", "New referrals by source", "Source", ["Referrals"],
                 [(label, [rows.get(value, 0)]) for value, label in Notification.Kind.choices])


def new_referrals_per_week(notifications: QuerySet[Notification], *, start: dt.date, end: dt.date) -> Table:
    """New referrals per week by source: as new_referrals_by_source, grouped by the week (Monday) received."""
    found = (notifications.filter(received_at__date__gte=start, received_at__date__lte=end)
             .annotate(week=TruncWeek("received_at")).values_list("week", "kind").annotate(n=Count("id"))
             .values_list("week", "kind", "n"))
    counts: dict[tuple[dt.date, str], int] = {}
    for week, kind, n in found:
        day = week.date() if isinstance(week, dt.datetime) else week
        counts[(day, kind)] = counts.get((day, kind), 0) + n
    monday = start - dt.timedelta(days=start.weekday())
    weeks: list[dt.date] = []
    while monday <= end:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    kinds = Notification.Kind.choices
    return Table("referrals_per_week", "New referrals per week, by source", "Week beginning",
                 [label for _, label in kinds],
                 [(f"{week:%d %b %Y}", [counts.get((week, value), 0) for value, _ in kinds]) for week in weeks],
                 chart="column")


def awaiting_triage(notifications: QuerySet[Notification]) -> int:
    """Awaiting triage: notifications with status "new" (the triage queue's total)."""
    return notifications.filter(status=Notification.Status.NEW).count()


# --- Children missing education (open cases) ------------------------------------------------------------------


def _cme_children(cases: CaseQuerySet) -> list[tuple[dt.date, str]]:
    """(date of birth, postcode) of each child with an open case: one narrow query."""
    return list(cases.open().values_list("child__date_of_birth", "child__current_postcode"))


def year_label(year: int | None) -> str:
    if year is None:
        return "Above Year 13"
    if year < 0:
        return "Below Reception"
    return "Reception" if year == 0 else f"Year {year}"


def cme_by_nc_year(cases: CaseQuerySet, *, today: dt.date) -> Table:
    """Children missing education by national curriculum year: the expected (chronological) year group on
    today's date from the date of birth (law.school_age.nc_year, R1.4), for each child with an open case."""
    counts = Counter(year_label(school_age.nc_year(dob, today)) for dob, _ in _cme_children(cases))
    labels = ["Below Reception", "Reception", *[f"Year {n}" for n in range(1, 14)], "Above Year 13"]
    return Table("cme_by_nc_year", "Children missing education by year group", "Year group", [COUNT],
                 [(label, [counts.get(label, 0)]) for label in labels], chart="column")


def cme_by_key_stage(cases: CaseQuerySet, *, today: dt.date) -> Table:
    """Children missing education by key stage: the key stage of the expected year group (law.school_age.key_stage,
    R1.4); "Not school age" when the year group has no key stage."""
    counts = Counter(school_age.key_stage(school_age.nc_year(dob, today)) or "Not school age"
                     for dob, _ in _cme_children(cases))
    labels = ["EYFS", "KS1", "KS2", "KS3", "KS4", "KS5", "Not school age"]
    return Table("cme_by_key_stage", "Children missing education by key stage", "Key stage", [COUNT],
                 [(label, [counts.get(label, 0)]) for label in labels], chart="column")


def cme_by_district(cases: CaseQuerySet) -> Table:
    """Children missing education by postcode district: the outward code of the child's current postcode
    (law.postcode.district); "Not known" when there is no valid postcode. Largest first."""
    def district(pc: str) -> str:
        return postcodes.district(pc) if pc and postcodes.is_valid(pc) else "Not known"

    counts = Counter(district(pc) for _, pc in _cme_children(cases))
    rows = sorted(counts.items(), key=lambda kv: (kv[0] == "Not known", -kv[1], kv[0]))
    return Table("cme_by_district", "Children missing education by postcode district", "Postcode district",
                 [COUNT], [(label, [n]) for label, n in rows])


def cme_by_risk_group(cases: CaseQuerySet, risk_flags: QuerySet[RiskFlag], *, today: dt.date) -> Table:
    """Children missing education by risk group: children with an open case who have a current risk flag
    (not ended before today) of each active flag type. A child with two flags counts in both groups."""
    open_children = cases.open().values("child_id")
    found = dict(risk_flags.filter(child_id__in=open_children, flag_type__is_active=True)
                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
                 .values_list("flag_type__label").annotate(n=Count("child_id", distinct=True))
                 .values_list("flag_type__label", "n"))
    rows = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    return Table("cme_by_risk_group", "Children missing education by risk group", "Risk group", [COUNT],
                 [(label, [n]) for label, n in rows], note="A child with more than one risk flag is in each group.")


# --- Outcomes and time to locate ---------------------------------------------------------------------------------


def outcomes_by_closure_reason(cases: CaseQuerySet, *, start: dt.date, end: dt.date) -> Table:
    """Outcomes by closure reason: cases closed between start and end (inclusive) by closure outcome (R2.7)."""
    found = dict(cases.filter(status=CaseStatusChoice.CLOSED, closed_at__date__gte=start, closed_at__date__lte=end)
                 .values_list("closure_outcome").annotate(n=Count("id")).values_list("closure_outcome", "n"))
    return Table("outcomes", "Outcomes of closed cases", "Outcome", ["Cases"],
                 [(label, [found.get(value, 0)]) for value, label in ClosureOutcome.choices])


#: Time-to-locate bands in working days.
LOCATE_BANDS = [(5, "Within 5 working days"), (10, "6 to 10"), (20, "11 to 20"), (40, "21 to 40"),
                (None, "More than 40")]
LOCATED_OUTCOMES = (ClosureOutcome.ON_ROLL, ClosureOutcome.EHE_SUITABLE, ClosureOutcome.MOVED_LA)


@dataclass
class TimeToLocate:
    located: int
    median_days: float | None
    table: Table


def time_to_locate(cases: CaseQuerySet, *, start: dt.date, end: dt.date) -> TimeToLocate:
    """Time to locate: working days (core.calendar) from the day a case opened to the day the child was located,
    for children located between start and end. Located = the first "located" status; for a case closed as on
    roll, EHE or moved LA without one, the closure date. The median and the distribution in bands."""
    rows = (cases.annotate(first_located=Min("status_history__at",
                                             filter=Q(status_history__status=CaseStatusChoice.LOCATED)))
            .filter(Q(first_located__isnull=False) | Q(closure_outcome__in=LOCATED_OUTCOMES))
            .values_list("opened_on", "first_located", "closed_at"))
    days: list[int] = []
    for opened_on, first_located, closed_at in rows:
        at = first_located or closed_at
        if at is None:
            continue
        located_on = at.date() if isinstance(at, dt.datetime) else at
        if start <= located_on <= end:
            days.append(max(0, calendar.working_days_between(opened_on, located_on)))
    counts = [0] * len(LOCATE_BANDS)
    for n in days:
        for index, (limit, _) in enumerate(LOCATE_BANDS):
            if limit is None or n <= limit:
                counts[index] += 1
                break
    table = Table("time_to_locate", "Time to locate", "Working days", ["Children"],
                  [(label, [counts[i]]) for i, (_, label) in enumerate(LOCATE_BANDS)], chart="column")
    return TimeToLocate(located=len(days), median_days=statistics.median(days) if days else None, table=table)


# --- Overdue work and registers ------------------------------------------------------------------------------------


def overdue_cases(cases: CaseQuerySet, *, today: dt.date) -> int:
    """Overdue cases: open cases with a reasonable enquiry or a task past its due date (Case.objects.overdue);
    equals the cases list page's "Overdue" count."""
    return cases.open().overdue(today).count()


def overdue_enquiries(enquiries: EnquiryQuerySet, *, today: dt.date) -> int:
    """Overdue enquiries: reasonable-enquiry checks (R2.5) not done and not marked not applicable, due before today,
    on cases still being enquired into (open, making enquiries, not located)."""
    return enquiries.outstanding().filter(case__status__in=ENQUIRING, due__lt=today).count()


def overdue_tasks(tasks: TaskQuerySet, *, today: dt.date) -> int:
    """Overdue tasks: tasks not done, due before today."""
    return tasks.outstanding().filter(due__lt=today).count()


def active_count(queryset: QuerySet[Any]) -> int:
    """Register counts: records whose status is "active" today (part-time timetables in place; children
    electively home educated)."""
    return queryset.filter(status="active").count()
