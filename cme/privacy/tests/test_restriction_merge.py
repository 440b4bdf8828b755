"""DP-6, UK GDPR Art 18: a restriction of processing follows the child when two child records are merged
(`matching.merging.child_merge` -> `privacy.restrictions.restrictions_follow_merge`) and goes back when the merge is
undone. The kept record is restricted if either record was; history is kept; one restriction in force per child;
the kept record (and the cases left on the merged one) are hidden from every role but the DPO; all audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.cases.models import Case
from cme.cases.tests.factories import open_case
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.matching.merging import child_merge, child_unmerge
from cme.matching.models import MergeRecord
from cme.privacy.models import ProcessingRestriction
from cme.privacy.restrictions import MOVED_SUMMARY, SUPERSEDED_SUMMARY
from cme.privacy.services import processing_restriction_lift, processing_restriction_place

ACCURACY = ProcessingRestriction.Ground.ACCURACY_CONTESTED
LEGAL = ProcessingRestriction.Ground.LEGAL_CLAIMS


def restrict(dpo: User, child: Child, ground: str = ACCURACY, by: str = "The child's mother",
             days_ago: int = 0) -> ProcessingRestriction:
    restriction = processing_restriction_place(
        actor=Auditor.for_user(dpo), user=dpo, child=child, ground=ground, requested_by=by,
        requested_on=timezone.localdate() - dt.timedelta(days=days_ago), detail="Says the address is wrong")
    if days_ago:  # recorded earlier than the other restriction of the test
        ProcessingRestriction.objects.filter(pk=restriction.pk).update(
            recorded_at=timezone.now() - dt.timedelta(days=days_ago))
        restriction.refresh_from_db()
    return restriction


def merge(officer: User, keep: Child, merged: Child) -> MergeRecord:
    keep, merged = Child.objects.get(pk=keep.pk), Child.objects.get(pk=merged.pk)
    return child_merge(actor=Auditor.for_user(officer), user=officer, keep=keep, merge=merged,
                       reason="Same child: same date of birth and address")


def unmerge(officer: User, record: MergeRecord) -> None:
    child_unmerge(actor=Auditor.for_user(officer), user=officer, merge_record=record, reason="Twins, not one child")


def flagged(*children: Child) -> list[bool]:
    return [Child.objects.get(pk=child.pk).processing_restricted for child in children]


def in_force(child: Child) -> list[ProcessingRestriction]:
    return list(ProcessingRestriction.objects.filter(child=child, lifted_at__isnull=True))


def test_art18_restricted_record_merged_into_an_unrestricted_one_restricts_the_kept_record(
        la: LocalAuthority, dpo: User, officer: User) -> None:
    keep, merged = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    old = restrict(dpo, merged, days_ago=30)
    processing_restriction_lift(actor=Auditor.for_user(dpo), user=dpo, restriction=old, reason="Checked",
                                subject_told_on=timezone.localdate(), subject_told_how="Letter")
    current = restrict(dpo, merged, LEGAL)
    assert flagged(keep, merged) == [False, True]

    record = merge(officer, keep, merged)

    assert in_force(keep) == [current] and in_force(merged) == []
    assert set(ProcessingRestriction.objects.filter(child=keep)) == {old, current}  # the history moves too
    assert flagged(keep, merged) == [True, True]
    assert sorted(record.moved["restrictions"]) == sorted([old.pk, current.pk])
    assert record.moved["restrictions_superseded"] == []
    moved = AuditEvent.objects.filter(summary=MOVED_SUMMARY, child_id=keep.pk, actor=officer)
    assert {int(e.object_id) for e in moved} == {old.pk, current.pk}


def test_art18_unrestricted_record_merged_into_a_restricted_one_stays_restricted_and_hides_the_merged_ones_cases(
        la: LocalAuthority, dpo: User, officer: User) -> None:
    keep, merged = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    case = open_case(user=officer, child=merged)  # cases stay on the merged record (higher layers follow it)
    current = restrict(dpo, keep)
    assert Case.objects.for_user(officer).filter(pk=case.pk).exists()

    record = merge(officer, keep, merged)

    assert in_force(keep) == [current] and record.moved["restrictions"] == []
    assert flagged(keep, merged) == [True, True]
    assert not Case.objects.for_user(officer).filter(pk=case.pk).exists()  # the child's case is hidden too
    assert Case.objects.for_user(dpo).filter(pk=case.pk).exists()


@pytest.mark.parametrize("earlier_on", ["keep", "merged"])
def test_art18_both_restricted_the_earlier_stays_in_force_and_the_later_is_superseded_not_lifted(
        la: LocalAuthority, dpo: User, officer: User, client_for: Callable[[User], Client], earlier_on: str) -> None:
    keep, merged = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    on_keep = restrict(dpo, keep, ACCURACY, "Mother of the child", days_ago=10 if earlier_on == "keep" else 0)
    on_merged = restrict(dpo, merged, LEGAL, "Family solicitor", days_ago=10 if earlier_on == "merged" else 0)
    earlier, later = (on_keep, on_merged) if earlier_on == "keep" else (on_merged, on_keep)

    record = merge(officer, keep, merged)

    earlier.refresh_from_db()
    later.refresh_from_db()
    assert in_force(keep) == [earlier] and earlier.child_id == later.child_id == keep.pk  # one in force, one child
    assert later.superseded_by == earlier and later.lifted_at is not None and later.lifted_by == officer
    assert later.subject_told_on is None  # not lifted: the record was never unrestricted, no Art 18(3) notice
    assert f"Child record {merged.pk} was merged into child record {keep.pk}" in later.lift_reason
    assert record.moved["restrictions_superseded"] == [later.pk]
    assert flagged(keep, merged) == [True, True]
    assert AuditEvent.objects.filter(summary=SUPERSEDED_SUMMARY, child_id=keep.pk, object_id=str(later.pk)).exists()
    page = client_for(dpo).get(f"/privacy/children/{keep.pk}/restriction/").content.decode()
    assert "also stands for" in page and later.requested_by in page  # the DPO checks both requests before lifting
    assert "Not lifted: superseded on" in page

    processing_restriction_lift(actor=Auditor.for_user(dpo), user=dpo, restriction=earlier,
                                reason="Both grounds checked", subject_told_on=timezone.localdate(),
                                subject_told_how="Letters to the mother and the solicitor")
    assert flagged(keep, merged) == [False, False]  # lifting clears the merged record's flag too


def test_art18_the_constraints_still_hold_after_a_merge(la: LocalAuthority, dpo: User, officer: User) -> None:
    keep, merged = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    restrict(dpo, keep, days_ago=5)
    later = restrict(dpo, merged)
    merge(officer, keep, merged)
    with pytest.raises(IntegrityError), transaction.atomic():  # a second restriction in force on the kept record
        ProcessingRestriction.objects.filter(pk=later.pk).update(lifted_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():  # closed without supersession: Art 18(3) notice due
        ProcessingRestriction.objects.filter(pk=later.pk).update(superseded_by=None)


def test_art18_after_the_merge_the_kept_record_is_hidden_from_every_role_but_the_dpo(
        la: LocalAuthority, dpo: User, officer: User, manager: User, client_for: Callable[[User], Client]) -> None:
    keep = ChildFactory(local_authority=la, legal_forename="Wenna", legal_surname="Polglaze")
    merged = ChildFactory(local_authority=la, legal_forename="Wenna", legal_surname="Polglase")
    assert client_for(officer).get(f"/children/{keep.pk}/").status_code == 200
    restrict(dpo, merged)

    merge(officer, keep, merged)

    for user in (officer, manager):
        client = client_for(user)
        assert client.get(f"/children/{keep.pk}/").status_code == 404
        assert not Child.objects.for_user(user).filter(pk__in=[keep.pk, merged.pk]).exists()
        born = keep.date_of_birth
        found = client.post("/children/find/", {"date_of_birth-day": born.day, "date_of_birth-month": born.month,
                                                "date_of_birth-year": born.year})
        assert found.status_code == 200 and b"Polglaze" not in found.content and b"No child matches" in found.content
    dpo_client = client_for(dpo)
    assert dpo_client.get(f"/children/{keep.pk}/").status_code == 200
    listing = dpo_client.get("/privacy/restrictions/").content.decode()
    assert f"record {keep.pk}" in listing and f"record {merged.pk}" not in listing


def test_art18_undoing_the_merge_puts_the_restrictions_back(la: LocalAuthority, dpo: User, officer: User) -> None:
    keep, merged = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    on_merged = restrict(dpo, merged)
    unmerge(officer, merge(officer, keep, merged))
    assert in_force(merged) == [on_merged] and in_force(keep) == []
    assert flagged(keep, merged) == [False, True]

    other = ChildFactory(local_authority=la)
    earlier, later = restrict(dpo, other, days_ago=3), restrict(dpo, keep)
    record = merge(officer, other, keep)
    assert in_force(other) == [earlier]
    unmerge(officer, record)  # both restricted before the merge: both in force again, each on its own record
    assert in_force(other) == [earlier] and in_force(keep) == [later]
    later.refresh_from_db()
    assert later.superseded_by is None and later.lift_reason == ""
    assert flagged(other, keep) == [True, True]


def test_art18_a_restriction_lifted_during_the_merge_stays_lifted_after_undoing_it(
        la: LocalAuthority, dpo: User, officer: User) -> None:
    keep, merged = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    earlier, later = restrict(dpo, keep, days_ago=3), restrict(dpo, merged)
    record = merge(officer, keep, merged)
    processing_restriction_lift(actor=Auditor.for_user(dpo), user=dpo, restriction=earlier,
                                reason="Both grounds checked", subject_told_on=timezone.localdate(),
                                subject_told_how="Letters to both")
    unmerge(officer, record)
    later.refresh_from_db()
    assert later.child_id == merged.pk and not later.in_force  # lifted for both requests (Art 18(3))
    assert flagged(keep, merged) == [False, False]
