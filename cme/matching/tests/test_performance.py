"""Linking cost must not grow per record in queries, and 100k records must link in well under a minute.

The 100k benchmark runs with the real engine on SQLite only when asked (about a minute, most of it set-up):
    CME_BENCH=1 .venv/bin/python -m pytest cme/matching/tests/test_performance.py -q -s
It runs outside a test transaction: on the test runner's in-memory SQLite, many single-row UPDATEs inside a
savepoint are very slow, which is not what production (a file database, WAL) sees.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cme.audit.services import Auditor
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.matching.models import SourceRecord
from cme.matching.services import RecordIn, source_records_link, source_records_upsert
from cme.matching.tests.conftest import FakeEngine

SYSTEM = Auditor.system("bench")


def _records(la: LocalAuthority, n: int, offset: int) -> list[SourceRecord]:
    rows = [RecordIn(source="health", source_record_id=f"H{offset + i}", forename=f"Child{offset + i}",
                     surname="Thompson", date_of_birth=dt.date(2016, 5, 14)) for i in range(n)]
    return source_records_upsert(actor=SYSTEM, local_authority=la, run_id=1, records=rows).records


def test_linking_makes_the_same_queries_for_20_records_as_for_200(la: LocalAuthority,
                                                                  fake_engine: FakeEngine) -> None:
    for i in range(5):
        ChildFactory(local_authority=la, legal_forename=f"Child{i}")
    counts = []
    for n, offset in ((20, 0), (200, 1000)):
        records = _records(la, n, offset)
        with CaptureQueriesContext(connection) as ctx:
            source_records_link(actor=SYSTEM, local_authority=la, records=records)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert len(fake_engine.calls) == 2  # one engine call per batch, never one per record


@pytest.mark.skipif(not os.environ.get("CME_BENCH"), reason="benchmark: set CME_BENCH=1")
@pytest.mark.django_db(transaction=True)  # no test transaction: the service's own is outermost, as in production
def test_100k_records_link_in_well_under_a_minute() -> None:
    from cme.matching.linkage.standardise import parse_dob
    from cme.matching.linkage.synthetic import linkage_extracts

    la = LocalAuthority.objects.create(code="931", name="Benchmark")
    n = int(os.environ.get("CME_BENCH_N", "100000"))
    extracts = linkage_extracts(n, seed=7)
    children, child_of_left = [], {}
    for row in extracts.left.to_dict("records"):
        dob = parse_dob(row["dob"])
        if dob is None or not row["first_name"] or not row["last_name"]:
            continue
        children.append(Child(local_authority=la, legal_forename=row["first_name"], legal_surname=row["last_name"],
                              date_of_birth=dob, sex=row["sex"] or "U", upn=row["upn"] or "",
                              nhs_number=row["nhs_number"] or "", current_postcode=(row["postcode"] or "")[:8]))
        child_of_left[len(children) - 1] = row["id"]
    created = Child.objects.bulk_create(children, batch_size=2000)
    left_to_child = {child_of_left[i]: c.pk for i, c in enumerate(created)}
    records = [RecordIn(source="hmrc_child_benefit", source_record_id=row["id"], forename=row["first_name"] or "",
                        surname=row["last_name"] or "", date_of_birth=parse_dob(row["dob"]), sex=row["sex"] or "",
                        postcode=row["postcode"] or "", address=row["address"] or "", upn=row["upn"] or "",
                        nhs_number=row["nhs_number"] or "") for row in extracts.right.to_dict("records")]
    started = time.perf_counter()
    upserted = source_records_upsert(actor=SYSTEM, local_authority=la, run_id=1, records=records)
    upsert_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = source_records_link(actor=SYSTEM, local_authority=la, records=upserted.records)
    link_seconds = time.perf_counter() - started
    truth = {right: left_to_child.get(left) for left, right in extracts.truth}
    linked = dict(SourceRecord.objects.filter(child__isnull=False).values_list("source_record_id", "child_id"))
    correct = sum(1 for rid, child in linked.items() if truth.get(rid) == child)
    print(f"\n{len(created):,} children, {len(records):,} records: upsert {upsert_seconds:.1f} s, "
          f"link {link_seconds:.1f} s; {result}; {correct:,}/{len(linked):,} links correct, "
          f"{len(truth):,} true pairs")
    assert link_seconds < 60
    assert correct / max(len(linked), 1) > 0.98
