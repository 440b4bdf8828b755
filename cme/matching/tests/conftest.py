"""Fixtures for the matching app: a fast stand-in for the Splink engine, and the real engine when wanted."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from cme.matching import services

Score = Callable[[dict[str, Any], dict[str, Any]], float]


def simple_score(left: dict[str, Any], right: dict[str, Any]) -> float:
    """Same name and date of birth: 0.99; same surname and date of birth: 0.7; same surname: 0.3; else 0.01."""
    def same(column: str) -> bool:
        a, b = left.get(column), right.get(column)
        return bool(a) and bool(b) and str(a).lower() == str(b).lower()

    if same("first_name") and same("last_name") and same("dob"):
        return 0.99
    if same("last_name") and same("dob"):
        return 0.7
    if same("last_name"):
        return 0.3
    return 0.01


def _weight(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log2(probability / (1 - probability))


class FakeEngine:
    """Scores every pair with ``score`` (tests are small) and records each call, like `link_frames` would."""

    def __init__(self, score: Score = simple_score) -> None:
        self.score = score
        self.calls: list[dict[str, Any]] = []

    def __call__(self, left: pd.DataFrame, right: pd.DataFrame | None, *, threshold: float,
                 dedupe: bool = False) -> pd.DataFrame:
        self.calls.append({"left": len(left), "right": None if right is None else len(right), "dedupe": dedupe})
        left_rows = left.to_dict("records")
        rows = []
        if dedupe:
            pairs = [(a, b) for i, a in enumerate(left_rows) for b in left_rows[i + 1:]]
        else:
            pairs = [(a, b) for a in left_rows for b in (right.to_dict("records") if right is not None else [])]
        for a, b in pairs:
            probability = self.score(a, b)
            if probability >= threshold:
                rows.append((str(a["id"]), str(b["id"]), probability, _weight(probability)))
        return pd.DataFrame(rows, columns=["left_id", "right_id", "probability", "match_weight"])


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEngine]:
    engine = FakeEngine()
    monkeypatch.setattr(services, "_engine_pairs", engine)
    yield engine


@pytest.fixture
def fake_explain(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed explanation, so review pages render without the engine."""
    from cme.matching.linkage.link import ComparisonExplanation, PairExplanation

    def explain(left: dict[str, Any], right: dict[str, Any], **kwargs: Any) -> PairExplanation:
        return PairExplanation(probability=0.8, match_weight=2.0, prior_match_weight=-10.0, comparisons=(
            ComparisonExplanation("first_name", "Exact match on first name", left.get("first_name"),
                                  right.get("first_name"), 6.5),
            ComparisonExplanation("dob", "Exact match on date of birth", left.get("dob"), right.get("dob"), 5.5),
        ))

    monkeypatch.setattr("cme.matching.linkage.link.explain_pair", explain)

