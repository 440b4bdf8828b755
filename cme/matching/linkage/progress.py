"""A progress bar over named stages, with the time each stage took."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

__all__ = ["Stages"]


class Stages:
    """``with stages.stage("predict"): ...`` advances one tqdm bar and records the seconds taken."""

    def __init__(self, names: Sequence[str], *, enabled: bool = True, file: TextIO | None = None) -> None:
        self.names = tuple(names)
        self.timings: dict[str, float] = {}
        self.notes: dict[str, str] = {}
        self._started = time.perf_counter()
        self._bar = tqdm(
            total=len(self.names),
            unit="stage",
            disable=not enabled,
            file=file if file is not None else sys.stderr,
            bar_format="{desc:<24}{percentage:3.0f}%|{bar:30}| {n_fmt}/{total_fmt} stages [{elapsed}]",
        )

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._bar.set_description_str(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
            self._bar.update(1)

    def note(self, name: str, text: str) -> None:
        """Attach a short fact to a stage (``"4,012,118 pairs"``) for the summary."""
        self.notes[name] = text

    @property
    def total(self) -> float:
        return time.perf_counter() - self._started

    def close(self) -> None:
        self._bar.set_description_str("done")
        self._bar.close()

    def summary(self) -> str:
        """One line per stage: name, seconds, note; then the total."""
        lines = []
        for name in self.names:
            if name in self.timings:
                note = f"  ({self.notes[name]})" if name in self.notes else ""
                lines.append(f"  {name:<10}{self.timings[name]:8.2f} s{note}")
        lines.append(f"  {'total':<10}{self.total:8.2f} s")
        return "\n".join(lines)
