"""Writes for CME case work. Every write is a service: keyword-only arguments, an explicit actor (an Auditor),
inside a transaction, audited. Case edits use an optimistic lock (Case.version): a second editor with a stale
version gets CaseChangedError naming who changed the case and when, and nothing is overwritten.

The case lifecycle is declared in ONE table, `TRANSITIONS`, below (rules.md §2):

    open -> enquiries -> located / not located -> closed ; closed -> enquiries (re-opened)

Closing goes through `case_close` only (the closure guards in cases.rules must all pass, R2.7); re-opening through
`case_reopen` only (attendance team managers, with a reason).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cme.accounts.policy import has_permission
from cme.accounts.roles import Role
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor, diff
from cme.cases import rules
from cme.cases.models import (
    Case,
    CaseNotification,
    CaseStatus,
    CaseStatusChoice,
    CaseTransfer,
    CaseType,
    ClosureOutcome,
    ContactMethod,
    ContactRecord,
    Document,
    DueUnit,
    Enquiry,
    EnquiryTemplate,
    EnquiryTemplateItem,
    Note,
    SchoolWhere,
    Task,
)
from cme.cases.selectors import active_severity, closure_facts
from cme.children.models import Child, EducationOtherwise, Enrolment, Residence, School
from cme.children.services import child_create
from cme.core import calendar
from cme.core.uploads import DOCUMENTS, sniff
from cme.law import la_codes
from cme.law import postcode as postcodes
from cme.law import upn as upns
from cme.notifications.models import Notification
from cme.notifications.services import TriageError, notification_link_child, notification_triage

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from cme.accounts.models import User

S = CaseStatusChoice


# --- Errors -----------------------------------------------------------------------------------------------


class CaseError(Exception):
    """A case operation that cannot be done; the message is for the officer."""


class TransitionRefused(CaseError):
    pass


class CaseAlreadyOpenError(CaseError):
    """CONC-3: the child already has an open case (one open case per child)."""

    def __init__(self, case: Case | None) -> None:
        self.case = case
        ref = case.reference if case is not None else "another case"
        super().__init__(f"This child already has an open case ({ref}).")


class CaseChangedError(CaseError):
    """Someone else changed the case after this user loaded it (optimistic lock)."""

    def __init__(self, case: Case) -> None:
        self.case = case
        when = timezone.localtime(case.updated_at)
        who = case.last_changed_by_label or "someone else"
        super().__init__(
            f"{who} changed this case at {when:%H:%M} on {when.day} {when:%B %Y}, after you opened it. "
            "Nothing was saved: check the case and try again."
        )


class ClosureRefused(CaseError):
    """One or more closure guards failed; `problems` says which."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The case cannot close yet: " + " ".join(problems))


# --- The lifecycle table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    action: str  # accounts.policy action the user's role needs
    label: str  # the button
    via: str = "transition"  # transition | close | reopen (which service performs it)


TRANSITIONS: dict[tuple[str, str], Step] = {
    (S.OPEN, S.ENQUIRIES): Step("case.work", "Start enquiries"),
    (S.ENQUIRIES, S.LOCATED): Step("case.work", "Record the child as located"),
    (S.ENQUIRIES, S.NOT_LOCATED): Step("case.work", "Record the child as not located"),
    (S.LOCATED, S.ENQUIRIES): Step("case.work", "Return to enquiries"),
    (S.NOT_LOCATED, S.ENQUIRIES): Step("case.work", "Return to enquiries"),
    (S.NOT_LOCATED, S.LOCATED): Step("case.work", "Record the child as located"),
    (S.LOCATED, S.CLOSED): Step("case.close", "Close the case", via="close"),
    (S.NOT_LOCATED, S.CLOSED): Step("case.close", "Close the case", via="close"),
    (S.CLOSED, S.ENQUIRIES): Step("case.reopen", "Re-open the case", via="reopen"),
}


def allowed_transitions(*, status: str, user: User | None = None, via: str = "transition") -> list[tuple[str, Step]]:
    """The steps out of `status` performed by `via`, limited to what the user's role may do."""
    return [
        (to, step) for (frm, to), step in TRANSITIONS.items()
        if frm == status and step.via == via and (user is None or has_permission(user, step.action))
    ]


def _label(status: str) -> str:
    return S(status).label.lower()


def _step(*, case: Case, to: str, user: User | None, via: str) -> Step:
    step = TRANSITIONS.get((case.status, to))
    if step is None:
        raise TransitionRefused(f"A case cannot go from {_label(case.status)} to {_label(to)}.")
    if step.via != via:
        if step.via == "close":
            raise TransitionRefused("Close a case with its outcome and evidence, using the closure form.")
        if step.via == "reopen":
            raise TransitionRefused("Re-open a closed case with a reason (attendance team managers).")
        raise TransitionRefused(f"A case cannot go from {_label(case.status)} to {_label(to)} that way.")
    if user is not None and not has_permission(user, step.action):
        raise TransitionRefused(f"Your role cannot move a case from {_label(case.status)} to {_label(to)}.")
    return step


