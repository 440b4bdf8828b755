"""Reads for case work. Every function that serves a request takes the user and starts from their scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cme.accounts.roles import Role
from cme.cases import rules
from cme.cases.models import (
    Case,
    CaseNotification,
    CaseStatus,
    CaseStatusChoice,
    CaseTransfer,
    ContactRecord,
    CTFFile,
    Document,
    Enquiry,
    Note,
    SchoolWhere,
    Task,
    overdue_condition,
)
from cme.children.models import Child, EducationOtherwise, RiskFlag, School

if TYPE_CHECKING:
    from cme.accounts.models import User
    from cme.cases.services import ClosureEvidence


def active_severity() -> Subquery:
    """Subquery: the severity of the child's most severe active risk flag (None when there is none)."""
    today = timezone.localdate()
    flags = (
        RiskFlag.objects.filter(child_id=OuterRef("child_id"), flag_type__is_active=True)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values("child_id").annotate(top=Max("flag_type__severity")).values("top")
    )
    return Subquery(flags[:1])


def case_get(*, user: User, pk: int) -> Case:
    """One case within the user's scope, or 404 (never 403: do not reveal that a record exists)."""
    case = Case.objects.for_user(user).select_related("child", "local_authority", "allocated_to").filter(pk=pk).first()
    if case is None:
        raise Http404("No case found")
    return case


CTF_LIST_FIELDS = ("id", "case_id", "child_id", "file_name", "direction", "created_at", "created_by_label",
                   "s2s_uploaded_on", "s2s_recorded_by_label", "is_lost_pupil", "size", "warnings", "sha256")


def case_detail(*, user: User, pk: int) -> Case:
    """The case with everything its page shows, in a fixed number of queries."""
    today = timezone.localdate()
    queryset = Case.objects.for_user(user).select_related(
        "child", "local_authority", "allocated_to", "closure_school", "closure_education_otherwise"
    ).prefetch_related(
        Prefetch("status_history", queryset=CaseStatus.objects.order_by("at", "id")),
        Prefetch("enquiries", queryset=Enquiry.objects.select_related("attachment", "recorded_by").order_by(
            "order", "id")),
        Prefetch("tasks", queryset=Task.objects.select_related("assignee", "done_by").order_by("done_at", "due", "id")),
        Prefetch("transfers", queryset=CaseTransfer.objects.order_by("-requested_at")),
        Prefetch("ctf_files", queryset=CTFFile.objects.only(*CTF_LIST_FIELDS).order_by("-created_at")),
        Prefetch("case_notifications", queryset=CaseNotification.objects.select_related("notification")),
        Prefetch("documents", queryset=Document.objects.order_by("-uploaded_at")),
        Prefetch("child__risk_flags", queryset=RiskFlag.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today)).select_related("flag_type")),
    )
    case = queryset.filter(pk=pk).first()
    if case is None:
        raise Http404("No case found")
    return case


# --- Caseload ------------------------------------------------------------------------------------------------

CASELOAD_VIEWS = {
    "mine": "My cases",
    "team": "All open cases",
    "unallocated": "Unallocated",
    "overdue": "Overdue",
    "closed": "Closed",
}


@dataclass(frozen=True)
class CaseloadFilter:
    view: str = "mine"
    status: str = ""
    priority: int | None = None
    case_type: str = ""
    officer_id: int | None = None


def caseload(*, user: User, filters: CaseloadFilter, today: dt.date | None = None) -> QuerySet[Case]:
    """A page of cases: mine / team / unallocated / overdue / closed, filtered; one query per page whatever
    the number of rows (the next due date and the overdue mark are subqueries)."""
    today = today or timezone.localdate()
    cases = Case.objects.for_user(user).select_related("child", "allocated_to")
    if filters.view == "closed":
        cases = cases.closed()
    else:
        cases = cases.open()
    if filters.view == "mine":
        cases = cases.filter(allocated_to=user)
    elif filters.view == "unallocated":
        cases = cases.filter(allocated_to__isnull=True)
    elif filters.view == "overdue":
        cases = cases.filter(overdue_condition(today))
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.priority:
        cases = cases.filter(priority=filters.priority)
    if filters.case_type:
        cases = cases.filter(case_type=filters.case_type)
    if filters.officer_id:
        cases = cases.filter(allocated_to_id=filters.officer_id)
    next_due = Enquiry.objects.outstanding().filter(case=OuterRef("pk")).order_by("due").values("due")[:1]
    cases = cases.annotate(next_due=Subquery(next_due), is_overdue=overdue_condition(today))
    if filters.view == "closed":
        return cases.order_by("-closed_at", "-id")
    return cases.order_by("-priority", "opened_at", "id")


