"""Display logic for case pages (no queries beyond what the selectors prefetched)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from cme.accounts.policy import has_permission
from cme.cases.models import (
    ENQUIRING,
    Case,
    CaseStatusChoice,
    CaseTransfer,
    ClosureOutcome,
    CTFFile,
    Enquiry,
    Priority,
    Task,
)
from cme.cases.services import Step, allowed_transitions

if TYPE_CHECKING:
    from cme.accounts.models import User

STATUS_TAGS = {
    CaseStatusChoice.OPEN: "govuk-tag--blue",
    CaseStatusChoice.ENQUIRIES: "govuk-tag--light-blue",
    CaseStatusChoice.LOCATED: "govuk-tag--green",
    CaseStatusChoice.NOT_LOCATED: "govuk-tag--orange",
    CaseStatusChoice.CLOSED: "govuk-tag--grey",
}
PRIORITY_TAGS = {Priority.HIGH: "govuk-tag--red", Priority.MEDIUM: "govuk-tag--yellow", Priority.LOW: "govuk-tag--grey"}


def status_tag(status: str) -> dict[str, str]:
    return {"text": CaseStatusChoice(status).label, "classes": STATUS_TAGS.get(status, "")}  # type: ignore[call-overload]


def priority_tag(priority: int) -> dict[str, str]:
    return {"text": Priority(priority).label, "classes": PRIORITY_TAGS.get(priority, "")}  # type: ignore[call-overload]


@dataclass(frozen=True)
class CheckRow:
    enquiry: Enquiry
    state: str  # done / not_applicable / overdue / due
    tag: dict[str, str]


def check_row(enquiry: Enquiry, today: dt.date, *, enquiring: bool = True) -> CheckRow:
    if enquiry.done_on is not None:
        return CheckRow(enquiry, "done", {"text": "Done", "classes": "govuk-tag--green"})
    if enquiry.not_applicable:
        return CheckRow(enquiry, "not_applicable", {"text": "Not applicable", "classes": "govuk-tag--grey"})
    if not enquiring:
        return CheckRow(enquiry, "due", {"text": "Not done", "classes": "govuk-tag--grey"})
    if enquiry.due < today:
        return CheckRow(enquiry, "overdue", {"text": "Overdue", "classes": "govuk-tag--red"})
    return CheckRow(enquiry, "due", {"text": "To do", "classes": "govuk-tag--blue"})


def task_tag(task: Task, today: dt.date) -> dict[str, str]:
    if task.done_at is not None:
        return {"text": "Done", "classes": "govuk-tag--green"}
    if task.due < today:
        return {"text": "Overdue", "classes": "govuk-tag--red"}
    if task.due == today:
        return {"text": "Due today", "classes": "govuk-tag--yellow"}
    return {"text": "To do", "classes": "govuk-tag--blue"}


class CasePresenter:
    def __init__(self, case: Case, *, user: User, today: dt.date) -> None:
        self.case = case
        self.user = user
        self.today = today

    def __getattr__(self, name: str) -> object:
        return getattr(self.case, name)

    @property
    def status_tag(self) -> dict[str, str]:
        return status_tag(self.case.status)

    @property
    def priority_tag(self) -> dict[str, str]:
        return priority_tag(self.case.priority)

    @cached_property
    def steps(self) -> list[tuple[str, Step]]:
        if not has_permission(self.user, "case.work"):
            return []
        return allowed_transitions(status=self.case.status, user=self.user)

    @property
    def can_work(self) -> bool:
        return self.case.is_open and has_permission(self.user, "case.work")

    @property
    def can_close(self) -> bool:
        return bool(allowed_transitions(status=self.case.status, user=self.user, via="close"))

    @property
    def can_reopen(self) -> bool:
        return bool(allowed_transitions(status=self.case.status, user=self.user, via="reopen"))

    @property
    def can_allocate(self) -> bool:
        return self.case.is_open and has_permission(self.user, "case.allocate")

    @property
    def can_export_ctf(self) -> bool:
        return has_permission(self.user, "ctf.export")

    @property
    def can_import_ctf(self) -> bool:
        return self.case.is_open and has_permission(self.user, "ctf.import")

    @cached_property
    def checklist(self) -> list[CheckRow]:
        enquiring = self.case.status in ENQUIRING
        return [check_row(e, self.today, enquiring=enquiring) for e in self.case.enquiries.all()]

    @cached_property
    def checklist_counts(self) -> dict[str, int]:
        counts = {"done": 0, "not_applicable": 0, "overdue": 0, "due": 0}
        for row in self.checklist:
            counts[row.state] += 1
        return counts

    @cached_property
    def open_tasks(self) -> list[tuple[Task, dict[str, str]]]:
        return [(t, task_tag(t, self.today)) for t in self.case.tasks.all() if t.done_at is None]

    @cached_property
    def done_tasks(self) -> list[Task]:
        return [t for t in self.case.tasks.all() if t.done_at is not None]

    @cached_property
    def lost_pupil_ctfs(self) -> list[CTFFile]:
        return [f for f in self.case.ctf_files.all() if f.direction == CTFFile.Direction.GENERATED]

    @cached_property
    def received_ctfs(self) -> list[CTFFile]:
        return [f for f in self.case.ctf_files.all() if f.direction == CTFFile.Direction.RECEIVED]

    @cached_property
    def awaiting_transfer(self) -> CaseTransfer | None:
        return next((t for t in self.case.transfers.all() if t.response == CaseTransfer.Response.AWAITING), None)

    @cached_property
    def active_flags(self) -> list[object]:
        return list(self.case.child.risk_flags.all())

    @property
    def can_see_flags(self) -> bool:
        return has_permission(self.user, "child.view_restricted_fields")

    @cached_property
    def closure_summary(self) -> str:
        case = self.case
        if not case.closure_outcome:
            return ""
        outcome = ClosureOutcome(case.closure_outcome)
        if outcome == ClosureOutcome.ON_ROLL:
            where = case.closure_school.name if case.closure_school else (case.closure_school_name
                                                                          or case.closure_school_laestab)
            country = f", {case.closure_school_country}" if case.closure_school_country else ""
            start = case.closure_start_date
            return f"On roll at {where}{country} from {start.day} {start:%B %Y}" if start else f"On roll at {where}"
        return outcome.label

    @cached_property
    def ehe_link(self) -> str:
        """The EHE register page for the child's record, if the EHE app provides one (URL name ehe:detail)."""
        record = self.case.closure_education_otherwise
        if record is None:
            return ""
        try:
            from cme.ehe import selectors as ehe_selectors  # layer 7, built alongside this app

            ehe_record = ehe_selectors.ehe_record_for_child(user=self.user, child=self.case.child)  # type: ignore[attr-defined]
            return reverse("ehe:detail", kwargs={"pk": ehe_record.pk}) if ehe_record else ""
        except (ImportError, AttributeError, NoReverseMatch, TypeError):
            return ""
