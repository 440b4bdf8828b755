"""Fetching the school feed from Wonde's API: token from the environment, pages followed, names as the folder."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from cme.audit.services import Auditor
from cme.children.models import School
from cme.core.models import LocalAuthority
from cme.feeds.models import FeedRun, FeedSource
from cme.feeds.services import feeds_run_all
from cme.feeds.tests.factories import FeedSourceFactory, student
from cme.feeds.transport import TransportError, wonde_fetch

ON = dt.date(2026, 11, 27)
BASE = "https://api.wonde.test/v1.0/schools"


class FakeResponse:
    def __init__(self, payload: dict[str, Any], status: int = 200) -> None:
        self.payload, self.status_code = payload, status
        self.content = json.dumps(payload).encode()

    def json(self) -> dict[str, Any]:
        return self.payload

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeWonde:
    """Two pages of students, then empty endpoints; records what it was asked."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.calls: list[tuple[str, dict[str, Any] | None]] = []

    def get(self, url: str, params: dict[str, Any] | None = None, timeout: int = 0) -> FakeResponse:
        self.calls.append((url, params))
        if url == f"{BASE}/A1930499544":
            return FakeResponse({"data": {"id": "A1930499544", "la_code": "931", "establishment_number": "2001"}})
        if url == f"{BASE}/A1930499544/students":
            return FakeResponse({"data": [student("S1")], "meta": {"pagination": {
                "next": f"{BASE}/A1930499544/students?page=2", "more": True}}})
        if url.endswith("students?page=2"):
            return FakeResponse({"data": [student("S2", forename="Oliver")],
                                 "meta": {"pagination": {"next": None, "more": False}}})
        return FakeResponse({"data": [], "meta": {"pagination": {"next": None, "more": False}}})


@pytest.fixture
def wonde_source(la: LocalAuthority, school: School) -> FeedSource:
    return FeedSourceFactory(local_authority=la, kind=FeedSource.Kind.WONDE, source="school_feed",
                             transport=FeedSource.Transport.HTTP, base_url=BASE, token_env_var="CME_TEST_WONDE",
                             school_ids=["A1930499544"], create_children=True)


def test_pages_are_followed_and_named_like_the_folder_layout(wonde_source: FeedSource,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CME_TEST_WONDE", "secret-token")
    fake = FakeWonde()
    files = wonde_fetch(source=wonde_source, on=ON, session=fake)  # type: ignore[arg-type]
    assert [f.name for f in files][:4] == ["9312001/school.json", "9312001/students/0001.json",
                                           "9312001/students/0002.json", "9312001/students-leaver/0001.json"]
    assert fake.headers["Authorization"] == "Bearer secret-token"
    first_students = next(p for u, p in fake.calls if u.endswith("/students"))
    assert first_students is not None and "updated_after" not in first_students  # no earlier run: a full sync
    assert any(p and p.get("date") == "2026-11-27" for u, p in fake.calls if u.endswith("attendance/session"))


def test_a_missing_token_is_a_clear_failed_run(wonde_source: FeedSource, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CME_TEST_WONDE", raising=False)
    with pytest.raises(TransportError, match="CME_TEST_WONDE is not set"):
        wonde_fetch(source=wonde_source, on=ON, session=FakeWonde())  # type: ignore[arg-type]
    (run,) = feeds_run_all(actor=Auditor.system("tests"), local_authority=wonde_source.local_authority, on=ON)
    assert run.status == FeedRun.Status.FAILED and "CME_TEST_WONDE is not set" in run.error


def test_the_token_is_never_stored(wonde_source: FeedSource) -> None:
    assert "secret" not in json.dumps([wonde_source.base_url, wonde_source.token_env_var, wonde_source.school_ids])
