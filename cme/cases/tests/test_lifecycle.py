"""The case lifecycle (rules.md §2): every transition in the one table, allowed and refused; re-opening; the
append-only status history; the optimistic lock; one open case per child (CONC-3)."""

from __future__ import annotations

import itertools

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.models import Case, CaseStatusChoice, ClosureOutcome, Enquiry, SchoolWhere
from cme.cases.tests.factories import move, open_case
from cme.children.models import School

S = CaseStatusChoice
STATUSES = [s.value for s in S]


def case_in(status: str, user: User, school: School) -> Case:
    case = open_case(user=user)
    path = {"open": [], "enquiries": [S.ENQUIRIES], "located": [S.ENQUIRIES, S.LOCATED],
            "not_located": [S.ENQUIRIES, S.NOT_LOCATED], "closed": [S.ENQUIRIES, S.LOCATED]}[status]
    case = move(case, user, *path)
    if status == "closed":
        case = services.case_close(
            actor=Auditor.for_user(user), user=user, case=case, outcome=ClosureOutcome.ON_ROLL,
            evidence=services.ClosureEvidence(school_where=SchoolWhere.IN_LA, school_id=school.pk,
                                              start_date=timezone.localdate(), confirmed_by="School office"))
    assert case.status == status
    return case


PAIRS = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if a != b]


