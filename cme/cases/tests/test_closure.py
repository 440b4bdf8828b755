"""Closing a case on each lawful outcome (R2.7) through the service, and every guard refusing it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases import services
from cme.cases.models import CaseStatusChoice, CaseTransfer, ClosureOutcome, SchoolWhere
from cme.cases.tests.factories import complete_checklist, lost_pupil_ready, move, open_case
from cme.children.models import EducationOtherwise, Enrolment, Residence, School
from cme.children.selectors import child_detail, child_status
from cme.children.status import EducationStatus
from cme.children.tests.factories import SchoolFactory

S = CaseStatusChoice
Evidence = services.ClosureEvidence


def close(case, user, outcome, **evidence):  # type: ignore[no-untyped-def]
    return services.case_close(actor=Auditor.for_user(user), user=user, case=case, outcome=outcome,
                               evidence=Evidence(**evidence))


def located_case(user: User):  # type: ignore[no-untyped-def]
    return move(open_case(user=user), user, S.ENQUIRIES, S.LOCATED)


def test_on_roll_at_an_la_school_records_the_enrolment_so_the_status_follows(officer: User, school: School) -> None:
    case = located_case(officer)
    start = timezone.localdate() - dt.timedelta(days=2)
    closed = close(case, officer, ClosureOutcome.ON_ROLL, school_where=SchoolWhere.IN_LA, school_id=school.pk,
                   start_date=start, confirmed_by="School admissions")
    assert closed.status == S.CLOSED and closed.closure_school == school and closed.closure_start_date == start
    assert Enrolment.objects.filter(child=case.child, school=school, start=start).exists()
    assert child_status(child_detail(user=officer, pk=case.child_id)) == EducationStatus.ON_ROLL


def test_on_roll_elsewhere_in_the_uk_by_laestab_or_name(officer: User, other_la) -> None:  # type: ignore[no-untyped-def]
    known = SchoolFactory(local_authority=other_la, laestab="8254001", name="Otherton High")
    case = located_case(officer)
    closed = close(case, officer, ClosureOutcome.ON_ROLL, school_where=SchoolWhere.UK, school_laestab="8254001",
                   start_date=timezone.localdate(), confirmed_by="Otherton admissions")
    assert closed.closure_school == known and closed.closure_school_name == "Otherton High"
    by_name = located_case(officer)
    closed = close(by_name, officer, ClosureOutcome.ON_ROLL, school_where=SchoolWhere.UK,
                   school_name="St Mary's, Cardiff", start_date=timezone.localdate(), confirmed_by="Parent's email")
    assert closed.closure_school is None and closed.closure_school_name == "St Mary's, Cardiff"
    assert not Enrolment.objects.filter(child=by_name.child).exists()


def test_on_roll_overseas_records_that_the_child_left_england(officer: User) -> None:
    case = located_case(officer)
    close(case, officer, ClosureOutcome.ON_ROLL, school_where=SchoolWhere.OVERSEAS, school_country="Poland",
          school_name="Szkoła Podstawowa nr 5", start_date=timezone.localdate(), confirmed_by="Headteacher by email")
    residence = Residence.objects.get(child=case.child, in_area=False)
    assert residence.country == "Poland"
    assert child_status(child_detail(user=officer, pk=case.child_id)) == EducationStatus.LEFT_AREA


def test_ehe_closure_needs_the_ehe_teams_suitable_finding(officer: User) -> None:
    case = located_case(officer)
    with pytest.raises(services.ClosureRefused) as refused:
        close(case, officer, ClosureOutcome.EHE_SUITABLE, confirmed_by="EHE adviser")
    assert refused.value.problems == [
        "The EHE team has not confirmed that the child's home education appears suitable (R5.2)."]
    record = EducationOtherwise.objects.create(child=case.child, kind="ehe", start=timezone.localdate(),
                                               suitability="suitable")
    closed = close(case, officer, ClosureOutcome.EHE_SUITABLE, confirmed_by="EHE adviser")
    assert closed.closure_education_otherwise == record


def test_not_located_closure_lists_every_failed_guard_then_passes(officer: User) -> None:
    case = move(open_case(user=officer), officer, S.ENQUIRIES, S.NOT_LOCATED)
    with pytest.raises(services.ClosureRefused) as refused:
        close(case, officer, ClosureOutcome.NOT_LOCATED)
    problems = refused.value.problems
    assert len([p for p in problems if p.startswith("Enquiry not done")]) == 13
    assert "The case has not been reviewed at the multi-agency panel." in problems
    assert "Generate the child's lost-pupil CTF (destination XXXXXXX)." in problems
    case.refresh_from_db()
    assert case.status == S.NOT_LOCATED and case.closed_at is None
    lost_pupil_ready(case, officer)
    closed = close(case, officer, ClosureOutcome.NOT_LOCATED, note="All enquiries exhausted")
    assert closed.status == S.CLOSED and closed.closure_outcome == "not_located"


def test_not_located_closure_with_checks_justified_but_ctf_not_uploaded(officer: User) -> None:
    case = move(open_case(user=officer), officer, S.ENQUIRIES, S.NOT_LOCATED)
    complete_checklist(case, officer, not_applicable=3)
    services.case_panel_review_record(actor=Auditor.for_user(officer), case=case, decided_on=timezone.localdate(),
                                      outcome_label="Agree to close")
    from cme.cases.ctf import ctf_lost_pupil_generate

    ctf_lost_pupil_generate(actor=Auditor.for_user(officer), user=officer, case=case)
    with pytest.raises(services.ClosureRefused) as refused:
        close(case, officer, ClosureOutcome.NOT_LOCATED)
    assert refused.value.problems == ["Record the date the lost-pupil CTF was uploaded to S2S."]


def test_moved_to_another_la_closes_on_the_receiving_las_confirmation(officer: User) -> None:
    case = move(open_case(user=officer), officer, S.ENQUIRIES)
    located = move(case, officer, S.LOCATED)
    with pytest.raises(services.ClosureRefused):
        close(located, officer, ClosureOutcome.MOVED_LA)
    case = move(located, officer, S.ENQUIRIES)
    actor = Auditor.for_user(officer)
    transfer = services.case_transfer_request(actor=actor, user=officer, case=case, receiving_la_code="825",
                                              contact="cme@otherton.example.org")
    with pytest.raises(services.CaseError, match="already awaiting"):
        services.case_transfer_request(actor=actor, user=officer, case=case, receiving_la_code="825")
    services.case_transfer_respond(actor=actor, user=officer, transfer=transfer,
                                   response=CaseTransfer.Response.ACCEPTED, confirmed_on=timezone.localdate(),
                                   confirmed_by="J Smith, Otherton CME officer")
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.closure_outcome == "moved_la"
    assert case.closure_confirmed_by == "J Smith, Otherton CME officer"
    assert Residence.objects.filter(child=case.child, in_area=False, la_code="825").exists()


def test_a_declined_transfer_leaves_the_case_open(officer: User) -> None:
    case = move(open_case(user=officer), officer, S.ENQUIRIES)
    actor = Auditor.for_user(officer)
    transfer = services.case_transfer_request(actor=actor, user=officer, case=case, receiving_la_code="825")
    services.case_transfer_respond(actor=actor, user=officer, transfer=transfer,
                                   response=CaseTransfer.Response.DECLINED, note="Not known to us")
    case.refresh_from_db()
    assert case.status == S.ENQUIRIES


@pytest.mark.parametrize(("code", "message"), [("999x", "recognised"), ("931", "another one")])
def test_a_transfer_needs_another_real_la(officer: User, code: str, message: str) -> None:
    case = open_case(user=officer)
    with pytest.raises(services.CaseError, match=message):
        services.case_transfer_request(actor=Auditor.for_user(officer), user=officer, case=case,
                                       receiving_la_code=code)


def test_an_officer_without_case_close_cannot_close(ehe_officer: User, officer: User, school: School) -> None:
    case = located_case(officer)
    with pytest.raises(services.TransitionRefused, match="Your role cannot"):
        close(case, ehe_officer, ClosureOutcome.ON_ROLL, school_where=SchoolWhere.IN_LA, school_id=school.pk,
              start_date=timezone.localdate(), confirmed_by="x")


def test_a_school_of_another_la_is_not_an_la_school(officer: User, other_la) -> None:  # type: ignore[no-untyped-def]
    elsewhere = SchoolFactory(local_authority=other_la, laestab="8254002")
    case = located_case(officer)
    with pytest.raises(services.ClosureRefused) as refused:
        close(case, officer, ClosureOutcome.ON_ROLL, school_where=SchoolWhere.IN_LA, school_id=elsewhere.pk,
              start_date=timezone.localdate(), confirmed_by="x")
    assert refused.value.problems == ["Choose the school in this local authority the child is on roll at."]
