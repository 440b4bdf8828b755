from __future__ import annotations

import datetime as dt

import pytest

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import (
    Child,
    ChildContact,
    ChildIdentifier,
    ChildLink,
    ChildName,
    Contact,
    EducationOtherwise,
    Residence,
)
from cme.children.services import ChildChangedError, child_create
from cme.children.tests.factories import (
    ChildAddressFactory,
    ChildFactory,
    EnrolmentFactory,
    RiskFlagFactory,
    SchoolFactory,
)
from cme.core.models import LocalAuthority
from cme.law import nhs_number as nhs_numbers
from cme.matching.merging import child_merge, child_unmerge
from cme.matching.models import LinkDecision, MatchCandidate, MergeRecord
from cme.matching.services import LinkageError
from cme.matching.tests.factories import MatchCandidateFactory, SourceRecordFactory

NHS = nhs_numbers.generate(2, seed=9)


def full_child(la: LocalAuthority, forename: str, **fields: object) -> Child:
    """A child created through children.services (so it has its legal name row), with one of everything."""
    child = child_create(actor=Auditor.system("test"), local_authority_id=la.pk, legal_forename=forename,
                         legal_surname="Thompson", date_of_birth=dt.date(2016, 5, 14), **fields)
    EnrolmentFactory(child=child, school=SchoolFactory(local_authority=la))
    ChildAddressFactory(child=child, address__line1=f"{forename} House")
    RiskFlagFactory(child=child)
    contact = Contact.objects.create(forename=f"Parent of {forename}", surname="Thompson")
    ChildContact.objects.create(child=child, contact=contact, relationship="mother")
    EducationOtherwise.objects.create(child=child, kind="ehe", start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 1))
    Residence.objects.create(child=child, in_area=True, start=dt.date(2016, 5, 14))
    ChildIdentifier.objects.create(child=child, kind=ChildIdentifier.Kind.LOCAL, value=f"LOCAL-{forename}")
    SourceRecordFactory(local_authority=la, child=child, link_status="linked", forename=forename)
    return child


def counts(child: Child) -> dict[str, int]:
    return {
        "enrolments": child.enrolments.count(), "addresses": child.addresses.count(),
        "flags": child.risk_flags.count(), "contacts": child.child_contacts.count(),
        "ehe": child.education_otherwise.count(), "residences": child.residences.count(),
        "identifiers": child.identifiers.count(), "names": child.names.count(),
        "source_records": child.source_records.count(), "links": child.links.count(),
    }


@pytest.fixture
def pair(la: LocalAuthority) -> tuple[Child, Child]:
    keep = full_child(la, "Amelia", upn="")
    merge = full_child(la, "Millie", nhs_number=NHS[0])
    sibling = ChildFactory(local_authority=la, legal_forename="Sib")
    ChildLink.objects.create(child=merge, other=sibling, kind="sibling")
    ChildLink.objects.create(child=sibling, other=merge, kind="sibling")
    return keep, merge


def test_merge_moves_everything_and_hides_the_merged_record(pair: tuple[Child, Child], manager: User) -> None:
    keep, merge = pair
    before_keep, before_merge = counts(keep), counts(merge)
    record = child_merge(actor=Auditor.for_user(manager), user=manager, keep=keep, merge=merge,
                         reason="Same child: two health records")
    merge.refresh_from_db()
    keep.refresh_from_db()
    assert merge.merged_into_id == keep.pk
    assert not Child.objects.for_user(manager).filter(pk=merge.pk).exists()
    after = counts(keep)
    for key in ("enrolments", "addresses", "flags", "contacts", "ehe", "residences", "identifiers", "names",
                "source_records"):
        assert after[key] == before_keep[key] + before_merge[key], key
    assert after["links"] == 1
    assert ChildLink.objects.filter(other=keep).count() == 1
    assert counts(merge) == dict.fromkeys(before_merge, 0)
    aliases = ChildName.objects.filter(child=keep, forename="Millie")
    assert [n.kind for n in aliases] == ["alias"]
    assert keep.nhs_number == NHS[0]  # filled in: the kept record had none
    assert record.moved["enrolments"] and record.kept_before == {"nhs_number": ""}
    assert LinkDecision.objects.get().decision == "same"
    for child in (keep, merge):
        event = AuditEvent.objects.filter(child_id=child.pk, object_type="matching.mergerecord").get()
        assert (event.actor, event.reason) == (manager, "Same child: two health records")


