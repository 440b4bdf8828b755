from __future__ import annotations

from typing import Any

import pytest

from cme.audit.models import AuditEvent
from cme.children.models import Child, ChildName, Enrolment
from cme.core.models import LocalAuthority
from cme.feeds.models import AttendanceSession, DetectionHit, FeedSource, PlaceAllocation
from cme.feeds.tests.factories import FeedSourceFactory
from cme.matching.models import MatchCandidate, SourceRecord


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs subprocesses for tens of seconds (feeds kill-and-rerun)")


def canonical_dump() -> dict[str, Any]:
    """The data a feed run may change, as plain sorted rows (no timestamps): equal dumps, equal databases."""
    return {
        "children": sorted(Child.objects.values_list("pk", "legal_forename", "legal_surname", "date_of_birth", "upn",
                                                     "nhs_number", "merged_into_id")),
        "names": ChildName.objects.count(),
        "enrolments": sorted(Enrolment.objects.values_list("child_id", "school_id", "start", "end", "nc_year_actual",
                                                           "deletion_ground", "destination_laestab", "source")),
        "attendance": sorted(AttendanceSession.objects.values_list("child_id", "school_id", "date", "session",
                                                                   "code")),
        "records": sorted(SourceRecord.objects.values_list("source", "source_record_id", "row_hash", "child_id",
                                                           "link_status", "forename", "surname", "upn")),
        "candidates": sorted(MatchCandidate.objects.values_list("source_record__source_record_id", "child_id",
                                                                "status")),
        "allocations": sorted(PlaceAllocation.objects.values_list("kind", "source", "source_record_id", "laestab",
                                                                  "start")),
        "hits": sorted(DetectionHit.objects.values_list("dedupe_key", "route", "first_found", "cleared_on")),
        "audit": AuditEvent.objects.exclude(object_type="feeds.feedrun").count(),
    }


@pytest.fixture
def dump() -> Any:
    return canonical_dump


@pytest.fixture
def feed(la: LocalAuthority) -> FeedSource:
    """The LA's school feed (Wonde pages), making children of the pupils nobody matches."""
    return FeedSourceFactory(local_authority=la, slug="school-feed", kind=FeedSource.Kind.WONDE,
                             source="school_feed", create_children=True)
