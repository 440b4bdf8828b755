from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.children.models import Child
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.matching.models import MatchCandidate, SourceRecord
from cme.matching.services import match_reject
from cme.matching.tests.conftest import FakeEngine
from cme.matching.tests.factories import SourceRecordFactory


def relink(*args: str) -> str:
    out = StringIO()
    call_command("relink_all", "--no-progress", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def records(la: LocalAuthority) -> list[SourceRecord]:
    ChildFactory(local_authority=la)  # Amelia Thompson
    ChildFactory(local_authority=la, legal_forename="Zara", legal_surname="Khan", date_of_birth=dt.date(2015, 1, 2))
    return [
        SourceRecordFactory(local_authority=la),
        SourceRecordFactory(local_authority=la, forename="Nadia", surname="Khan", date_of_birth=dt.date(2015, 1, 2)),
        SourceRecordFactory(local_authority=la, forename="New", surname="Person", source="hmrc_child_benefit"),
    ]


def test_relink_all_links_queues_and_is_idempotent(records: list[SourceRecord], fake_engine: FakeEngine) -> None:
    line = relink()
    assert line.strip() == ("relink_all 931: 3 records: 1 linked, 1 for review, 0 new children, 1 not linked")
    assert relink().strip() == "relink_all 931: 2 records: 0 linked, 1 for review, 0 new children, 1 not linked"
    assert MatchCandidate.objects.count() == 1


def test_relink_all_can_make_new_children_for_chosen_sources(records: list[SourceRecord],
                                                             fake_engine: FakeEngine) -> None:
    assert "1 new children" in relink("--create-children-for", "hmrc_child_benefit")
    assert Child.objects.filter(legal_surname="Person").count() == 1


def test_a_dry_run_saves_nothing(records: list[SourceRecord], fake_engine: FakeEngine) -> None:
    assert relink("--dry-run").strip().endswith("(dry run: nothing saved)")
    assert not SourceRecord.objects.exclude(link_status="unlinked").exists()
    assert not MatchCandidate.objects.exists()


def test_rejected_pairs_stay_rejected_across_relink_all(records: list[SourceRecord], officer: User,
                                                        fake_engine: FakeEngine) -> None:
    relink()
    match_reject(actor=Auditor.for_user(officer), user=officer, candidate=MatchCandidate.objects.get(),
                 reason="Cousins")
    la = officer.local_authority
    la.linkage_upper_threshold, la.linkage_lower_threshold = 0.6, 0.2
    la.save()
    for _ in range(2):
        assert "0 linked, 0 for review" in relink("--find-duplicate-children", "--explain")
    assert SourceRecord.objects.get(forename="Nadia").child_id is None
    assert list(MatchCandidate.objects.values_list("status", flat=True)) == ["rejected"]


def test_relink_all_only_for_known_councils(records: list[SourceRecord], fake_engine: FakeEngine) -> None:
    with pytest.raises(CommandError, match="No council with LA code 999"):
        relink("--la", "999")
    assert relink("--la", "931", "--source", "dwp").startswith("relink_all 931: 0 records")