def test_unmerge_puts_back_exactly_what_moved(pair: tuple[Child, Child], manager: User) -> None:
    keep, merge = pair
    before_keep, before_merge = counts(keep), counts(merge)
    names_before = sorted(ChildName.objects.filter(child=merge).values_list("pk", "kind"))
    actor = Auditor.for_user(manager)
    record = child_merge(actor=actor, user=manager, keep=keep, merge=merge, reason="Looked the same")
    keep.refresh_from_db()
    added_later = EnrolmentFactory(child=keep, school=SchoolFactory(local_authority=keep.local_authority))
    child_unmerge(actor=actor, user=manager, merge_record=record, reason="Twins after all")
    keep.refresh_from_db()
    merge.refresh_from_db()
    assert merge.merged_into_id is None
    assert counts(merge) == before_merge
    assert counts(keep) == {**before_keep, "enrolments": before_keep["enrolments"] + 1}
    assert added_later.child_id == keep.pk
    assert sorted(ChildName.objects.filter(child=merge).values_list("pk", "kind")) == names_before
    assert keep.nhs_number == ""
    assert LinkDecision.objects.get().decision == "different"
    record.refresh_from_db()
    assert (record.is_undone, record.unmerged_by, record.unmerge_reason) == (True, manager, "Twins after all")
    assert AuditEvent.objects.filter(child_id=merge.pk, reason="Twins after all").exists()
    with pytest.raises(LinkageError, match="already been undone"):
        child_unmerge(actor=actor, user=manager, merge_record=record, reason="again")


def test_different_identifiers_are_kept_as_other_identifiers_and_removed_on_unmerge(la: LocalAuthority,
                                                                                    manager: User) -> None:
    keep = ChildFactory(local_authority=la, nhs_number=NHS[0])
    merge = ChildFactory(local_authority=la, nhs_number=NHS[1])
    actor = Auditor.for_user(manager)
    record = child_merge(actor=actor, user=manager, keep=keep, merge=merge, reason="Same")
    values = set(ChildIdentifier.objects.filter(child=keep).values_list("kind", "value"))
    assert ("former_upn", merge.upn) in values and ("nhs_number", NHS[1]) in values
    child_unmerge(actor=actor, user=manager, merge_record=record, reason="Not the same")
    assert not ChildIdentifier.objects.filter(child=keep).exists()


def test_merge_refuses_a_record_changed_since_it_was_loaded(la: LocalAuthority, manager: User) -> None:
    keep, merge = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    Child.objects.filter(pk=merge.pk).update(version=merge.version + 1)  # someone else saved it meanwhile
    with pytest.raises(ChildChangedError):
        child_merge(actor=Auditor.for_user(manager), user=manager, keep=keep, merge=merge, reason="Same")
    assert not MergeRecord.objects.exists()
    assert Child.objects.get(pk=merge.pk).merged_into_id is None


@pytest.mark.parametrize("problem", ["same record", "no reason", "already merged", "other LA"])
def test_merge_refuses_what_cannot_be_merged(la: LocalAuthority, other_la: LocalAuthority, manager: User,
                                             problem: str) -> None:
    keep, merge = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    reason = "Same"
    if problem == "same record":
        merge = keep
    elif problem == "no reason":
        reason = " "
    elif problem == "already merged":
        child_merge(actor=Auditor.for_user(manager), user=manager, keep=keep, merge=merge, reason="Same")
        keep = ChildFactory(local_authority=la)
    else:
        merge = ChildFactory(local_authority=other_la)
    with pytest.raises(LinkageError):
        child_merge(actor=Auditor.for_user(manager), user=manager, keep=keep, merge=merge, reason=reason)


def test_open_candidates_of_the_merged_child_are_set_aside_and_come_back_on_unmerge(la: LocalAuthority,
                                                                                    manager: User) -> None:
    keep, merge = ChildFactory(local_authority=la), ChildFactory(local_authority=la)
    low, high = sorted((keep.pk, merge.pk))
    duplicate = MatchCandidate.objects.create(local_authority=la, child_id=low, other_child_id=high,
                                              source="children", probability=0.8, match_weight=2)
    record_candidate = MatchCandidateFactory(child=merge)
    actor = Auditor.for_user(manager)
    record = child_merge(actor=actor, user=manager, keep=keep, merge=merge, reason="Same")
    assert MatchCandidate.objects.get(pk=duplicate.pk).status == "accepted"
    assert MatchCandidate.objects.get(pk=record_candidate.pk).status == "superseded"
    child_unmerge(actor=actor, user=manager, merge_record=record, reason="Different")
    assert MatchCandidate.objects.get(pk=duplicate.pk).status == "rejected"
    assert MatchCandidate.objects.get(pk=record_candidate.pk).status == "open"


def test_unmerge_refuses_when_the_kept_record_was_merged_again(la: LocalAuthority, manager: User) -> None:
    a, b, c = (ChildFactory(local_authority=la) for _ in range(3))
    actor = Auditor.for_user(manager)
    first = child_merge(actor=actor, user=manager, keep=b, merge=a, reason="Same")
    b.refresh_from_db()
    child_merge(actor=actor, user=manager, keep=c, merge=b, reason="Same again")
    with pytest.raises(LinkageError, match="undo that merge first"):
        child_unmerge(actor=actor, user=manager, merge_record=first, reason="Wrong")
