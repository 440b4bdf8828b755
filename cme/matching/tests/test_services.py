from __future__ import annotations

import datetime as dt

import pytest

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, ChildIdentifier, ChildName
from cme.children.tests.factories import ChildAddressFactory, ChildFactory
from cme.core.models import LocalAuthority
from cme.law import nhs_number as nhs_numbers
from cme.law import upn as upns
from cme.matching.models import LinkDecision, MatchCandidate, SourceRecord
from cme.matching.services import (
    LinkageError,
    RecordIn,
    child_duplicates_find,
    match_accept,
    match_reject,
    normalise_record,
    source_records_import,
    source_records_link,
    source_records_upsert,
)
from cme.matching.tests.conftest import FakeEngine
from cme.matching.tests.factories import MatchCandidateFactory, SourceRecordFactory

SYSTEM = Auditor.system("feeds.test")
UPN_A = upns.make_upn("931", "2001", 20, 500)
UPN_B = upns.make_upn("931", "2001", 20, 501)
NHS_A = nhs_numbers.generate(1, seed=3)[0]


def record_in(source_record_id: str = "H1", **fields: object) -> RecordIn:
    values: dict[str, object] = {"source": "health", "source_record_id": source_record_id, "forename": "Amelia",
                                 "surname": "Thompson", "date_of_birth": dt.date(2016, 5, 14), "sex": "F",
                                 "postcode": "OX4 1AB", "address": "12 Cowley Road, Oxford"}
    values.update(fields)
    return RecordIn(**values)  # type: ignore[arg-type]


def upsert(la: LocalAuthority, *records: RecordIn, run_id: int | None = 1):  # type: ignore[no-untyped-def]
    return source_records_upsert(actor=SYSTEM, local_authority=la, run_id=run_id, records=list(records))


def link(la: LocalAuthority, records: list[SourceRecord], **kwargs: object):  # type: ignore[no-untyped-def]
    return source_records_link(actor=SYSTEM, local_authority=la, records=records, **kwargs)  # type: ignore[arg-type]


# --- source_records_upsert (contract with feeds) -------------------------------------------------------------


def test_upsert_normalises_and_keeps_the_row_as_received(la: LocalAuthority) -> None:
    raw = {"Forename": "AMELIA", "UPN": UPN_A.lower()}
    result = upsert(la, record_in(forename="  AMELIA ", surname="o'brien", postcode="ox41ab", upn=f" {UPN_A.lower()}",
                                  nhs_number=f"{NHS_A[:3]} {NHS_A[3:6]} {NHS_A[6:]}", sex="female", raw=raw))
    assert (result.created, result.changed, result.unchanged) == (1, 0, 0)
    record = SourceRecord.objects.get()
    assert (record.forename, record.surname, record.postcode, record.upn, record.nhs_number, record.sex) == (
        "Amelia", "O'Brien", "OX4 1AB", UPN_A, NHS_A, "F")
    assert record.raw == raw
    assert (record.first_seen_run_id, record.last_seen_run_id, record.link_status) == (1, 1, "unlinked")
    assert len(record.row_hash) == 64


def test_upsert_drops_identifiers_that_fail_their_checks(la: LocalAuthority) -> None:
    """A UPN with a wrong check letter (formats.md §2) or a bad NHS number can never link two children."""
    bad_upn = "A" + UPN_A[1:] if UPN_A[0] != "A" else "B" + UPN_A[1:]
    upsert(la, record_in(upn=bad_upn, nhs_number="1234567890", raw={"upn": bad_upn}))
    record = SourceRecord.objects.get()
    assert (record.upn, record.nhs_number) == ("", "")
    assert record.raw == {"upn": bad_upn}


def test_the_same_file_twice_writes_nothing_new(la: LocalAuthority) -> None:
    rows = [record_in(f"H{i}", forename=f"Child{i}") for i in range(5)]
    first = upsert(la, *rows, run_id=1)
    second = upsert(la, *rows, run_id=1)
    assert (first.created, first.changed, first.unchanged) == (5, 0, 0)
    assert (second.created, second.changed, second.unchanged, second.records) == (0, 0, 5, [])


