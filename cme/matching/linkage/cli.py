"""What ``manage.py link_files`` does, as a plain function (no Django), so it can be tested directly.

On DuckDB the files are streamed (``stream.link_csv_files``: bounded memory at any size); Spark reads them whole.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cme.matching.linkage.files import read_input_csv, write_pairs_csv
from cme.matching.linkage.link import Backend, link_frames
from cme.matching.linkage.progress import Stages
from cme.matching.linkage.stream import link_csv_files

__all__ = ["LINK_FILES_STAGES", "LinkFilesResult", "run_link_files"]

LINK_FILES_STAGES = ("read", "prepare", "block", "predict", "write")


@dataclass(frozen=True)
class LinkFilesResult:
    pairs: int
    out: Path
    summary: str
    timings: dict[str, float]


def run_link_files(
    left: Path | str,
    right: Path | str | None,
    out: Path | str,
    *,
    dedupe: bool = False,
    threshold: float = 0.5,
    backend: Backend = "duckdb",
    train: bool = False,
    model_path: Path | str | None = None,
    progress: bool = True,
    progress_file: TextIO | None = None,
    chunks: int = 1,
) -> LinkFilesResult:
    """Read the file(s), link or deduplicate them, write the pairs at or above ``threshold``."""
    if right is None and not dedupe:
        raise ValueError("Give a RIGHT file to link to, or --dedupe to find duplicates within one file.")
    stages = Stages(LINK_FILES_STAGES, enabled=progress, file=progress_file or sys.stderr)
    try:
        if backend == "duckdb":  # streamed: bounded memory at any file size
            written = link_csv_files(
                left, right, out, stages=stages, dedupe=dedupe, threshold=threshold, model_path=model_path,
                train=train, num_chunks=chunks,
            )
        else:
            written = _link_in_memory(
                left, right, out, stages=stages, dedupe=dedupe, threshold=threshold, backend=backend,
                model_path=model_path, train=train, chunks=chunks,
            )
    finally:
        stages.close()
    return LinkFilesResult(pairs=written, out=Path(out), summary=stages.summary(), timings=dict(stages.timings))


def _link_in_memory(
    left: Path | str,
    right: Path | str | None,
    out: Path | str,
    *,
    stages: Stages,
    dedupe: bool,
    threshold: float,
    backend: Backend,
    model_path: Path | str | None,
    train: bool,
    chunks: int,
) -> int:
    """Other backends (Spark): read the files whole, link the frames, write the pairs."""
    with stages.stage("read"):
        left_frame = read_input_csv(left)
        right_frame = read_input_csv(right) if right is not None else None
        sizes = [len(left_frame)] + ([len(right_frame)] if right_frame is not None else [])
        stages.note("read", " + ".join(f"{size:,}" for size in sizes) + " records")
    pairs = link_frames(
        left_frame, right_frame, dedupe=dedupe, threshold=threshold, backend=backend, model_path=model_path,
        train=train, progress=stages, num_chunks=chunks,
    )
    with stages.stage("write"):
        return write_pairs_csv(pairs, out)