def _lock(*, case: Case, actor: Auditor, expected_version: int | None) -> Case:
    """Bump the version (refusing if it moved on since `expected_version`) and return the fresh, locked case."""
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(version=F("version") + 1, last_changed_by_label=actor.label, updated_at=timezone.now())
    if not updated:
        raise CaseChangedError(Case.objects.get(pk=case.pk))
    return Case.objects.select_for_update().select_related("child", "local_authority").get(pk=case.pk)


def _apply_status(*, case: Case, to: str, actor: Auditor, user: User | None, reason: str,
                  also_save: list[str] | None = None) -> None:
    before = case.status
    case.status = to
    case.save(update_fields=["status", "updated_at", *(also_save or [])])
    CaseStatus.objects.create(case=case, status=to, at=timezone.now(), by=user, by_label=actor.label,
                              reason=reason.strip())
    actor.record(AuditEvent.Action.UPDATE, case, child_id=case.child_id, reason=reason,
                 changes={"status": [before, to]}, summary=f"{case.reference}: {_label(before)} -> {_label(to)}")


# --- Dates and priority -------------------------------------------------------------------------------------


def enquiry_due(*, terms: calendar.TermCalendar, opened_on: dt.date, due_in: int, due_unit: str) -> dt.date:
    """A checklist item's due date: school days through the LA's term calendar, else working days (core.calendar)."""
    if due_unit == DueUnit.SCHOOL_DAYS:
        try:
            return terms.add_school_days(opened_on, due_in)
        except ValueError:
            pass  # beyond the term dates held: fall back to working days rather than refuse the case
    return calendar.add_working_days(opened_on, due_in)


def case_priorities_refresh(*, local_authority_id: int | None = None, case_ids: list[int] | None = None,
                            on: dt.date | None = None) -> int:
    """Recompute the derived priority (cases.rules.case_priority) of open cases; returns how many changed."""
    today = on or timezone.localdate()
    cases = Case.objects.open().annotate(top_severity=active_severity())
    if local_authority_id is not None:
        cases = cases.filter(local_authority_id=local_authority_id)
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    changed = []
    for case in cases.only("pk", "priority", "opened_on"):
        priority = rules.case_priority(
            max_severity=case.top_severity or 0,  # type: ignore[attr-defined]
            working_days_open=max(0, calendar.working_days_between(case.opened_on, today)),
        )
        if priority != case.priority:
            case.priority = priority
            changed.append(case)
    Case.objects.bulk_update(changed, ["priority"], batch_size=1000)
    return len(changed)


# --- Opening -------------------------------------------------------------------------------------------------


def enquiry_template_for(*, local_authority_id: int, case_type: str) -> EnquiryTemplate | None:
    """The LA's own checklist for the case type, or the default one (R2.5)."""
    templates = EnquiryTemplate.objects.filter(case_type=case_type).filter(
        Q(local_authority_id=local_authority_id) | Q(local_authority__isnull=True)
    )
    return templates.order_by(F("local_authority_id").asc(nulls_last=True)).first()


def _create_enquiries(*, case: Case, terms: calendar.TermCalendar) -> int:
    template = enquiry_template_for(local_authority_id=case.local_authority_id, case_type=case.case_type)
    if template is None:
        # A case never opens without the reasonable-enquiries checklist: restore the R2.5 defaults if they are
        # missing (e.g. a database loaded without the data migration's rows), then use them.
        from cme.cases.checklist import enquiry_templates_ensure

        enquiry_templates_ensure(EnquiryTemplate, EnquiryTemplateItem)
        template = enquiry_template_for(local_authority_id=case.local_authority_id, case_type=case.case_type)
    if template is None:
        return 0
    rows = [
        Enquiry(case=case, template_item=item, code=item.code, label=item.label, order=item.order,
                escalate_when_missed=item.escalate_when_missed,
                due=enquiry_due(terms=terms, opened_on=case.opened_on, due_in=item.due_in, due_unit=item.due_unit))
        for item in template.items.filter(is_active=True)
    ]
    Enquiry.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def case_open(*, actor: Auditor, user: User | None, child: Child, case_type: str = CaseType.WHEREABOUTS_UNKNOWN,
              summary: str = "", allocated_to: User | None = None, opened_at: dt.datetime | None = None,
              terms: calendar.TermCalendar | None = None) -> Case:
    """Open a CME case for a child, with the reasonable-enquiries checklist (R2.5) and its due dates.

    Refuses with CaseAlreadyOpenError if the child already has an open case (CONC-3: also enforced by a partial
    unique constraint, so two officers opening at once get one case and one clear error).
    """
    if case_type not in CaseType.values:
        raise CaseError("Choose a case type.")
    existing = Case.objects.open().filter(child=child).first()
    if existing is not None:
        raise CaseAlreadyOpenError(existing)
    if allocated_to is not None:
        _check_officer(local_authority_id=child.local_authority_id, officer=allocated_to)
    now = opened_at or timezone.now()
    case = Case(local_authority_id=child.local_authority_id, child=child, case_type=case_type, summary=summary.strip(),
                opened_at=now, opened_on=timezone.localdate(now), opened_by=user, allocated_to=allocated_to,
                last_changed_by_label=actor.label)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as error:
        raise CaseAlreadyOpenError(Case.objects.open().filter(child=child).first()) from error
    CaseStatus.objects.create(case=case, status=S.OPEN, at=now, by=user, by_label=actor.label, reason="Case opened")
    count = _create_enquiries(case=case, terms=terms or case.local_authority.term_calendar())
    actor.record(AuditEvent.Action.CREATE, case, child_id=child.pk,
                 summary=f"{case.reference} opened ({case.get_case_type_display()}), {count} enquiries")
    case_priorities_refresh(case_ids=[case.pk], on=timezone.localdate(now))
    case.refresh_from_db(fields=["priority"])
    return case