def test_a_changed_row_is_updated_and_returned_and_unchanged_rows_are_stamped_with_the_run(la: LocalAuthority) -> None:
    upsert(la, record_in("H1"), record_in("H2", forename="Ben"), run_id=1)
    result = upsert(la, record_in("H1", postcode="OX4 2BB"), record_in("H2", forename="Ben"), run_id=2)
    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    assert [r.source_record_id for r in result.records] == ["H1"]
    changed = SourceRecord.objects.get(source_record_id="H1")
    unchanged = SourceRecord.objects.get(source_record_id="H2")
    assert (changed.postcode, changed.first_seen_run_id, changed.last_seen_run_id) == ("OX4 2BB", 1, 2)
    assert (unchanged.first_seen_run_id, unchanged.last_seen_run_id) == (1, 2)


def test_records_are_kept_per_local_authority_and_source(la: LocalAuthority, other_la: LocalAuthority) -> None:
    upsert(la, record_in("X1"), record_in("X1", source="school_feed"))
    upsert(other_la, record_in("X1"))
    assert SourceRecord.objects.count() == 3


def test_upsert_is_audited_with_its_counts(la: LocalAuthority) -> None:
    upsert(la, record_in("H1"), record_in("H2"))
    event = AuditEvent.objects.get(object_type="matching.sourcerecord")
    assert event.actor_label == "system:feeds.test"
    assert event.local_authority_id == la.pk
    assert "2 new" in event.summary


# --- source_records_link: deterministic, then the engine -----------------------------------------------------


def test_a_valid_upn_that_identifies_one_child_links_without_the_engine(la: LocalAuthority,
                                                                         fake_engine: FakeEngine) -> None:
    child = ChildFactory(local_authority=la, upn=UPN_A, legal_forename="Different")
    records = upsert(la, record_in(upn=UPN_A)).records
    result = link(la, records)
    assert (result.auto_linked, result.queued_for_review, result.new_children, result.unlinked) == (1, 0, 0, 0)
    record = SourceRecord.objects.get()
    assert (record.child_id, record.link_status, record.link_method, record.link_probability) == (
        child.pk, "linked", "upn", 1.0)
    assert fake_engine.calls == []
    event = AuditEvent.objects.filter(object_type="matching.sourcerecord").first()  # the newest: the link run
    assert event is not None and event.summary.startswith("linkage: 1 linked")
    assert (event.local_authority_id, event.changes["auto_linked"]) == (la.pk, 1)


