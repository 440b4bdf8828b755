"""Linking an LA's children in bounded memory (SECURITY-PLAN PERF-4; matching.services `_children_for_linking`,
`source_records_link_identified`, `_upsert` in batches): the same links as the whole-index path, R2.2."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
import pytest
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.children.models import Child, ChildIdentifier, ChildName
from cme.children.tests.factories import ChildAddressFactory, ChildFactory
from cme.core.models import LocalAuthority
from cme.law import upn as upns
from cme.matching import frames, services
from cme.matching.models import LinkDecision, MatchCandidate, SourceRecord
from cme.matching.services import source_records_import, source_records_link, source_records_link_identified
from cme.matching.tests.conftest import FakeEngine
from cme.matching.tests.test_services import NHS_A, UPN_A, UPN_B, _import_world, _outcome, record_in, upsert

SYSTEM = Auditor.system("feeds.test")


def _people(la: LocalAuthority) -> None:
    """Children with preferred, former and other names, a current and an old address, and a merged child."""
    for number, (forename, surname) in enumerate([("Amelia", "Thompson"), ("Jo", "Smith"), ("Li", "Wu"),
                                                  ("Ola", "Nowak"), ("Sam", "Okafor")]):
        child = ChildFactory(local_authority=la, legal_forename=forename, legal_surname=surname,
                             preferred_forename="Millie" if number == 0 else "",
                             date_of_birth=dt.date(2014, 1, 1) + dt.timedelta(days=99 * number))
        ChildAddressFactory(child=child, address__line1=f"{number} High Street", address__postcode="OX4 1AB")
        if number % 2:
            ChildName.objects.create(child=child, kind=ChildName.Kind.FORMER, forename=forename,
                                     surname=f"{surname}-Old", source="test")
    merged = ChildFactory(local_authority=la, legal_forename="Gone")
    Child.objects.filter(pk=merged.pk).update(merged_into=Child.objects.filter(local_authority=la).first())


def test_children_frame_chunks_hold_the_rows_of_the_whole_index(la: LocalAuthority) -> None:
    _people(la)
    whole = frames.children_index(la).frame()
    chunks = list(frames.children_frame_chunks(la, chunk_size=2))
    assert len(chunks) == 3  # five live children, two a window
    windowed = pd.concat(chunks, ignore_index=True)
    key = list(frames.FRAME_COLUMNS)
    assert sorted(map(tuple, windowed[key].astype(str).values)) == sorted(map(tuple, whole[key].astype(str).values))
    assert any("a" in i[1:] for i in windowed["id"])  # preferred and other names are there, numbered as a whole


def test_the_identifier_look_ups_of_given_numbers(la: LocalAuthority) -> None:
    _import_world(la)
    former = ChildFactory(local_authority=la, legal_forename="Yan")
    ChildIdentifier.objects.create(child=former, kind=ChildIdentifier.Kind.FORMER_UPN, value=UPN_B)
    full = frames.children_identifiers(la)
    some = frames.children_identifiers(la, upns=[UPN_B, "", UPN_B], nhs_numbers=[NHS_A])
    assert (some.live, some.count) == (full.live, full.count)
    assert dict(some.by_upn) == {UPN_B: {former.pk}} and dict(some.by_nhs_number) == {NHS_A: full.by_nhs_number[NHS_A]}


def test_a_large_la_links_in_windows_with_the_same_outcome(la: LocalAuthority, other_la: LocalAuthority,
                                                           fake_engine: FakeEngine,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    records = _import_world(la)
    _import_world(other_la)
    whole = source_records_import(actor=SYSTEM, local_authority=la, run_id=1, records=records, create_children=True)
    seen: list[int] = []

    def windowed_engine(left: pd.DataFrame, chunks: object, *, threshold: float) -> pd.DataFrame:
        frames_ = list(chunks)  # type: ignore[call-overload]
        seen.append(len(frames_))
        return fake_engine(left, pd.concat(frames_, ignore_index=True), threshold=threshold)

    monkeypatch.setattr(services, "_engine_pairs_chunked", windowed_engine)
    monkeypatch.setattr(services, "STREAM_CHILDREN_ABOVE", 0)  # every LA counts as large: windows of 2 children
    monkeypatch.setattr(frames, "children_frame_chunks", functools.partial(frames.children_frame_chunks,
                                                                           chunk_size=2))
    big = source_records_import(actor=SYSTEM, local_authority=other_la, run_id=1, records=records,
                                create_children=True)
    assert seen and seen[0] > 1  # the engine was given the children in several windows
    assert big[1] == whole[1]
    assert [row[0:1] + row[2:] for row in _outcome(other_la)] == [row[0:1] + row[2:] for row in _outcome(la)]


def test_the_real_engine_gives_the_same_links_in_windows(la: LocalAuthority, other_la: LocalAuthority,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def world(authority: LocalAuthority) -> list[SourceRecord]:
        child = ChildFactory(local_authority=authority, legal_forename="Mohammed", legal_surname="Rahman", sex="M",
                             date_of_birth=dt.date(2014, 3, 9), current_postcode="OX4 3HX")
        ChildAddressFactory(child=child, address__line1="27 Magdalen Road", address__postcode="OX4 3HX")
        for i in range(30):
            ChildFactory(local_authority=authority, legal_forename=f"Name{i}", legal_surname=f"Family{i}",
                         date_of_birth=dt.date(2012, 1, 1) + dt.timedelta(days=40 * i), current_postcode="OX1 1AA")
        return upsert(authority,
                      record_in("H1", forename="Muhammad", surname="Rahman", sex="M",
                                date_of_birth=dt.date(2014, 3, 9), postcode="OX4 3HX", address="27 Magdalen Rd"),
                      record_in("H2", forename="Name3", surname="Family3", date_of_birth=dt.date(2012, 5, 10)),
                      record_in("H3", forename="Olga", surname="Nowak", date_of_birth=dt.date(2011, 7, 1))).records

    whole = source_records_link(actor=SYSTEM, local_authority=la, records=world(la))
    monkeypatch.setattr(services, "STREAM_CHILDREN_ABOVE", 0)
    monkeypatch.setattr(frames, "children_frame_chunks", functools.partial(frames.children_frame_chunks,
                                                                           chunk_size=7))
    windowed = source_records_link(actor=SYSTEM, local_authority=other_la, records=world(other_la))
    assert windowed == whole and whole.unlinked >= 1

    def links(authority: LocalAuthority) -> list[tuple[object, ...]]:
        return list(SourceRecord.objects.filter(local_authority=authority).order_by("source_record_id").values_list(
            "source_record_id", "child__legal_forename", "link_status", "link_probability"))

    assert links(other_la) == links(la)
    candidates = [list(MatchCandidate.objects.filter(local_authority=a).order_by("source_record__source_record_id")
                       .values_list("source_record__source_record_id", "child__legal_forename", "probability"))
                  for a in (la, other_la)]
    assert candidates[0] == candidates[1]


def test_identified_records_are_linked_without_the_engine_and_the_rest_left(la: LocalAuthority,
                                                                            fake_engine: FakeEngine) -> None:
    """Linking step 2 on its own (a deferred partner extract): a number of one live child links; a shared number,
    a person's decision and an open review are left to `source_records_link` (step 1 comes first)."""
    by_nhs = ChildFactory(local_authority=la, nhs_number=NHS_A)
    for forename in ("Ann", "Bea"):
        ChildFactory(local_authority=la, upn=UPN_B, legal_forename=forename)
    by_upn = ChildFactory(local_authority=la, upn=UPN_A)
    other_upn = upns.make_upn("931", "2001", 20, 777)
    reviewed = ChildFactory(local_authority=la, upn=other_upn)
    upsert(la, record_in("R1", nhs_number=NHS_A), record_in("R2", upn=UPN_B), record_in("R3", upn=UPN_A),
           record_in("R4", upn=other_upn), record_in("R5"))
    records = {r.source_record_id: r for r in SourceRecord.objects.all()}
    LinkDecision.objects.create(local_authority=la, source_record=records["R3"], child=by_upn, decision="different",
                                decided_by_label="officer", decided_at=timezone.now())
    MatchCandidate.objects.create(local_authority=la, source_record=records["R4"], child=reviewed, source="health",
                                  probability=0.7, match_weight=1.0)
    linked = source_records_link_identified(actor=SYSTEM, local_authority=la, records=SourceRecord.objects.all())
    assert linked == 1 and fake_engine.calls == []
    after = {r.source_record_id: r for r in SourceRecord.objects.all()}
    r1 = after["R1"]
    assert (r1.child_id, r1.link_status, r1.link_method, r1.link_probability) == (
        by_nhs.pk, "linked", "nhs_number", 1.0)
    assert r1.linked_at is not None
    assert all(after[k].child_id is None and after[k].link_status == "unlinked" for k in ("R2", "R3", "R4", "R5"))
    assert AuditEvent.objects.filter(object_type="matching.sourcerecord",
                                     summary__startswith="linkage: 1 linked").count() == 1
    assert source_records_link_identified(actor=SYSTEM, local_authority=la, records=SourceRecord.objects.all()) == 0


def test_new_records_are_inserted_in_batches_with_the_same_outcome(la: LocalAuthority, other_la: LocalAuthority,
                                                                   fake_engine: FakeEngine,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    records = _import_world(la)
    _import_world(other_la)
    whole = source_records_import(actor=SYSTEM, local_authority=la, run_id=1, records=records, create_children=True)
    monkeypatch.setattr(services, "_INSERT_BATCH", 2)
    batched = source_records_import(actor=SYSTEM, local_authority=other_la, run_id=1, records=records,
                                    create_children=True)
    assert (batched[0].created, batched[0].changed, batched[0].unchanged) == (5, 0, 0)
    assert batched[1] == whole[1]
    assert [row[0:1] + row[2:] for row in _outcome(other_la)] == [row[0:1] + row[2:] for row in _outcome(la)]