# --- Lifecycle --------------------------------------------------------------------------------------------


@transaction.atomic
def case_transition(*, actor: Auditor, user: User | None, case: Case, to: str, reason: str = "",
                    expected_version: int | None = None) -> Case:
    """Move a case one step along TRANSITIONS (not closing or re-opening: see case_close, case_reopen)."""
    _step(case=case, to=to, user=user, via="transition")
    fresh = _lock(case=case, actor=actor, expected_version=expected_version)
    _step(case=fresh, to=to, user=user, via="transition")
    _apply_status(case=fresh, to=to, actor=actor, user=user, reason=reason)
    return fresh


def _check_officer(*, local_authority_id: int, officer: User) -> None:
    if (officer.local_authority_id != local_authority_id or not officer.is_active
            or officer.role not in (Role.CME_OFFICER, Role.ATTENDANCE_MANAGER)):
        raise CaseError("Cases can be allocated only to active CME officers and attendance team managers of this LA.")


@transaction.atomic
def case_allocate(*, actor: Auditor, user: User | None, case: Case, officer: User | None,
                  expected_version: int | None = None) -> Case:
    if officer is not None:
        _check_officer(local_authority_id=case.local_authority_id, officer=officer)
    fresh = _lock(case=case, actor=actor, expected_version=expected_version)
    before = fresh.allocated_to.email if fresh.allocated_to else None
    fresh.allocated_to = officer
    fresh.save(update_fields=["allocated_to", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, fresh, child_id=fresh.child_id,
                 changes={"allocated_to": [before, officer.email if officer else None]},
                 summary=f"{fresh.reference} allocated to {officer.full_name if officer else 'nobody'}")
    return fresh


@transaction.atomic
def case_update(*, actor: Auditor, user: User | None, case: Case, expected_version: int, case_type: str,
                summary: str) -> Case:
    """Change the case type or summary (optimistic lock: a stale version is refused, nothing is overwritten)."""
    if case_type not in CaseType.values:
        raise CaseError("Choose a case type.")
    fresh = _lock(case=case, actor=actor, expected_version=expected_version)
    before = {"case_type": fresh.case_type, "summary": fresh.summary}
    fresh.case_type, fresh.summary = case_type, summary.strip()
    fresh.save(update_fields=["case_type", "summary", "updated_at"])
    actor.record(AuditEvent.Action.UPDATE, fresh, child_id=fresh.child_id,
                 changes=diff(before, {"case_type": case_type, "summary": fresh.summary}),
                 summary=f"{fresh.reference} details changed")
    return fresh


@dataclass(frozen=True)
class ClosureEvidence:
    school_where: str = ""
    school_id: int | None = None
    school_laestab: str = ""
    school_name: str = ""
    school_country: str = ""
    start_date: dt.date | None = None
    confirmed_by: str = ""
    note: str = ""


def closure_check(*, case: Case, outcome: str, evidence: ClosureEvidence, on: dt.date | None = None) -> list[str]:
    """The failed closure guards for this case and outcome (empty: it may close)."""
    return rules.closure_problems(outcome, closure_facts(case=case, evidence=evidence,
                                                         today=on or timezone.localdate()))


_CLOSURE_FIELDS = ["closure_outcome", "closure_note", "closure_school_where", "closure_school",
                   "closure_school_laestab", "closure_school_name", "closure_school_country", "closure_start_date",
                   "closure_confirmed_by", "closure_education_otherwise", "closed_at", "closed_by"]


def _closure_school(case: Case, evidence: ClosureEvidence) -> School | None:
    if evidence.school_where == SchoolWhere.IN_LA and evidence.school_id:
        return School.objects.filter(local_authority_id=case.local_authority_id, pk=evidence.school_id).first()
    if evidence.school_where == SchoolWhere.UK and evidence.school_laestab:
        return School.objects.filter(laestab=evidence.school_laestab).first()
    return None


def _record_on_child(*, actor: Auditor, case: Case, outcome: str, evidence: ClosureEvidence,
                     transfer: CaseTransfer | None, today: dt.date) -> None:
    """What the closure tells us about the child, written to their record (audited), so the derived education
    status follows: an enrolment at the school, or a residence out of the area (R2.7(a), (c), (e))."""
    source = f"CME case {case.reference} closure"
    if outcome == ClosureOutcome.ON_ROLL:
        school = case.closure_school or _closure_school(case, evidence)
        if school is not None and evidence.start_date is not None:
            covered = Enrolment.objects.filter(child_id=case.child_id, school=school, start__lte=evidence.start_date
                                               ).filter(Q(end__isnull=True) | Q(end__gte=evidence.start_date))
            if not covered.exists():
                enrolment = Enrolment.objects.create(child_id=case.child_id, school=school,
                                                     start=evidence.start_date, source=source)
                actor.record(AuditEvent.Action.CREATE, enrolment, child_id=case.child_id,
                             summary=f"on roll at {school.name} from {evidence.start_date} ({case.reference})")
        elif evidence.school_where == SchoolWhere.OVERSEAS and evidence.start_date is not None:
            residence = Residence.objects.create(child_id=case.child_id, in_area=False, start=evidence.start_date,
                                                 country=evidence.school_country.strip()[:60], source=source)
            actor.record(AuditEvent.Action.CREATE, residence, child_id=case.child_id,
                         summary=f"left England for {residence.country} ({case.reference})")
    elif outcome == ClosureOutcome.MOVED_LA and transfer is not None:
        residence = Residence.objects.create(child_id=case.child_id, in_area=False,
                                             start=transfer.confirmed_on or today,
                                             la_code=transfer.receiving_la_code, source=source)
        actor.record(AuditEvent.Action.CREATE, residence, child_id=case.child_id,
                     summary=f"moved to LA {transfer.receiving_la_code} ({case.reference})")


@transaction.atomic
def case_close(*, actor: Auditor, user: User | None, case: Case, outcome: str, evidence: ClosureEvidence,
               expected_version: int | None = None, on: dt.date | None = None) -> Case:
    """Close a case on one of the lawful outcomes (R2.7). Refuses with ClosureRefused listing every failed guard."""
    today = on or timezone.localdate()
    problems = closure_check(case=case, outcome=outcome, evidence=evidence, on=today)
    if problems:
        raise ClosureRefused(problems)
    fresh = _lock(case=case, actor=actor, expected_version=expected_version)
    _step(case=fresh, to=S.CLOSED, user=user, via="close")
    problems = closure_check(case=fresh, outcome=outcome, evidence=evidence, on=today)
    if problems:
        raise ClosureRefused(problems)
    transfer = fresh.transfers.filter(response=CaseTransfer.Response.ACCEPTED, confirmed_on__isnull=False).first()
    fresh.closure_outcome = outcome
    fresh.closure_note = evidence.note.strip()
    fresh.closed_at = timezone.now()
    fresh.closed_by = user
    fresh.closure_confirmed_by = evidence.confirmed_by.strip()[:200]
    if outcome == ClosureOutcome.ON_ROLL:
        fresh.closure_school_where = evidence.school_where
        fresh.closure_school = _closure_school(fresh, evidence)
        fresh.closure_school_laestab = evidence.school_laestab.strip()
        fresh.closure_school_name = evidence.school_name.strip() or (
            fresh.closure_school.name if fresh.closure_school else "")
        fresh.closure_school_country = evidence.school_country.strip()
        fresh.closure_start_date = evidence.start_date
    elif outcome == ClosureOutcome.EHE_SUITABLE:
        fresh.closure_education_otherwise = _ehe_suitable_record(fresh.child_id, today)
    elif outcome == ClosureOutcome.MOVED_LA and transfer is not None:
        fresh.closure_confirmed_by = fresh.closure_confirmed_by or transfer.confirmed_by
    _apply_status(case=fresh, to=S.CLOSED, actor=actor, user=user,
                  reason=f"Closed: {ClosureOutcome(outcome).label}. {fresh.closure_note}".strip(),
                  also_save=_CLOSURE_FIELDS)
    _record_on_child(actor=actor, case=fresh, outcome=outcome, evidence=evidence, transfer=transfer, today=today)
    return fresh


def _ehe_suitable_record(child_id: int, today: dt.date) -> EducationOtherwise | None:
    return (
        EducationOtherwise.objects.filter(child_id=child_id, kind=EducationOtherwise.Kind.EHE,
                                          suitability=EducationOtherwise.Suitability.SUITABLE, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today)).order_by("-start").first()
    )


