"""DP-6, UK GDPR Art 18 restriction of processing: the services (record with a ground (1)(a)-(d), lift with a reason
after the data subject was told (18(3)), history kept, audited), the scoping (hidden from every role but the DPO),
the retention purge (a restricted record is stored, not destroyed) and the DPO's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.models import Case, Task
from cme.cases.tests.factories import open_case
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.privacy.models import ProcessingRestriction
from cme.privacy.services import (
    LIFTED_SUMMARY,
    RESTRICTED_SUMMARY,
    RestrictionError,
    processing_restriction_lift,
    processing_restriction_place,
    retention_purge,
)

GROUND = ProcessingRestriction.Ground.ACCURACY_CONTESTED
TODAY = dt.date(2026, 11, 20)


def restrict(dpo: User, child: Child, ground: str = GROUND) -> ProcessingRestriction:
    return processing_restriction_place(actor=Auditor.for_user(dpo), user=dpo, child=child, ground=ground,
                                        requested_by="The child's mother", requested_on=timezone.localdate(),
                                        detail="Says the date of birth is wrong")


def lift(dpo: User, restriction: ProcessingRestriction, told_on: dt.date | None = None) -> ProcessingRestriction:
    return processing_restriction_lift(actor=Auditor.for_user(dpo), user=dpo, restriction=restriction,
                                       reason="Date of birth checked against the birth certificate",
                                       subject_told_on=told_on or timezone.localdate(),
                                       subject_told_how="Letter to the mother")


# --- services -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ground", ProcessingRestriction.Ground.values)
def test_art18_1_each_ground_restricts_the_child_and_is_audited(la: LocalAuthority, dpo: User, ground: str) -> None:
    child = ChildFactory(local_authority=la)
    restriction = restrict(dpo, child, ground)
    assert restriction.in_force and restriction.local_authority_id == la.pk
    assert Child.objects.get(pk=child.pk).processing_restricted
    event = AuditEvent.objects.get(summary=RESTRICTED_SUMMARY, child_id=child.pk)
    assert event.action == AuditEvent.Action.CREATE and event.actor == dpo and "Art 18(1)" in event.reason


def test_art18_a_second_restriction_in_force_is_refused(la: LocalAuthority, dpo: User) -> None:
    child = ChildFactory(local_authority=la)
    restrict(dpo, child)
    with pytest.raises(RestrictionError, match="already restricted"):
        restrict(dpo, child)
    with pytest.raises(RestrictionError, match="ground"):
        processing_restriction_place(actor=Auditor.for_user(dpo), user=dpo, child=ChildFactory(local_authority=la),
                                     ground="because", requested_by="x", requested_on=timezone.localdate())


def test_art18_3_lifting_needs_the_subject_told_first_and_keeps_the_history(la: LocalAuthority, dpo: User) -> None:
    child = ChildFactory(local_authority=la)
    first = restrict(dpo, child)
    with pytest.raises(RestrictionError, match="18\\(3\\)"):
        lift(dpo, first, told_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(RestrictionError, match="on or after"):
        lift(dpo, first, told_on=timezone.localdate() - dt.timedelta(days=30))
    assert Child.objects.get(pk=child.pk).processing_restricted  # refused: still restricted
    lifted = lift(dpo, first)
    assert not lifted.in_force and lifted.lifted_by == dpo and lifted.subject_told_how == "Letter to the mother"
    assert not Child.objects.get(pk=child.pk).processing_restricted
    with pytest.raises(RestrictionError, match="already been lifted"):
        lift(dpo, first)
    event = AuditEvent.objects.get(summary=LIFTED_SUMMARY, child_id=child.pk)
    assert "data subject told on" in event.reason and event.actor == dpo
    restrict(dpo, child, ProcessingRestriction.Ground.OBJECTION_PENDING)  # may be restricted again
    assert ProcessingRestriction.objects.filter(child=child).count() == 2  # history kept


# --- scope: hidden from every role but the DPO -----------------------------------------------------------------

def test_art18_restricted_child_and_its_case_are_hidden_from_casework_but_not_the_dpo(
        la: LocalAuthority, dpo: User, officer: User, manager: User) -> None:
    child, other = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    case = open_case(user=officer, child=child)
    open_case(user=officer, child=other)
    tasks_before = Task.objects.for_user(officer).filter(case=case).count()
    restrict(dpo, child)
    for user in (officer, manager):
        assert not Child.objects.for_user(user).filter(pk=child.pk).exists()
        assert Child.objects.for_user(user).filter(pk=other.pk).exists()
        assert not Case.objects.for_user(user).filter(child=child).exists()
        assert Case.objects.for_user(user).filter(child=other).exists()
        assert not Task.objects.for_user(user).filter(case=case).exists()
    assert Child.objects.for_user(dpo).filter(pk=child.pk).exists()
    assert Case.objects.for_user(dpo).filter(pk=case.pk).exists()
    assert Task.objects.for_user(dpo).filter(case=case).count() == tasks_before
    lift(dpo, ProcessingRestriction.objects.get(child=child))
    assert Case.objects.for_user(officer).filter(pk=case.pk).exists()


def test_art18_rows_with_no_child_stay_visible(la: LocalAuthority, dpo: User, officer: User) -> None:
    from cme.cases import services

    restrict(dpo, ChildFactory(local_authority=la))
    task = services.task_create(actor=Auditor.for_user(officer), local_authority_id=la.pk, title="Team meeting",
                                due=TODAY, case=None, assignee=officer)
    assert Task.objects.for_user(officer).filter(pk=task.pk).exists()  # exclude() keeps rows whose child is null


# --- retention: still retained ---------------------------------------------------------------------------------

def test_art18_2_purge_keeps_a_restricted_record_and_purges_it_once_lifted(la: LocalAuthority, dpo: User) -> None:
    due = ChildFactory(local_authority=la, date_of_birth=dt.date(1990, 1, 1), upn="")
    restriction = restrict(dpo, due)
    on = timezone.localdate() + dt.timedelta(days=1)
    lines = {line.category: line for line in retention_purge(dry_run=False, on=on)}
    assert lines["child_record"].due == 0
    kept = Child.objects.get(pk=due.pk)
    assert kept.legal_surname == due.legal_surname  # still retained while restricted
    lift(dpo, restriction)
    lines = {line.category: line for line in retention_purge(dry_run=False, on=on)}
    assert lines["child_record"].done == 1
    assert Child.objects.get(pk=due.pk).legal_surname == "Anonymised"  # purged once lifted, as it was due
    print(f"\nDP-6 purge: kept while restricted (0 due), purged after lifting ({lines['child_record'].done} done)")


# --- the DPO's pages -------------------------------------------------------------------------------------------

def test_art18_dpo_records_and_lifts_a_restriction_through_the_page(
        la: LocalAuthority, dpo: User, officer: User, client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la)
    client = client_for(dpo)
    page = f"/privacy/children/{child.pk}/restriction/"
    assert b"Restrict processing" in client.get(page).content
    today = timezone.localdate()
    response = client.post(page, {"ground": "legal_claims", "requested_by": "Family solicitor",
                                  "requested_on-day": today.day, "requested_on-month": today.month,
                                  "requested_on-year": today.year})
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).processing_restricted
    assert client_for(officer).get(f"/children/{child.pk}/").status_code == 404
    assert client.get(f"/children/{child.pk}/").status_code == 200  # the DPO still sees it
    listing = client.get("/privacy/restrictions/")
    assert listing.status_code == 200 and child.legal_surname.encode() in listing.content
    assert AuditEvent.objects.filter(actor=dpo, action=AuditEvent.Action.VIEW, child_id=child.pk,
                                     summary__contains="Art 18").count() >= 2  # list and page reads are audited
    blank = client.post(page, {"reason": "Claim settled"})
    assert blank.status_code == 200 and b"govuk-error-summary" in blank.content  # told date and how are required
    response = client.post(page, {"reason": "Claim settled", "subject_told_on-day": today.day,
                                  "subject_told_on-month": today.month, "subject_told_on-year": today.year,
                                  "subject_told_how": "Email to the solicitor"})
    assert response.status_code == 302
    assert not Child.objects.get(pk=child.pk).processing_restricted
    assert client_for(officer).get(f"/children/{child.pk}/").status_code == 200


def test_art18_only_the_dpo_may_open_the_restriction_pages(
        la: LocalAuthority, officer: User, manager: User, la_admin: User,
        client_for: Callable[[User], Client]) -> None:
    child = ChildFactory(local_authority=la)
    for user in (officer, manager, la_admin):
        client = client_for(user)
        assert client.get("/privacy/restrictions/").status_code == 403
        assert client.get(f"/privacy/children/{child.pk}/restriction/").status_code == 403


def test_art18_dpo_of_another_la_gets_404(la: LocalAuthority, other_la: LocalAuthority,
                                           client_for: Callable[[User], Client]) -> None:
    from cme.accounts.roles import Role
    from cme.accounts.tests.factories import UserFactory

    stranger = UserFactory(email="dpo@otherton.example.org", role=Role.DATA_PROTECTION_OFFICER,
                           local_authority=other_la)
    child = ChildFactory(local_authority=la)
    assert client_for(stranger).get(f"/privacy/children/{child.pk}/restriction/").status_code == 404


# --- processing: storage only (Art 18(2)) -----------------------------------------------------------------------

def test_art18_2_detection_raises_nothing_new_and_clears_nothing_for_a_restricted_child(
        la: LocalAuthority, school: object, dpo: User) -> None:
    from cme.feeds.detection import detection_run
    from cme.feeds.models import DetectionHit
    from cme.feeds.tests.test_detection import ON, missing_child
    from cme.notifications.detection import detection_hits_convert
    from cme.notifications.models import Notification

    actor = Auditor.system("tests")
    found_before = missing_child(la, school)  # type: ignore[arg-type]
    detection_run(actor=actor, local_authority=la, on=ON)
    restrict(dpo, found_before)
    new = missing_child(la, school, legal_forename="Later")  # type: ignore[arg-type]
    restrict(dpo, new)
    summary = detection_run(actor=actor, local_authority=la, on=ON + dt.timedelta(days=3))
    assert summary.new == 0 and summary.cleared == 0
    assert not DetectionHit.objects.filter(child=new).exists()  # no rule ran on the restricted child
    kept = DetectionHit.objects.get(child=found_before)
    assert kept.cleared_on is None and kept.last_found == ON  # stored as it was, neither found again nor cleared
    assert detection_hits_convert(actor=actor, local_authority=la).raised == 0
    assert not Notification.objects.filter(child=found_before).exists()  # no alert while restricted
    lift(dpo, ProcessingRestriction.objects.get(child=new, lifted_at__isnull=True))
    assert detection_run(actor=actor, local_authority=la, on=ON + dt.timedelta(days=4)).new == 1


def test_art18_2_no_escalation_task_digest_or_panel_candidate_for_a_restricted_child(
        officer: User, manager: User, dpo: User) -> None:
    from django.core import mail

    from cme.cases import digests
    from cme.panels.selectors import agenda_candidates
    from cme.panels.tests.factories import meeting

    case = open_case(user=officer, allocated_to=officer, opened_at=timezone.now() - dt.timedelta(days=90))
    restrict(dpo, case.child)
    late = max(e.due for e in case.enquiries.all()) + dt.timedelta(days=1)
    assert digests.escalate_missed_timescales(on=late).tasks == 0
    assert not Task.objects.filter(case=case, source=Task.Source.ESCALATION).exists()
    assert digests.send_daily_digests(on=late) == 0 and mail.outbox == []
    assert agenda_candidates(meeting=meeting(user=officer)) == []
    lift(dpo, ProcessingRestriction.objects.get(child=case.child, lifted_at__isnull=True))
    assert digests.escalate_missed_timescales(on=late).tasks >= 1  # processed again once lifted
    assert [c.case for c in agenda_candidates(meeting=meeting(user=officer))] == [case]
