"""Fast, deterministic random helpers (standard library ``random`` only).

Everything the generator draws comes from a ``random.Random`` seeded from the caller's seed, so the same
seed gives the same council on any machine and any Python 3.11+ (string seeds are hashed with SHA-512 by
``random``, not with the per-process ``hash``).
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

__all__ = ["Quota", "Weighted", "chance", "derive_rng", "stable_int"]

T = TypeVar("T")


class Weighted(Generic[T]):
    """Pick items with fixed relative weights, in O(log n) per draw."""

    __slots__ = ("_cum", "_items", "_last", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        kept = [(item, float(weight)) for item, weight in pairs if weight > 0]
        if not kept:
            raise ValueError("Weighted needs at least one item with a positive weight.")
        self._items: list[T] = [item for item, _ in kept]
        self._cum: list[float] = list(accumulate(weight for _, weight in kept))
        self._total = self._cum[-1]
        self._last = len(self._items) - 1

    def pick(self, rng: random.Random) -> T:
        index = bisect_right(self._cum, rng.random() * self._total)
        return self._items[index if index <= self._last else self._last]

    @property
    def items(self) -> Sequence[T]:
        return self._items

    def weight_of(self, item: T) -> float:
        """The share (0..1) of ``item``; 0 if absent."""
        total = 0.0
        previous = 0.0
        for candidate, cum in zip(self._items, self._cum, strict=True):
            if candidate == item:
                total += cum - previous
            previous = cum
        return total / self._total


def chance(rng: random.Random, p: float) -> bool:
    """True with probability ``p``."""
    return rng.random() < p


def stable_int(*parts: object) -> int:
    """A 64-bit integer from the parts' text, stable across processes (unlike ``hash``)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def derive_rng(*parts: object) -> random.Random:
    """An independent generator for one purpose (e.g. ``derive_rng(seed, "health")``)."""
    return random.Random(stable_int(*parts))


class Quota:
    """Hit a target share of units (children) exactly enough, choosing *which* randomly.

    Each candidate adds ``rate * units`` to a running expectation. A candidate is taken (when eligible)
    only while the count taken so far lags that expectation, and then only with probability
    ``eagerness``, so picks are spread through the run. The count stays within a household or so of
    ``rate * total units`` at any scale, which keeps small test councils inside their ranges.
    """

    __slots__ = ("_eagerness", "expected", "rate", "taken")

    def __init__(self, rate: float, *, eagerness: float = 0.35) -> None:
        self.rate = rate
        self.expected = 0.0
        self.taken = 0
        self._eagerness = eagerness

    def offer(self, rng: random.Random, units: int, *, eligible: bool = True, boost: float = 1.0) -> bool:
        """Add ``units`` to the base; True if this candidate should be taken (then call ``record``).

        ``boost`` makes a kind of candidate more likely to be the one taken (e.g. Traveller families
        for elective home education) without changing the total.
        """
        self.expected += self.rate * units
        if not eligible or units <= 0:
            return False
        return self.taken + 0.5 < self.expected and rng.random() < self._eagerness * boost

    def record(self, units: int) -> None:
        """Count the units actually produced by a taken candidate."""
        self.taken += units