@transaction.atomic
def case_reopen(*, actor: Auditor, user: User | None, case: Case, reason: str,
                expected_version: int | None = None) -> Case:
    """Re-open a closed case (back to enquiries), with a reason. The closure is kept in the status history."""
    if not reason.strip():
        raise TransitionRefused("Give the reason for re-opening the case.")
    _step(case=case, to=S.ENQUIRIES, user=user, via="reopen")
    other = Case.objects.open().filter(child_id=case.child_id).exclude(pk=case.pk).first()
    if other is not None:
        raise CaseAlreadyOpenError(other)
    fresh = _lock(case=case, actor=actor, expected_version=expected_version)
    _step(case=fresh, to=S.ENQUIRIES, user=user, via="reopen")
    before = {"closure_outcome": fresh.closure_outcome}
    for name in _CLOSURE_FIELDS:
        field = Case._meta.get_field(name)
        setattr(fresh, field.attname, None if field.null else "")  # type: ignore[union-attr]
    try:
        with transaction.atomic():
            _apply_status(case=fresh, to=S.ENQUIRIES, actor=actor, user=user, reason=f"Re-opened: {reason.strip()}",
                          also_save=_CLOSURE_FIELDS)
    except IntegrityError as error:
        raise CaseAlreadyOpenError(Case.objects.open().filter(child_id=case.child_id).first()) from error
    actor.record(AuditEvent.Action.UPDATE, fresh, child_id=fresh.child_id, reason=reason,
                 changes=diff(before, {"closure_outcome": ""}), summary=f"{fresh.reference} re-opened")
    return fresh