def test_an_nhs_number_links_and_a_former_upn_counts(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    by_nhs = ChildFactory(local_authority=la, nhs_number=NHS_A, legal_forename="Zed")
    by_former = ChildFactory(local_authority=la, legal_forename="Yan")
    ChildIdentifier.objects.create(child=by_former, kind=ChildIdentifier.Kind.FORMER_UPN, value=UPN_B)
    records = upsert(la, record_in("H1", nhs_number=NHS_A), record_in("H2", upn=UPN_B)).records
    link(la, records)
    assert SourceRecord.objects.get(source_record_id="H1").child_id == by_nhs.pk
    assert SourceRecord.objects.get(source_record_id="H2").child_id == by_former.pk


def test_a_upn_shared_by_two_children_is_not_trusted(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    ChildFactory(local_authority=la, upn=UPN_A, legal_forename="Ann", legal_surname="Other")
    ChildFactory(local_authority=la, upn=UPN_A, legal_forename="Bea", legal_surname="Other")
    records = upsert(la, record_in(upn=UPN_A)).records
    result = link(la, records)
    assert result.unlinked == 1
    assert fake_engine.calls and fake_engine.calls[0]["left"] == 1


# --- source_records_import: upsert and link in one pass (a feed run) -----------------------------------------


def _outcome(la: LocalAuthority) -> list[tuple[object, ...]]:
    return list(SourceRecord.objects.filter(local_authority=la).order_by("source_record_id").values_list(
        "source_record_id", "child_id", "link_status", "link_method", "link_probability", "upn", "first_seen_run_id"))


def _import_world(la: LocalAuthority) -> list[RecordIn]:
    """A UPN of one child, a UPN shared by twins-like siblings (not trusted), an NHS number, a bad UPN, a stranger."""
    ChildFactory(local_authority=la, upn=UPN_A, legal_forename="Amelia", legal_surname="Thompson",
                 date_of_birth=dt.date(2016, 5, 14))
    shared = upns.make_upn("931", "2001", 20, 777)
    for forename in ("Ann", "Bea"):
        ChildFactory(local_authority=la, upn=shared, legal_forename=forename, legal_surname="Other",
                     date_of_birth=dt.date(2015, 1, 2))
    ChildFactory(local_authority=la, nhs_number=NHS_A, legal_forename="Zed", legal_surname="Nhs")
    bad_upn = ("B" if UPN_A[0] == "A" else "A") + UPN_A[1:]
    return [record_in("H1", upn=UPN_A), record_in("H2", upn=shared, forename="Ann", surname="Other",
                                                   date_of_birth=dt.date(2015, 1, 2)),
            record_in("H3", nhs_number=NHS_A, forename="Zed", surname="Nhs"),
            record_in("H4", upn=bad_upn, forename="Cat", surname="Typo"),
            record_in("H5", forename="New", surname="One")]


def test_import_gives_the_same_links_as_upsert_then_link(la: LocalAuthority, other_la: LocalAuthority,
                                                         fake_engine: FakeEngine) -> None:
    """One pass or two, the same records, links and counts (the one-pass import is only faster)."""
    records = _import_world(la)
    upsert_result, linked = source_records_import(actor=SYSTEM, local_authority=la, run_id=1, records=records,
                                                  create_children=True)
    one_pass = _outcome(la)
    _import_world(other_la)
    other_upsert = source_records_upsert(actor=SYSTEM, local_authority=other_la, run_id=1, records=records)
    other_linked = source_records_link(actor=SYSTEM, local_authority=other_la, records=other_upsert.records,
                                       create_children=True)
    two_pass = _outcome(other_la)
    assert [row[0:1] + row[2:] for row in one_pass] == [row[0:1] + row[2:] for row in two_pass]
    assert (upsert_result.created, upsert_result.changed, upsert_result.unchanged) == (5, 0, 0)
    assert linked == other_linked
    assert (linked.auto_linked, linked.queued_for_review, linked.new_children, linked.unlinked) == (3, 0, 2, 0)
    by_id = {row[0]: row for row in one_pass}
    assert by_id["H1"][2:5] == ("linked", "upn", 1.0)
    assert by_id["H3"][2:5] == ("linked", "nhs_number", 1.0)
    assert by_id["H2"][2:4] == ("linked", "probabilistic")  # a shared UPN is not trusted: the engine used names
    assert by_id["H4"][2:6] == ("new_child", "new_child", None, "")  # a UPN failing its check letter never links
    event = AuditEvent.objects.filter(object_type="matching.sourcerecord", local_authority_id=la.pk).first()
    assert event is not None and event.summary.startswith("linkage: 3 linked, 0 for review")


def test_import_links_at_insert_without_the_engine(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    child = ChildFactory(local_authority=la, upn=UPN_A, legal_forename="Different")
    _, linked = source_records_import(actor=SYSTEM, local_authority=la, run_id=7, records=[record_in(upn=UPN_A)])
    assert linked.auto_linked == 1 and fake_engine.calls == []
    record = SourceRecord.objects.get()
    assert (record.child_id, record.link_status, record.link_method, record.linked_at is not None) == (
        child.pk, "linked", "upn", True)
    assert (record.first_seen_run_id, record.last_seen_run_id, record.raw) == (7, 7, {})
    again = source_records_import(actor=SYSTEM, local_authority=la, run_id=8, records=[record_in(upn=UPN_A)])
    assert (again[0].created, again[0].unchanged, again[1].auto_linked) == (0, 1, 0)  # idempotent
    moved = source_records_import(actor=SYSTEM, local_authority=la, run_id=9,
                                  records=[record_in(upn=UPN_A, postcode="OX4 2BB")])
    assert (moved[0].changed, moved[1].auto_linked) == (1, 0)  # already linked: left alone
    assert SourceRecord.objects.get().child_id == child.pk
    linkage = AuditEvent.objects.filter(object_type="matching.sourcerecord", summary__startswith="linkage:")
    assert linkage.count() == 1  # only the run that linked something says so


def test_import_without_linking_only_stores(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    ChildFactory(local_authority=la, upn=UPN_A)
    upsert_result, linked = source_records_import(actor=SYSTEM, local_authority=la, run_id=1,
                                                  records=[record_in(upn=UPN_A)], link=False)
    assert (upsert_result.created, linked.auto_linked, upsert_result.records) == (1, 0, [])
    assert SourceRecord.objects.get().link_status == "unlinked"


def test_the_identifier_index_is_the_full_index_without_its_rows(la: LocalAuthority) -> None:
    from cme.matching import frames

    _import_world(la)
    former = ChildFactory(local_authority=la, legal_forename="Yan")
    ChildIdentifier.objects.create(child=former, kind=ChildIdentifier.Kind.FORMER_UPN, value=UPN_B)
    merged = ChildFactory(local_authority=la, upn=upns.make_upn("931", "2001", 20, 900))
    Child.objects.filter(pk=merged.pk).update(merged_into=former)
    full, light = frames.children_index(la), frames.children_identifiers(la)
    assert (light.live, light.count, light.rows) == (full.live, full.count, [])
    assert (dict(light.by_upn), dict(light.by_nhs_number)) == (dict(full.by_upn), dict(full.by_nhs_number))
    assert light.by_upn[UPN_B] == {former.pk} and merged.pk not in light.live


def test_checked_identifiers_are_not_checked_again_and_normalise_the_same(la: LocalAuthority) -> None:
    """A feed's parser checks UPNs and NHS numbers once (``identifiers_checked``): what it passes on is "" or
    valid, and normalising gives what checking again would."""
    for upn, nhs in ((UPN_A, NHS_A), ("", "")):
        checked = record_in(upn=upn, nhs_number=nhs, identifiers_checked=True)
        assert normalise_record(checked) == normalise_record(record_in(upn=upn, nhs_number=nhs))
    assert normalise_record(record_in(upn="X" + UPN_A[1:]))["upn"] == ""


def test_engine_decides_by_the_local_authority_thresholds(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    same = ChildFactory(local_authority=la, legal_forename="Amelia", legal_surname="Thompson")
    twin = ChildFactory(local_authority=la, legal_forename="Zara", legal_surname="Khan",
                        date_of_birth=dt.date(2015, 1, 2))
    records = upsert(
        la,
        record_in("H1"),  # same name and date of birth: 0.99 -> linked
        record_in("H2", forename="Nadia", surname="Khan", date_of_birth=dt.date(2015, 1, 2)),  # 0.7 -> review
        record_in("H3", forename="Nobody", surname="Else"),  # 0.01 -> not linked
    ).records
    result = link(la, records)
    assert (result.auto_linked, result.queued_for_review, result.new_children, result.unlinked) == (1, 1, 0, 1)
    linked, review, unlinked = (SourceRecord.objects.get(source_record_id=i) for i in ("H1", "H2", "H3"))
    assert (linked.child_id, linked.link_status, linked.link_method) == (same.pk, "linked", "probabilistic")
    assert (review.child_id, review.link_status) == (None, "review")
    assert (unlinked.child_id, unlinked.link_status) == (None, "unlinked")
    candidate = MatchCandidate.objects.get()
    assert (candidate.source_record_id, candidate.child_id, candidate.status, candidate.source) == (
        review.pk, twin.pk, "open", "health")
    assert candidate.probability == pytest.approx(0.7)
    la.linkage_upper_threshold = 0.6  # a setting, not a constant
    la.save()
    SourceRecord.objects.filter(pk=review.pk).update(link_status="unlinked")
    assert link(la, [SourceRecord.objects.get(pk=review.pk)]).auto_linked == 1


def test_two_children_above_the_upper_threshold_go_to_review(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    ChildFactory(local_authority=la)
    ChildFactory(local_authority=la)  # a duplicate child record: same name and date of birth
    result = link(la, upsert(la, record_in()).records)
    assert result.queued_for_review == 1
    assert MatchCandidate.objects.filter(status="open").count() == 2


def test_below_the_lower_threshold_a_new_child_is_made_when_asked(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    records = upsert(la, record_in("H1", upn=UPN_A), record_in("H2", upn=UPN_A, source="hmrc_child_benefit"),
                     record_in("H3", forename="", surname="")).records
    result = link(la, records, create_children=True)
    assert (result.new_children, result.unlinked) == (2, 1)
    child = Child.objects.get()
    assert (child.legal_forename, child.legal_surname, child.upn, child.current_postcode) == (
        "Amelia", "Thompson", UPN_A, "OX4 1AB")
    assert child.addresses.get().address.line1 == "12 Cowley Road"
    statuses = dict(SourceRecord.objects.values_list("source_record_id", "link_status"))
    assert statuses == {"H1": "new_child", "H2": "new_child", "H3": "unlinked"}
    assert AuditEvent.objects.filter(child_id=child.pk, action="create", object_type="children.child").exists()


def test_linking_again_is_idempotent_and_leaves_linked_records_alone(la: LocalAuthority,
                                                                     fake_engine: FakeEngine) -> None:
    ChildFactory(local_authority=la, legal_forename="Zara", legal_surname="Khan", date_of_birth=dt.date(2015, 1, 2))
    linked = ChildFactory(local_authority=la)
    records = upsert(la, record_in("H1"), record_in("H2", forename="Nadia", surname="Khan",
                                                    date_of_birth=dt.date(2015, 1, 2))).records
    link(la, records)
    again = link(la, list(SourceRecord.objects.all()))
    assert (again.auto_linked, again.queued_for_review) == (0, 1)
    assert MatchCandidate.objects.count() == 1
    assert SourceRecord.objects.get(source_record_id="H1").child_id == linked.pk


def test_records_of_another_local_authority_are_ignored(la: LocalAuthority, other_la: LocalAuthority,
                                                        fake_engine: FakeEngine) -> None:
    ChildFactory(local_authority=la, upn=UPN_A)
    records = upsert(other_la, record_in(upn=UPN_A)).records
    assert link(la, records).auto_linked == 0
    assert SourceRecord.objects.get().child_id is None


# --- rejected pairs stay rejected (acceptance test of issue 7) -------------------------------------------------


def test_a_rejected_pair_is_never_proposed_or_linked_again_across_reruns(la: LocalAuthority, officer: User,
                                                                         fake_engine: FakeEngine) -> None:
    """Issue 7 acceptance: rejected pairs stay rejected across re-runs, and the decision is audited (R2.2)."""
    child = ChildFactory(local_authority=la, legal_forename="Zara", legal_surname="Khan",
                         date_of_birth=dt.date(2015, 1, 2))
    records = upsert(la, record_in(forename="Nadia", surname="Khan", date_of_birth=dt.date(2015, 1, 2))).records
    link(la, records)
    candidate = MatchCandidate.objects.get()
    match_reject(actor=Auditor.for_user(officer), user=officer, candidate=candidate, reason="Twin sister")
    record = SourceRecord.objects.get()
    assert record.link_status == "unlinked"
    decision = LinkDecision.objects.get()
    assert (decision.decision, decision.reason, decision.decided_by, decision.child_id) == (
        "different", "Twin sister", officer, child.pk)
    audited = AuditEvent.objects.get(child_id=child.pk, reason="Twin sister")
    assert (audited.actor, audited.action, audited.object_type) == (officer, "update", "matching.matchcandidate")

    for _ in range(2):  # re-runs, first as they were ...
        assert link(la, [SourceRecord.objects.get()]).queued_for_review == 0
    la.linkage_upper_threshold, la.linkage_lower_threshold = 0.6, 0.2  # ... then thresholds that would auto-link
    la.save()
    assert link(la, [SourceRecord.objects.get()]).auto_linked == 0
    SourceRecord.objects.update(upn=UPN_A)  # ... and even a UPN that now points at that child
    Child.objects.filter(pk=child.pk).update(upn=UPN_A)
    assert link(la, [SourceRecord.objects.get()]).auto_linked == 0
    assert SourceRecord.objects.get().child_id is None
    assert MatchCandidate.objects.get().status == "rejected"
    assert MatchCandidate.objects.filter(status="open").count() == 0


def test_a_rejection_survives_a_merge_of_the_child(la: LocalAuthority, manager: User,
                                                   fake_engine: FakeEngine) -> None:
    from cme.matching.merging import child_merge

    rejected = ChildFactory(local_authority=la, legal_forename="Zara", legal_surname="Khan",
                            date_of_birth=dt.date(2015, 1, 2))
    keep = ChildFactory(local_authority=la, legal_forename="Zahra", legal_surname="Khan",
                        date_of_birth=dt.date(2015, 1, 2))
    record = SourceRecordFactory(local_authority=la, forename="Nadia", surname="Khan",
                                 date_of_birth=dt.date(2015, 1, 2), link_status="review")
    candidate = MatchCandidateFactory(source_record=record, child=rejected)
    match_reject(actor=Auditor.for_user(manager), user=manager, candidate=candidate, reason="Sister")
    child_merge(actor=Auditor.for_user(manager), user=manager, keep=keep, merge=rejected, reason="Same girl")
    la.linkage_upper_threshold = 0.6
    la.save()
    assert link(la, [SourceRecord.objects.get(pk=record.pk)]).auto_linked == 0


# --- review decisions -------------------------------------------------------------------------------------------


def test_accepting_links_the_record_and_keeps_the_new_name_and_address_as_history(la: LocalAuthority,
                                                                                 officer: User) -> None:
    child = ChildFactory(local_authority=la, legal_forename="Amelia", legal_surname="Thompson")
    ChildAddressFactory(child=child)
    record = SourceRecordFactory(local_authority=la, forename="Millie", surname="Thompson",
                                 address="4 New Street, Banbury", postcode="OX16 5AA", link_status="review")
    candidate = MatchCandidateFactory(source_record=record, child=child, probability=0.81)
    other = MatchCandidateFactory(source_record=record, child=ChildFactory(local_authority=la))
    match_accept(actor=Auditor.for_user(officer), user=officer, candidate=candidate, reason="Same NHS letter")
    record.refresh_from_db()
    assert (record.child_id, record.link_status, record.link_method, record.link_probability) == (
        child.pk, "linked", "reviewed", 0.81)
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "accepted"
    assert MatchCandidate.objects.get(pk=other.pk).status == "superseded"
    assert ChildName.objects.filter(child=child, kind="alias", forename="Millie").exists()
    assert child.addresses.filter(address__line1="4 New Street", address__postcode="OX16 5AA").exists()
    decision = LinkDecision.objects.get()
    assert (decision.decision, decision.probability, decision.decided_by_label) == ("same", 0.81, officer.email)
    event = AuditEvent.objects.get(child_id=child.pk, object_type="matching.sourcerecord")
    assert (event.actor, event.reason) == (officer, "Same NHS letter")


def test_accepting_the_same_name_and_address_adds_no_history(la: LocalAuthority, officer: User) -> None:
    child = ChildFactory(local_authority=la)
    ChildAddressFactory(child=child, address__line1="12 Cowley Road")
    candidate = MatchCandidateFactory(child=child, source_record__address="12 COWLEY ROAD, Oxford")
    match_accept(actor=Auditor.for_user(officer), user=officer, candidate=candidate)
    assert not ChildName.objects.filter(child=child).exists()
    assert child.addresses.count() == 1


def test_a_rejection_needs_a_reason_and_a_pair_is_decided_once(la: LocalAuthority, officer: User) -> None:
    candidate = MatchCandidateFactory(child=ChildFactory(local_authority=la))
    actor = Auditor.for_user(officer)
    with pytest.raises(LinkageError):
        match_reject(actor=actor, user=officer, candidate=candidate, reason="  ")
    match_reject(actor=actor, user=officer, candidate=candidate, reason="Different mother")
    with pytest.raises(LinkageError, match="already decided"):
        match_accept(actor=actor, user=officer, candidate=candidate)
    assert AuditEvent.objects.filter(child_id=candidate.child_id, reason="Different mother").count() == 1


# --- possible duplicate children --------------------------------------------------------------------------------


def test_possible_duplicate_children_are_queued_once_and_rejections_stick(la: LocalAuthority, officer: User,
                                                                          fake_engine: FakeEngine) -> None:
    a = ChildFactory(local_authority=la)
    b = ChildFactory(local_authority=la)
    ChildFactory(local_authority=la, legal_forename="Other", legal_surname="Person")
    system = Auditor.system("matching.test")
    assert child_duplicates_find(actor=system, local_authority=la) == 1
    assert child_duplicates_find(actor=system, local_authority=la) == 1
    candidate = MatchCandidate.objects.get()
    assert (candidate.child_id, candidate.other_child_id, candidate.source) == (min(a.pk, b.pk), max(a.pk, b.pk),
                                                                                 "children")
    match_reject(actor=Auditor.for_user(officer), user=officer, candidate=candidate, reason="Twins")
    assert AuditEvent.objects.filter(child_id=a.pk, reason="Twins").exists()
    assert AuditEvent.objects.filter(child_id=b.pk, reason="Twins").exists()
    assert child_duplicates_find(actor=system, local_authority=la) == 0
    assert MatchCandidate.objects.get().status == "rejected"
    with pytest.raises(LinkageError):
        candidate.status = "open"
        MatchCandidate.objects.filter(pk=candidate.pk).update(status="open")
        match_accept(actor=Auditor.for_user(officer), user=officer, candidate=candidate)


# --- the real engine ----------------------------------------------------------------------------------------------


def test_the_real_engine_links_a_lightly_misspelt_record_and_not_a_stranger(la: LocalAuthority) -> None:
    child = ChildFactory(local_authority=la, legal_forename="Mohammed", legal_surname="Rahman", sex="M",
                         date_of_birth=dt.date(2014, 3, 9), current_postcode="OX4 3HX")
    ChildAddressFactory(child=child, address__line1="27 Magdalen Road", address__postcode="OX4 3HX")
    for i in range(30):
        ChildFactory(local_authority=la, legal_forename=f"Name{i}", legal_surname=f"Family{i}",
                     date_of_birth=dt.date(2012, 1, 1) + dt.timedelta(days=40 * i), current_postcode="OX1 1AA")
    records = upsert(
        la,
        record_in("H1", forename="Muhammad", surname="Rahman", sex="M", date_of_birth=dt.date(2014, 3, 9),
                  postcode="OX4 3HX", address="27 Magdalen Rd, Oxford"),
        record_in("H2", forename="Olga", surname="Nowak", date_of_birth=dt.date(2011, 7, 1), postcode="OX2 6AA"),
    ).records
    result = link(la, records)
    assert result.auto_linked + result.queued_for_review == 1
    assert result.unlinked == 1
    assert SourceRecord.objects.get(source_record_id="H2").child_id is None
    h1 = SourceRecord.objects.get(source_record_id="H1")
    assert h1.child_id == child.pk or MatchCandidate.objects.filter(source_record=h1, child=child).exists()
