from __future__ import annotations

import datetime as dt

from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.matching.demo import demo_seed
from cme.matching.models import MatchCandidate, SourceRecord
from cme.matching.tests.conftest import FakeEngine

ON = dt.date(2026, 11, 20)


def test_demo_seed_links_noisy_extracts_deterministically(la: LocalAuthority, fake_engine: FakeEngine) -> None:
    for i in range(60):
        ChildFactory(local_authority=la, legal_forename=("Oliver", "Katie", "Mohammed")[i % 3],
                     legal_surname=f"Family{i % 40}", date_of_birth=dt.date(2012 + i % 8, 1 + i % 12, 1 + i % 28))
    counts = demo_seed(local_authority=la, on=ON, seed=4)
    assert counts["health records"] == 3 + 60 and counts["hmrc_child_benefit records"] == 2 + 60
    in_review = SourceRecord.objects.filter(link_status="review").count()
    assert counts["records linked"] + in_review + counts["records not linked"] == 125
    assert counts["records linked"] >= 1
    assert counts["pairs for review"] == MatchCandidate.objects.filter(status="open").count()
    assert SourceRecord.objects.count() == 125
    oldest = MatchCandidate.objects.order_by("created_at").first()
    assert oldest is None or oldest.created_at.date() <= ON
    first = sorted(SourceRecord.objects.values_list("source_record_id", "forename", "link_status"))
    SourceRecord.objects.all().delete()
    MatchCandidate.objects.all().delete()
    assert demo_seed(local_authority=la, on=ON, seed=4) == counts
    assert sorted(SourceRecord.objects.values_list("source_record_id", "forename", "link_status")) == first


def test_demo_seed_leaves_feed_records_alone_and_queues_duplicates(la: LocalAuthority,
                                                                   fake_engine: FakeEngine) -> None:
    from cme.matching.tests.factories import SourceRecordFactory

    ChildFactory(local_authority=la)
    ChildFactory(local_authority=la)  # the same child twice
    SourceRecordFactory(local_authority=la, source="school_feed")
    counts = demo_seed(local_authority=la, on=ON, seed=1)
    assert counts == {"possible duplicate children": 1, "pairs for review": 1}
    assert SourceRecord.objects.count() == 1