@transaction.atomic
def case_panel_review_record(*, actor: Auditor, case: Case, decided_on: dt.date, outcome_label: str,
                             summary: str = "") -> Case:
    """The multi-agency panel reviewed the case (called by panels.services when a decision is recorded)."""
    Case.objects.filter(pk=case.pk).update(panel_reviewed_on=decided_on, panel_outcome=outcome_label[:200])
    case.panel_reviewed_on, case.panel_outcome = decided_on, outcome_label[:200]
    text = f"Multi-agency panel, {decided_on.day} {decided_on:%B %Y}: {outcome_label}." + (
        f" {summary.strip()}" if summary.strip() else "")
    Note.objects.create(case=case, text=text, author=actor.actor, author_label=actor.label, created_at=timezone.now())
    actor.record(AuditEvent.Action.UPDATE, case, child_id=case.child_id, summary=f"{case.reference} panel decision",
                 changes={"panel_outcome": [None, outcome_label[:200]]})
    return case


# --- Reasonable enquiries -----------------------------------------------------------------------------------


@transaction.atomic
def enquiry_record(*, actor: Auditor, user: User | None, enquiry: Enquiry, done_on: dt.date, method: str,
                   person: str, outcome: str, attachment: Document | None = None) -> Enquiry:
    """Evidence for one check (R2.5: date, method, person, outcome, and an attachment if there is one)."""
    if done_on > timezone.localdate():
        raise CaseError("The date the enquiry was made must be today or in the past.")
    if method not in ContactMethod.values:
        raise CaseError("Choose how the enquiry was made.")
    if not outcome.strip():
        raise CaseError("Say what the enquiry found.")
    if attachment is not None and attachment.case_id != enquiry.case_id:
        raise CaseError("The attachment must be a document on this case.")
    before = {"done_on": enquiry.done_on, "outcome": enquiry.outcome, "not_applicable": enquiry.not_applicable}
    enquiry.done_on, enquiry.method, enquiry.person = done_on, method, person.strip()
    enquiry.outcome, enquiry.attachment = outcome.strip(), attachment
    enquiry.not_applicable, enquiry.not_applicable_reason = False, ""
    enquiry.recorded_by, enquiry.recorded_at = user, timezone.now()
    enquiry.save()
    actor.record(AuditEvent.Action.UPDATE, enquiry, child_id=enquiry.case.child_id,
                 changes=diff(before, {"done_on": done_on, "outcome": enquiry.outcome, "not_applicable": False}),
                 summary=f"enquiry done: {enquiry.label}")
    return enquiry


@transaction.atomic
def enquiry_not_applicable(*, actor: Auditor, user: User | None, enquiry: Enquiry, reason: str) -> Enquiry:
    """A check that does not apply to this child, with the reason (required for a not-located closure)."""
    if not reason.strip():
        raise CaseError("Give the reason this enquiry does not apply.")
    enquiry.not_applicable, enquiry.not_applicable_reason = True, reason.strip()
    enquiry.done_on, enquiry.method, enquiry.person, enquiry.outcome, enquiry.attachment = None, "", "", "", None
    enquiry.recorded_by, enquiry.recorded_at = user, timezone.now()
    enquiry.save()
    actor.record(AuditEvent.Action.UPDATE, enquiry, child_id=enquiry.case.child_id, reason=reason,
                 summary=f"enquiry not applicable: {enquiry.label}")
    return enquiry


