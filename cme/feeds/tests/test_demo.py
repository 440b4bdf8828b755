"""The demo feed files: each partner's extract is read back through its own column-mapping profile, with a few
malformed rows rejected and reported; the school feed is a folder of Wonde pages per day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cme.core.models import LocalAuthority
from cme.feeds.demo import DEMO_SOURCES, PROFILES, demo_seed
from cme.feeds.models import FeedSource
from cme.feeds.services import mapping_spec
from cme.feeds.sources import PARSERS
from cme.synthetic import generate_council

ON = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def council():  # type: ignore[no-untyped-def]
    return generate_council(children=400, seed=3, on=ON)


def test_demo_files_parse_with_their_profiles(la: LocalAuthority, council, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    counts = demo_seed(local_authority=la, on=ON, seed=3, council=council, run=False, root=tmp_path,
                       history_days=2)
    assert counts["school feed days"] == 3
    days = sorted(p.name for p in (tmp_path / "school-feed").iterdir())
    assert days[-1] == ON.isoformat() and len(days) == 3
    sources = {s.source: s for s in FeedSource.objects.filter(local_authority=la)}
    assert set(sources) == {"school_feed", *DEMO_SOURCES}
    for source in DEMO_SOURCES:
        feed = sources[source]
        (path,) = (tmp_path / source / ON.isoformat()).iterdir()
        assert path.name == PROFILES[source]["file"]
        parsed = PARSERS[source](path.read_bytes(), name=path.name, mapping=mapping_spec(feed), on=ON)
        assert len(parsed.items) == counts[f"{source} rows"]
        if len(parsed.items) >= 50:  # the malformed rows written on purpose
            assert 2 <= len(parsed.rejected) <= 5 + len(parsed.items) // 50, source
        assert len(parsed.accepted) > 0.9 * len(parsed.items), source
    first = tmp_path / "school-feed" / days[0]  # a full sync; later days send only what changed, and marks
    pupils = marks = 0
    for page in sorted(first.rglob("*.json")):
        parsed = PARSERS["school_feed"](page.read_bytes(), name=str(page.relative_to(first)), on=ON)
        assert not parsed.rejected, page
        pupils += sum(1 for a in parsed.accepted if a.record)
        marks += sum(1 for a in parsed.accepted if not a.record)
    assert pupils > 200 and marks > 2 * 200
