"""The agenda builder (configurable criteria), decisions and their actions, and panel members' access grants."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.cases import services as case_services
from cme.cases.models import Case, CaseStatusChoice, ClosureOutcome, Task
from cme.cases.tests.factories import complete_checklist, move, open_case
from cme.children.models import Child, ChildAccessGrant
from cme.children.tests.factories import ChildFactory, RiskFlagFactory
from cme.panels import services
from cme.panels.models import Decision
from cme.panels.selectors import agenda_candidates
from cme.panels.tests.factories import meeting

S = CaseStatusChoice


def test_the_agenda_is_built_from_the_criteria_with_reasons(officer: User) -> None:
    panel = meeting(user=officer)
    actor = Auditor.for_user(officer)
    old = open_case(user=officer, opened_at=timezone.now() - dt.timedelta(days=70))
    complete_checklist(old, officer)
    not_located = move(open_case(user=officer), officer, S.ENQUIRIES, S.NOT_LOCATED)
    complete_checklist(not_located, officer)
    risky = open_case(user=officer)
    complete_checklist(risky, officer)
    RiskFlagFactory(child=risky.child)  # looked after: high severity
    late = open_case(user=officer, opened_at=timezone.now() - dt.timedelta(days=20))  # checklist overdue
    quiet = open_case(user=officer)
    complete_checklist(quiet, officer)
    added = services.panel_agenda_build(actor=actor, meeting=panel)
    reasons = {item.case_id: item.reasons for item in panel.items.all()}
    assert added == 4 and quiet.pk not in reasons
    assert "Open more than 6 weeks" in reasons[old.pk]
    assert "Not located" in reasons[not_located.pk]
    assert "High risk" in reasons[risky.pk]
    assert "Missed timescale" in reasons[late.pk]
    assert services.panel_agenda_build(actor=actor, meeting=panel) == 0


def test_the_criteria_are_configurable(officer: User) -> None:
    panel = meeting(user=officer)
    risky = open_case(user=officer)
    complete_checklist(risky, officer)
    RiskFlagFactory(child=risky.child)
    settings_obj = services.panel_settings_for(local_authority=officer.local_authority)
    services.panel_settings_update(actor=Auditor.for_user(officer), settings_obj=settings_obj, min_risk_severity=None)
    assert agenda_candidates(meeting=panel) == []


def test_closed_cases_never_go_on_the_agenda(officer: User, school) -> None:  # type: ignore[no-untyped-def]
    case = move(open_case(user=officer, opened_at=timezone.now() - dt.timedelta(days=90)), officer, S.ENQUIRIES,
                S.LOCATED)
    case_services.case_close(actor=Auditor.for_user(officer), user=officer, case=case, outcome=ClosureOutcome.ON_ROLL,
                             evidence=case_services.ClosureEvidence(school_where="in_la", school_id=school.pk,
                                                                    start_date=timezone.localdate(),
                                                                    confirmed_by="School"))
    assert agenda_candidates(meeting=meeting(user=officer)) == []


def test_a_decision_records_the_panel_review_and_turns_actions_into_tasks(officer: User, manager: User) -> None:
    panel = meeting(user=officer)
    case = move(open_case(user=officer), officer, S.ENQUIRIES, S.NOT_LOCATED)
    item = services.panel_item_add(actor=Auditor.for_user(officer), meeting=panel, case=case)
    decision = services.panel_decision_record(
        actor=Auditor.for_user(manager), user=manager, item=item, outcome=Decision.Outcome.CLOSE_NOT_LOCATED,
        text="Agreed: all reasonable enquiries made.",
        actions=[services.ActionInput(title="Upload the lost-pupil CTF", due=panel.held_on, assignee=officer)])
    task = Task.objects.get(case=case)
    assert task.source == Task.Source.PANEL and task.assignee == officer and task.panel_action.decision == decision
    case.refresh_from_db()
    assert case.panel_reviewed_on == panel.held_on and case.panel_outcome == "Agree to close as not located"
    problems = case_services.closure_check(case=case, outcome="not_located", evidence=case_services.ClosureEvidence())
    assert "The case has not been reviewed at the multi-agency panel." not in problems


def test_a_decision_needs_an_outcome_and_text(officer: User) -> None:
    item = services.panel_item_add(actor=Auditor.for_user(officer), meeting=meeting(user=officer),
                                   case=open_case(user=officer))
    with pytest.raises(services.PanelError):
        services.panel_decision_record(actor=Auditor.for_user(officer), user=officer, item=item, outcome="x", text="y")
    with pytest.raises(services.PanelError):
        services.panel_decision_record(actor=Auditor.for_user(officer), user=officer, item=item,
                                       outcome="continue_enquiries", text=" ")


def granted(user: User) -> set[int]:
    return set(Child.objects.for_user(user).values_list("pk", flat=True))


def test_panel_members_are_granted_the_agenda_children_until_after_the_meeting(officer: User,
                                                                                panel_member: User) -> None:
    panel = meeting(user=officer)
    actor = Auditor.for_user(officer)
    on_agenda = open_case(user=officer)
    elsewhere = open_case(user=officer)
    services.panel_item_add(actor=actor, meeting=panel, case=on_agenda)
    assert granted(panel_member) == set()  # not invited yet
    services.panel_attendee_add(actor=actor, meeting=panel, user=panel_member)
    assert granted(panel_member) == {on_agenda.child_id}
    assert set(Case.objects.for_user(panel_member).values_list("pk", flat=True)) == {on_agenda.pk}
    later = services.panel_item_add(actor=actor, meeting=panel, case=elsewhere)
    assert granted(panel_member) == {on_agenda.child_id, elsewhere.child_id}
    services.panel_item_remove(actor=actor, item=later)
    assert granted(panel_member) == {on_agenda.child_id}
    grant = ChildAccessGrant.objects.get(user=panel_member, revoked_at__isnull=True)
    assert grant.expires_at > timezone.make_aware(dt.datetime.combine(panel.held_on, dt.time(23, 0)))
    with time_machine.travel(grant.expires_at + dt.timedelta(seconds=1)):
        assert granted(panel_member) == set()


def test_removing_an_attendee_revokes_their_access(officer: User, panel_member: User) -> None:
    panel = meeting(user=officer)
    actor = Auditor.for_user(officer)
    services.panel_item_add(actor=actor, meeting=panel, case=open_case(user=officer))
    attendee = services.panel_attendee_add(actor=actor, meeting=panel, user=panel_member)
    services.panel_attendee_remove(actor=actor, attendee=attendee)
    assert granted(panel_member) == set()


def test_casework_attendees_and_outsiders_get_no_grants(officer: User, manager: User) -> None:
    panel = meeting(user=officer)
    actor = Auditor.for_user(officer)
    services.panel_item_add(actor=actor, meeting=panel, case=open_case(user=officer))
    services.panel_attendee_add(actor=actor, meeting=panel, user=manager)
    services.panel_attendee_add(actor=actor, meeting=panel, name="DS Kaur", agency="Police")
    assert not ChildAccessGrant.objects.exists()


def test_only_users_of_the_la_can_be_invited(officer: User, outsider: User) -> None:
    with pytest.raises(services.PanelError, match="this local authority"):
        services.panel_attendee_add(actor=Auditor.for_user(officer), meeting=meeting(user=officer), user=outsider)


def test_a_case_with_a_decision_stays_on_the_agenda(officer: User) -> None:
    item = services.panel_item_add(actor=Auditor.for_user(officer), meeting=meeting(user=officer),
                                   case=open_case(user=officer))
    services.panel_decision_record(actor=Auditor.for_user(officer), user=officer, item=item,
                                   outcome="continue_enquiries", text="Keep going")
    with pytest.raises(services.PanelError, match="stays on the agenda"):
        services.panel_item_remove(actor=Auditor.for_user(officer), item=item)


def test_another_las_case_cannot_join_the_agenda(officer: User, outsider: User) -> None:
    with pytest.raises(services.PanelError, match="another local authority"):
        services.panel_item_add(actor=Auditor.for_user(officer), meeting=meeting(user=officer),
                                case=open_case(user=outsider,
                                               child=ChildFactory(local_authority=outsider.local_authority)))