# --- Tasks -----------------------------------------------------------------------------------------------------


@transaction.atomic
def task_create(*, actor: Auditor, local_authority_id: int, title: str, due: dt.date, case: Case | None = None,
                assignee: User | None = None, detail: str = "", source: str = Task.Source.MANUAL,
                for_managers: bool = False, escalation_key: str | None = None) -> Task:
    if not title.strip():
        raise CaseError("Say what needs doing.")
    if case is not None and case.local_authority_id != local_authority_id:
        raise CaseError("The case belongs to another local authority.")
    if assignee is not None and (assignee.local_authority_id != local_authority_id or not assignee.is_active):
        raise CaseError("Tasks can be given only to active users of this local authority.")
    task = Task.objects.create(local_authority_id=local_authority_id, case=case, title=title.strip()[:200],
                               detail=detail.strip(), due=due, assignee=assignee, source=source,
                               for_managers=for_managers, escalation_key=escalation_key,
                               created_by_label=actor.label)
    actor.record(AuditEvent.Action.CREATE, task, child_id=case.child_id if case else None,
                 local_authority_id=local_authority_id, summary=f"task: {task.title}"[:300])
    return task


@transaction.atomic
def task_complete(*, actor: Auditor, user: User | None, task: Task, note: str = "") -> Task:
    if task.done_at is not None:
        raise CaseError("This task is already done.")
    task.done_at, task.done_by, task.done_note = timezone.now(), user, note.strip()
    task.save(update_fields=["done_at", "done_by", "done_note"])
    actor.record(AuditEvent.Action.UPDATE, task, child_id=task.case.child_id if task.case_id else None,  # type: ignore[union-attr]
                 summary=f"task done: {task.title}"[:300])
    return task


# --- Chronology ------------------------------------------------------------------------------------------------


@transaction.atomic
def note_add(*, actor: Auditor, user: User | None, case: Case, text: str) -> Note:
    if not text.strip():
        raise CaseError("Enter the note.")
    note = Note.objects.create(case=case, text=text.strip(), author=user, author_label=actor.label,
                               created_at=timezone.now())
    actor.record(AuditEvent.Action.CREATE, note, child_id=case.child_id, summary=f"note on {case.reference}")
    return note


@transaction.atomic
def contact_record_add(*, actor: Auditor, user: User | None, case: Case, method: str, direction: str,
                       with_whom: str, occurred_on: dt.date, summary: str) -> ContactRecord:
    if method not in ContactMethod.values:
        raise CaseError("Choose the kind of contact.")
    if occurred_on > timezone.localdate():
        raise CaseError("The date of the contact must be today or in the past.")
    record = ContactRecord.objects.create(case=case, method=method, direction=direction, with_whom=with_whom.strip(),
                                          occurred_on=occurred_on, summary=summary.strip(), recorded_by=user,
                                          recorded_by_label=actor.label, recorded_at=timezone.now())
    actor.record(AuditEvent.Action.CREATE, record, child_id=case.child_id,
                 summary=f"{record.get_method_display()} recorded on {case.reference}")
    return record


@transaction.atomic
def document_store(*, actor: Auditor, user: User | None, local_authority_id: int, upload: UploadedFile[Any],
                   title: str, case: Case | None = None) -> Document:
    """Keep an uploaded file: its bytes must be the type its name declares (core.uploads, FILE-2), size-limited,
    stored under a random name in MEDIA_ROOT (outside the web root). Raises core.uploads.UploadRejected with the
    reason, before anything is stored."""
    max_bytes = settings.CME_MAX_UPLOAD_BYTES
    data = upload.read(max_bytes + 1)
    base_name = (getattr(upload, "name", "") or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    sniffed = sniff(data, name=base_name, allowed=DOCUMENTS, max_bytes=max_bytes)
    original = base_name[:200]
    token = secrets.token_hex(20)
    document = Document(local_authority_id=local_authority_id, case=case,
                        title=(title.strip() or original.rsplit(".", 1)[0])[:200], original_name=original,
                        content_type=sniffed.content_type, extension=sniffed.extension, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), storage_token=token, uploaded_by=user,
                        uploaded_by_label=actor.label, uploaded_at=timezone.now())
    document.file.save(token, ContentFile(data), save=False)
    document.save()
    actor.record(AuditEvent.Action.CREATE, document, child_id=case.child_id if case else None,
                 local_authority_id=local_authority_id,
                 summary=f"document uploaded ({sniffed.extension}, {len(data)} bytes)")
    return document


# --- Another LA takes over (R2.8) -----------------------------------------------------------------------------