def caseload_counts(*, user: User, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    counts = Case.objects.for_user(user).open().aggregate(  # one query for the three tabs (PERF-1)
        mine=Count("pk", filter=Q(allocated_to=user)),
        unallocated=Count("pk", filter=Q(allocated_to__isnull=True)),
        overdue=Count("pk", filter=overdue_condition(today)),
    )
    return {key: int(counts[key] or 0) for key in ("mine", "unallocated", "overdue")}


def allocatable_officers(*, user: User) -> QuerySet[User]:
    from cme.accounts.models import User as UserModel

    return UserModel.objects.filter(local_authority_id=user.local_authority_id, is_active=True,
                                    role__in=[Role.CME_OFFICER, Role.ATTENDANCE_MANAGER]).order_by("full_name")


def my_tasks(*, user: User) -> QuerySet[Task]:
    """The user's outstanding tasks, and the managers' team tasks for attendance team managers."""
    mine = Q(assignee=user)
    if user.role == Role.ATTENDANCE_MANAGER:
        mine |= Q(for_managers=True)
    return (Task.objects.for_user(user).outstanding().filter(mine)
            .select_related("case").order_by("due", "id"))


def open_case_for_child(*, user: User, child: Child) -> Case | None:
    return Case.objects.for_user(user).open().filter(child=child).first()


def cases_for_child(*, user: User, child: Child) -> QuerySet[Case]:
    return Case.objects.for_user(user).filter(child=child).order_by("-opened_at")


def task_get(*, user: User, pk: int) -> Task:
    task = Task.objects.for_user(user).select_related("case").filter(pk=pk).first()
    if task is None or (task.case_id and not Case.objects.for_user(user).filter(pk=task.case_id).exists()):
        raise Http404("No task found")
    return task


def enquiry_get(*, user: User, pk: int) -> Enquiry:
    enquiry = Enquiry.objects.filter(case__in=Case.objects.for_user(user), pk=pk).select_related(
        "case", "case__child", "attachment").first()
    if enquiry is None:
        raise Http404("No enquiry found")
    return enquiry


def document_get(*, user: User, pk: int) -> Document:
    """A case document the user may see (case documents only; panel documents are served by panels)."""
    document = Document.objects.filter(case__in=Case.objects.for_user(user), pk=pk).select_related("case").first()
    if document is None:
        raise Http404("No document found")
    return document


def ctf_file_get(*, user: User, pk: int) -> CTFFile:
    """A CTF on a case, or on a child, the user may see."""
    children = Child.objects.for_user(user).values("pk")
    ctf = CTFFile.objects.filter(Q(case__in=Case.objects.for_user(user)) | Q(child__in=children), pk=pk,
                                 local_authority_id=user.local_authority_id).select_related("case").first()
    if ctf is None:
        raise Http404("No CTF found")
    return ctf


def transfer_get(*, user: User, pk: int) -> CaseTransfer:
    transfer = CaseTransfer.objects.filter(case__in=Case.objects.for_user(user), pk=pk).select_related(
        "case", "case__child", "case__local_authority").first()
    if transfer is None:
        raise Http404("No transfer found")
    return transfer


def schools_in_la(*, user: User) -> list[tuple[int, str]]:
    """(id, name) of the council's open schools, by name: the choices of the closure form's school (a few hundred
    rows on every case page, so tuples, not model instances: PERF-1)."""
    return list(School.objects.filter(local_authority_id=user.local_authority_id, is_open=True).order_by("name")
                .values_list("pk", "name"))


# --- Chronology ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str
    title: str
    text: str = ""
    by: str = ""
    on: dt.date | None = None  # the day it happened, when that differs from when it was recorded
    document: Document | None = None


def case_timeline(case: Case) -> list[TimelineItem]:
    """Notes, contacts, documents, status changes, enquiries done and tasks done, newest first: two queries for a
    case from `case_detail` (its documents, statuses, enquiries and tasks are prefetched), six for any other."""
    items: list[TimelineItem] = []
    for note in Note.objects.filter(case=case):
        items.append(TimelineItem(note.created_at, "note", "Note", note.text, note.author_label))
    for contact in ContactRecord.objects.filter(case=case):
        items.append(TimelineItem(
            contact.recorded_at, "contact", f"{contact.get_method_display()} ({contact.get_direction_display()})",
            f"With {contact.with_whom}: {contact.summary}", contact.recorded_by_label, on=contact.occurred_on))
    for document in case.documents.all():
        items.append(TimelineItem(document.uploaded_at, "document", f"Document: {document.title}",
                                  f"{document.extension.upper()}, {document.size:,} bytes",
                                  document.uploaded_by_label, document=document))
    for row in case.status_history.all():
        items.append(TimelineItem(row.at, "status", f"Status: {row.get_status_display()}", row.reason, row.by_label))
    for enquiry in case.enquiries.all():
        if enquiry.recorded_at is None:
            continue
        if enquiry.not_applicable:
            text = f"Not applicable: {enquiry.not_applicable_reason}"
        else:
            text = f"{enquiry.get_method_display()}, {enquiry.person}: {enquiry.outcome}".strip(", :")
        by = enquiry.recorded_by.full_name if enquiry.recorded_by else ""
        items.append(TimelineItem(enquiry.recorded_at, "enquiry", f"Enquiry: {enquiry.label}",
                                  text, by, on=enquiry.done_on))
    for task in case.tasks.all():
        if task.done_at is None:
            continue
        items.append(TimelineItem(task.done_at, "task", f"Task done: {task.title}", task.done_note,
                                  task.done_by.full_name if task.done_by else ""))
    return sorted(items, key=lambda item: item.at, reverse=True)


# --- Closure ----------------------------------------------------------------------------------------------


def closure_facts(*, case: Case, evidence: ClosureEvidence, today: dt.date) -> rules.ClosureFacts:
    """What the closure guards need (cases.rules), read fresh from the database."""
    school_id = None
    if evidence.school_where == SchoolWhere.IN_LA and evidence.school_id:
        if School.objects.filter(local_authority_id=case.local_authority_id, pk=evidence.school_id).exists():
            school_id = evidence.school_id
    enquiries = tuple(
        rules.EnquiryFact(label=label, done=done_on is not None, not_applicable=na, reason=reason)
        for label, done_on, na, reason in Enquiry.objects.filter(case=case).order_by("order", "id").values_list(
            "label", "done_on", "not_applicable", "not_applicable_reason")
    )
    lost = CTFFile.objects.filter(case=case, direction=CTFFile.Direction.GENERATED, is_lost_pupil=True)
    ehe_suitable = EducationOtherwise.objects.filter(
        child_id=case.child_id, kind=EducationOtherwise.Kind.EHE, suitability=EducationOtherwise.Suitability.SUITABLE,
        start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today)).exists()
    row = Case.objects.filter(pk=case.pk).values("status", "panel_reviewed_on").first() or {
        "status": case.status, "panel_reviewed_on": case.panel_reviewed_on}
    return rules.ClosureFacts(
        today=today,
        status=row["status"],
        school_where=evidence.school_where,
        school_id=school_id,
        school_laestab=evidence.school_laestab.strip(),
        school_name=evidence.school_name,
        school_country=evidence.school_country,
        start_date=evidence.start_date,
        confirmed_by=evidence.confirmed_by,
        ehe_suitable=ehe_suitable,
        enquiries=enquiries,
        panel_reviewed=row["panel_reviewed_on"] is not None,
        lost_pupil_ctf_generated=lost.exists(),
        lost_pupil_ctf_uploaded=lost.filter(s2s_uploaded_on__isnull=False).exists(),
        transfer_confirmed=case.transfers.filter(response=CaseTransfer.Response.ACCEPTED,
                                                 confirmed_on__isnull=False).exists(),
    )


def closure_status_hint(case: Case) -> str:
    if case.status == CaseStatusChoice.LOCATED:
        return "located"
    if case.status == CaseStatusChoice.NOT_LOCATED:
        return "not_located"
    return ""