@pytest.mark.parametrize(("frm", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_is_allowed_or_refused_by_the_one_table(manager: User, school: School, frm: str,
                                                                  to: str) -> None:
    case = case_in(frm, manager, school)
    rows = case.status_history.count()
    step = services.TRANSITIONS.get((frm, to))
    if step is not None and step.via == "transition":
        moved = services.case_transition(actor=Auditor.for_user(manager), user=manager, case=case, to=to,
                                         reason="test")
        assert moved.status == to
        assert case.status_history.count() == rows + 1
        assert case.status_history.last().status == to
        return
    with pytest.raises(services.TransitionRefused) as error:
        services.case_transition(actor=Auditor.for_user(manager), user=manager, case=case, to=to)
    if step is None:
        assert "cannot go from" in str(error.value)
    elif step.via == "close":
        assert "closure form" in str(error.value)
    else:
        assert "Re-open" in str(error.value)
    case.refresh_from_db()
    assert case.status == frm
    assert case.status_history.count() == rows


def test_opening_a_case_writes_the_first_status_row_the_checklist_and_an_audit_event(officer: User) -> None:
    case = open_case(user=officer, summary="Deleted under ground I")
    assert case.status == S.OPEN
    assert [r.status for r in case.status_history.all()] == ["open"]
    assert case.enquiries.count() == 13  # R2.5 default checklist for "whereabouts not known"
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action="create").exists()


def test_home_visit_is_due_within_five_school_days_and_others_in_working_days(officer: User) -> None:
    case = open_case(user=officer)
    terms = case.local_authority.term_calendar()
    visit = case.enquiries.get(code="home_visit")
    police = case.enquiries.get(code="police")
    expected_visit = services.enquiry_due(terms=terms, opened_on=case.opened_on, due_in=5, due_unit="school_days")
    assert visit.due == expected_visit
    from cme.core import calendar

    assert police.due == calendar.add_working_days(case.opened_on, 10)


def test_a_role_without_the_action_cannot_move_a_case(officer: User, ehe_officer: User) -> None:
    case = open_case(user=officer)
    with pytest.raises(services.TransitionRefused, match="Your role cannot"):
        services.case_transition(actor=Auditor.for_user(ehe_officer), user=ehe_officer, case=case, to=S.ENQUIRIES)


def test_only_a_manager_may_reopen(officer: User, manager: User, school: School) -> None:
    case = case_in("closed", manager, school)
    with pytest.raises(services.TransitionRefused, match="Your role cannot"):
        services.case_reopen(actor=Auditor.for_user(officer), user=officer, case=case, reason="New address")
    reopened = services.case_reopen(actor=Auditor.for_user(manager), user=manager, case=case, reason="New address")
    assert reopened.status == S.ENQUIRIES
    assert reopened.closure_outcome == "" and reopened.closed_at is None
    history = [(r.status, r.reason) for r in reopened.status_history.all()]
    assert history[-2][0] == "closed" and history[-2][1].startswith("Closed: On roll")
    assert history[-1] == ("enquiries", "Re-opened: New address")


@pytest.mark.parametrize("frm", ["open", "enquiries", "located", "not_located"])
def test_only_a_closed_case_can_be_reopened(manager: User, school: School, frm: str) -> None:
    case = case_in(frm, manager, school)
    with pytest.raises(services.TransitionRefused):
        services.case_reopen(actor=Auditor.for_user(manager), user=manager, case=case, reason="why")


def test_reopening_needs_a_reason(manager: User, school: School) -> None:
    case = case_in("closed", manager, school)
    with pytest.raises(services.TransitionRefused, match="reason"):
        services.case_reopen(actor=Auditor.for_user(manager), user=manager, case=case, reason=" ")


def test_reopening_is_refused_while_the_child_has_another_open_case(manager: User, school: School) -> None:
    closed = case_in("closed", manager, school)
    other = open_case(user=manager, child=closed.child)
    with pytest.raises(services.CaseAlreadyOpenError) as error:
        services.case_reopen(actor=Auditor.for_user(manager), user=manager, case=closed, reason="again")
    assert other.reference in str(error.value)


def test_status_history_is_append_only(officer: User) -> None:
    row = open_case(user=officer).status_history.get()
    row.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        row.save()


def test_one_open_case_per_child_clean_error_and_database_constraint(officer: User) -> None:
    case = open_case(user=officer)
    with pytest.raises(services.CaseAlreadyOpenError, match=case.reference):
        open_case(user=officer, child=case.child)
    with pytest.raises(IntegrityError), transaction.atomic():  # CONC-3: even bypassing the service
        Case.objects.create(local_authority=case.local_authority, child=case.child, opened_at=timezone.now(),
                            opened_on=timezone.localdate())


def test_a_stale_version_is_refused_naming_who_changed_it_and_nothing_is_overwritten(officer: User,
                                                                                     manager: User) -> None:
    case = open_case(user=officer)
    seen = case.version
    services.case_transition(actor=Auditor.for_user(manager), user=manager, case=case, to=S.ENQUIRIES,
                             expected_version=seen)
    with pytest.raises(services.CaseChangedError) as error:
        services.case_update(actor=Auditor.for_user(officer), user=officer, case=case, expected_version=seen,
                             case_type="not_on_roll", summary="mine")
    assert "manager@example.org changed this case at" in str(error.value)
    case.refresh_from_db()
    assert case.case_type == "whereabouts_unknown" and case.summary == ""
    assert case.status == S.ENQUIRIES


def test_allocation_and_priority(officer: User, manager: User) -> None:
    from cme.children.tests.factories import RiskFlagFactory

    case = open_case(user=officer)
    assert case.priority == 1
    RiskFlagFactory(child=case.child, ended_on=None)  # looked after: high severity
    services.case_priorities_refresh(case_ids=[case.pk])
    case.refresh_from_db()
    assert case.priority == 3
    case = services.case_allocate(actor=Auditor.for_user(manager), user=manager, case=case, officer=officer,
                                  expected_version=case.version)
    assert case.allocated_to == officer


def test_cases_are_allocated_only_to_officers_of_the_la(officer: User, manager: User, outsider: User,
                                                        panel_member: User) -> None:
    case = open_case(user=officer)
    for wrong in (outsider, panel_member):
        with pytest.raises(services.CaseError, match="only to active CME officers"):
            services.case_allocate(actor=Auditor.for_user(manager), user=manager, case=case, officer=wrong)


def test_enquiry_evidence_and_not_applicable(officer: User) -> None:
    case = open_case(user=officer)
    visit = case.enquiries.get(code="home_visit")
    actor = Auditor.for_user(officer)
    with pytest.raises(services.CaseError, match="found"):
        services.enquiry_record(actor=actor, user=officer, enquiry=visit, done_on=timezone.localdate(),
                                method="visit", person="Neighbour", outcome=" ")
    services.enquiry_record(actor=actor, user=officer, enquiry=visit, done_on=timezone.localdate(), method="visit",
                            person="Neighbour at no. 14", outcome="Family moved out a month ago")
    visit.refresh_from_db()
    assert visit.is_complete and visit.recorded_by == officer
    police = case.enquiries.get(code="police")
    with pytest.raises(services.CaseError, match="reason"):
        services.enquiry_not_applicable(actor=actor, user=officer, enquiry=police, reason="")
    services.enquiry_not_applicable(actor=actor, user=officer, enquiry=police, reason="No safety concern")
    assert Enquiry.objects.get(pk=police.pk).is_complete


def test_a_case_opens_with_the_default_checklist_even_if_its_rows_were_removed(officer) -> None:  # type: ignore[no-untyped-def]
    """R2.5: the reasonable-enquiries checklist is never missing (defaults are restored if deleted)."""
    from cme.audit.services import Auditor
    from cme.cases.models import EnquiryTemplate
    from cme.cases.services import case_open
    from cme.children.tests.factories import ChildFactory

    EnquiryTemplate.objects.all().delete()
    child = ChildFactory(local_authority=officer.local_authority)
    case = case_open(actor=Auditor.for_user(officer), user=officer, child=child)
    assert case.enquiries.count() > 5