@transaction.atomic
def case_transfer_request(*, actor: Auditor, user: User | None, case: Case, receiving_la_code: str,
                          contact: str = "", new_address: str = "", note: str = "") -> CaseTransfer:
    code = receiving_la_code.strip()
    if la_codes.la_name(code) is None:
        raise CaseError("Enter a recognised three-digit local authority number, for example 825.")
    if code == case.local_authority.code:
        raise CaseError("The receiving local authority must be another one, not this one.")
    if not case.is_open:
        raise CaseError("The case is closed.")
    if case.transfers.filter(response=CaseTransfer.Response.AWAITING).exists():
        raise CaseError("A transfer request is already awaiting a response.")
    transfer = CaseTransfer.objects.create(case=case, receiving_la_code=code, contact=contact.strip(),
                                           new_address=new_address.strip(), note=note.strip(),
                                           requested_at=timezone.now(), requested_by=user,
                                           requested_by_label=actor.label)
    actor.record(AuditEvent.Action.CREATE, transfer, child_id=case.child_id,
                 summary=f"transfer to LA {code} ({la_codes.la_name(code)}) requested")
    return transfer


@transaction.atomic
def case_transfer_respond(*, actor: Auditor, user: User | None, transfer: CaseTransfer, response: str,
                          note: str = "", confirmed_on: dt.date | None = None, confirmed_by: str = "") -> CaseTransfer:
    """Record the receiving LA's answer. On its confirmation the case closes as 'moved to another LA' (R2.8)."""
    if transfer.response != CaseTransfer.Response.AWAITING:
        raise CaseError("This transfer request already has a response.")
    if response not in (CaseTransfer.Response.ACCEPTED, CaseTransfer.Response.DECLINED):
        raise CaseError("Choose whether the receiving local authority accepted or declined.")
    if response == CaseTransfer.Response.ACCEPTED and (confirmed_on is None or not confirmed_by.strip()):
        raise CaseError("Enter when the receiving local authority confirmed, and who confirmed it.")
    if confirmed_on is not None and confirmed_on > timezone.localdate():
        raise CaseError("The date of confirmation must be today or in the past.")
    transfer.response, transfer.response_note, transfer.responded_at = response, note.strip(), timezone.now()
    if response == CaseTransfer.Response.ACCEPTED:
        transfer.confirmed_on, transfer.confirmed_by = confirmed_on, confirmed_by.strip()[:200]
    transfer.save()
    case = transfer.case
    actor.record(AuditEvent.Action.UPDATE, transfer, child_id=case.child_id,
                 summary=f"transfer to LA {transfer.receiving_la_code}: {transfer.get_response_display()}")
    if response == CaseTransfer.Response.ACCEPTED and case.is_open and (user is None
                                                                        or has_permission(user, "case.close")):
        reason = f"LA {transfer.receiving_la_code} confirmed the child lives in its area"
        if case.status == S.OPEN:
            case = case_transition(actor=actor, user=user, case=case, to=S.ENQUIRIES, reason=reason)
        if case.status in (S.ENQUIRIES, S.NOT_LOCATED):
            case = case_transition(actor=actor, user=user, case=case, to=S.LOCATED, reason=reason)
        case_close(actor=actor, user=user, case=case, outcome=ClosureOutcome.MOVED_LA,
                   evidence=ClosureEvidence(confirmed_by=transfer.confirmed_by, note=note))
    return transfer


# --- Triage outcomes from intake (contract with notifications) ------------------------------------------------


def _check_awaiting(notification: Notification) -> None:
    if notification.status == Notification.Status.NEW:
        return
    if notification.duplicate_of_id is not None and notification.outcome == "":
        raise CaseError(f"{notification.reference} is attached to another notification: triage that one.")
    raise CaseError(f"{notification.reference} was already triaged ({notification.get_outcome_display()}).")


def _link_notification(*, actor: Auditor, case: Case, notification: Notification, opened: bool) -> None:
    CaseNotification.objects.create(case=case, notification=notification, opened_case=opened,
                                    added_by_label=actor.label)


def _child_from_notification(*, actor: Auditor, notification: Notification) -> Child:
    if not (notification.forename.strip() and notification.surname.strip() and notification.date_of_birth):
        raise CaseError("The notification does not give the child's name and date of birth. Match it to a child "
                        "first, or record those details.")
    upn = notification.upn if notification.upn and upns.is_valid(notification.upn) else ""
    sex = notification.sex if notification.sex in Child.Sex.values else Child.Sex.UNKNOWN
    try:
        child = child_create(actor=actor, local_authority_id=notification.local_authority_id,
                             source=f"notification {notification.reference}", legal_forename=notification.forename,
                             legal_surname=notification.surname, date_of_birth=notification.date_of_birth, sex=sex,
                             upn=upn, current_postcode=postcodes.normalise(notification.postcode) or "")
    except ValidationError as error:
        raise CaseError("The reported details cannot make a child record: " + " ".join(error.messages)) from error
    notification_link_child(actor=actor, notification=notification, child=child)
    return child


@transaction.atomic
def case_open_from_notification(*, actor: Auditor, user: User, notification: Notification,
                                case_type: str = CaseType.WHEREABOUTS_UNKNOWN) -> tuple[Case, bool]:
    """Triage outcome 'new case': open a case for the notification's child (creating the child from the reported
    details if there is no match yet). If the child already has an open case, the notification is attached to it
    instead (a duplicate referral is recognised, not duplicated). Returns (case, opened)."""
    _check_awaiting(notification)
    child = notification.child or _child_from_notification(actor=actor, notification=notification)
    existing = Case.objects.open().filter(child=child).first()
    if existing is None:
        summary = notification.summary or notification.get_kind_display()
        try:
            case = case_open(actor=actor, user=user, child=child, case_type=case_type,
                             summary=f"{notification.reference}: {summary}")
        except CaseAlreadyOpenError as error:
            if error.case is None:
                raise
            existing = error.case
    if existing is not None:
        _attach(actor=actor, user=user, case=existing, notification=notification)
        return existing, False
    _link_notification(actor=actor, case=case, notification=notification, opened=True)
    try:
        notification_triage(actor=actor, user=user, notification=notification, outcome=Notification.Outcome.NEW_CASE,
                            reason=f"Opened {case.reference}", allow_case_outcomes=True)
    except TriageError as error:
        raise CaseError(str(error)) from error
    return case, True


def _attach(*, actor: Auditor, user: User, case: Case, notification: Notification) -> None:
    if notification.child_id is None:
        notification_link_child(actor=actor, notification=notification, child=case.child)
    elif notification.child_id != case.child_id:
        raise CaseError("This notification is about a different child from the case's child.")
    _link_notification(actor=actor, case=case, notification=notification, opened=False)
    try:
        notification_triage(actor=actor, user=user, notification=notification,
                            outcome=Notification.Outcome.ADDED_TO_CASE, reason=f"Added to {case.reference}",
                            allow_case_outcomes=True)
    except TriageError as error:
        raise CaseError(str(error)) from error
    note_add(actor=actor, user=user, case=case,
             text=f"{notification.get_kind_display()} {notification.reference} added to this case.")


@transaction.atomic
def case_add_notification(*, actor: Auditor, user: User, case: Case, notification: Notification) -> Case:
    """Triage outcome 'add to an existing case'."""
    _check_awaiting(notification)
    if notification.local_authority_id != case.local_authority_id:
        raise CaseError("The notification and the case belong to different local authorities.")
    if not case.is_open:
        raise CaseError(f"{case.reference} is closed. Re-open it or open a new case.")
    _attach(actor=actor, user=user, case=case, notification=notification)
    return case


# --- EHE not suitable (R5.5; contract with the ehe app) --------------------------------------------------------


def _on_roll_today(child: Child) -> bool:
    today = timezone.localdate()
    return Enrolment.objects.filter(child=child, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)).exists()


@transaction.atomic
def case_open_from_ehe(*, actor: Auditor, user: User, record: Any, reason: str) -> Case:
    """R5.5: home education does not appear suitable and the child is on no roll: mark the EHE record unsuitable
    (cme.ehe.services.ehe_mark_unsuitable) and open a CME case, in one transaction."""
    try:
        from cme.ehe import services as ehe_services  # layer 7: the EHE register
    except ImportError as error:
        raise CaseError("The home education register is not available yet.") from error
    ehe_error: type[Exception] = getattr(ehe_services, "EHEError", ValueError)
    child = record.child
    if _on_roll_today(child):
        raise CaseError("The child is on a school roll, so they are not missing education: no case was opened.")
    if getattr(record, "suitability", "") != "not_suitable":  # the EHE team may have decided already
        if not reason.strip():
            raise CaseError("Give the reason the home education does not appear suitable.")
        try:
            ehe_services.ehe_mark_unsuitable(actor=actor, user=user, record=record, reason=reason)
        except ehe_error as error:
            raise CaseError(str(error)) from error
    reason = reason.strip() or getattr(record, "suitability_reason", "") or "no reason recorded"
    existing = Case.objects.open().filter(child=child).first()
    if existing is not None:
        note_add(actor=actor, user=user, case=existing,
                 text=f"Home education found not suitable: {reason.strip()}")
        return existing
    return case_open(actor=actor, user=user, child=child, case_type=CaseType.EHE_NOT_SUITABLE,
                     summary=f"Home education does not appear suitable (R5.5): {reason.strip()}")


def responsible_managers(*, local_authority_id: int) -> list[User]:
    from cme.accounts.models import User

    return list(User.objects.filter(local_authority_id=local_authority_id, role=Role.ATTENDANCE_MANAGER,
                                    is_active=True).order_by("full_name"))
