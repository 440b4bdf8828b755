"""Benchmark the linkage engine against a naive baseline on two noisy files of N records each.

    .venv/bin/python bench/linkage_bench.py                      # N = 100,000 (the acceptance run)
    .venv/bin/python bench/linkage_bench.py --n 20000            # quicker
    .venv/bin/python bench/linkage_bench.py --scale national     # N = 1,000,000 (slow: minutes)
    .venv/bin/python bench/linkage_bench.py --source engine      # the engine's own generator

Files come from the synthetic council (``cme.synthetic``: its health and HMRC child-benefit
extracts, each cut to N records) when that package is present, otherwise from
``cme.matching.linkage.synthetic`` (a school roll against an HMRC-style extract). They are written
to ``bench/out/`` (git-ignored), then linked by:

* the engine, through the real command (``manage.py link_files LEFT RIGHT --out ...``) in a child
  process, so the wall time includes start-up, reading, writing and the model load;
* a naive baseline in a child process: exact match on normalised full name plus date of birth.

Precision, recall and F1 are pairwise against the generator's truth. Peak RSS is the child
process's own high-water mark (``VmHWM``, sampled: ``_common.wait_measured``; wait4's ``ru_maxrss``
would include this process's RSS at the fork, several GB at national scale); DuckDB runs inside the
child, so it counts.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import wait_measured  # noqa: E402

from cme.matching.linkage.standardise import parse_dob, standardise_name  # noqa: E402

OUT = ROOT / "bench" / "out"
COLUMNS = ["id", "first_name", "last_name", "dob", "sex", "postcode", "address", "upn", "nhs_number"]


@dataclass(frozen=True)
class Run:
    method: str
    pairs: int
    precision: float
    recall: float
    f1: float
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float


# ------------------------------------------------------------------------------------------ data
def council_files(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]], str]:
    from cme.synthetic import generate_council
    from cme.synthetic.extracts import partner_extract

    council = generate_council(children=int(n / 0.85) + 1000, seed=seed)
    frames = []
    keys: list[dict[str, int]] = []
    for source in ("health", "hmrc_child_benefit"):
        records = partner_extract(council, source, seed=seed, on=council.on)
        random.Random(seed).shuffle(records)
        records = records[:n]
        frames.append(
            pd.DataFrame(
                [
                    {"id": r.record_id, "first_name": r.first_name, "last_name": r.last_name,
                     "dob": r.dob.isoformat() if r.dob else None, "sex": r.sex, "postcode": r.postcode,
                     "address": r.address, "upn": r.upn, "nhs_number": r.nhs_number}
                    for r in records
                ],
                columns=COLUMNS,
            )
        )
        keys.append({r.record_id: r.true_child_key for r in records})
    by_key: dict[int, list[str]] = defaultdict(list)
    for record_id, key in keys[1].items():
        by_key[key].append(record_id)
    truth = {(a, b) for a, key in keys[0].items() for b in by_key.get(key, [])}
    source = f"cme.synthetic council (seed {seed}): health vs HMRC child benefit"
    return frames[0], frames[1], truth, source


def engine_files(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]], str]:
    from cme.matching.linkage.synthetic import linkage_extracts

    extracts = linkage_extracts(n, seed=seed)
    assert extracts.right is not None
    source = f"cme.matching.linkage.synthetic (seed {seed}): school roll vs HMRC-style"
    return extracts.left, extracts.right, set(extracts.truth), source


# --------------------------------------------------------------------------------------- methods
def naive_baseline(left_path: Path, right_path: Path, out_path: Path) -> None:
    """Exact match on normalised first name + surname + date of birth (what a spreadsheet does)."""

    def keyed(path: Path) -> pd.DataFrame:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["id", "first_name", "last_name", "dob"])
        names = {value: standardise_name(value) or "" for value in set(frame["first_name"]) | set(frame["last_name"])}
        dates = {value: parse_dob(value) for value in set(frame["dob"])}
        keys = [None if dates[d] is None else f"{names[f]}|{names[s]}|{dates[d]}"
                for f, s, d in zip(frame["first_name"], frame["last_name"], frame["dob"], strict=True)]
        out = pd.DataFrame({"id": frame["id"], "key": keys})
        return out[out["key"].notna()]

    pairs = keyed(left_path).merge(keyed(right_path), on="key", suffixes=("_l", "_r"))
    pairs = pd.DataFrame({"left_id": pairs["id_l"], "right_id": pairs["id_r"], "probability": 1.0})
    pairs.to_csv(out_path, index=False)


def run_child(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; return wall seconds, CPU seconds (user + system) and peak RSS in MB (the child's own
    high-water mark: ``_common.wait_measured``)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603
    status, cpu, peak_mb = wait_measured(process)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, cpu, peak_mb


def score(method: str, path: Path, truth: set[tuple[str, str]], usage: tuple[float, float, float]) -> Run:
    pairs = pd.read_csv(path, dtype={"left_id": str, "right_id": str})
    predicted = set(zip(pairs["left_id"], pairs["right_id"], strict=True))
    hits = len(predicted & truth)
    precision = hits / max(len(predicted), 1)
    recall = hits / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return Run(method, len(predicted), precision, recall, f1, *usage)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="records per file (default 100,000)")
    parser.add_argument("--scale", choices=("council", "national"), default="council",
                        help="national: 1,000,000 records per file")
    parser.add_argument("--source", choices=("council", "engine"), default=None,
                        help="cme.synthetic council (default when present) or the engine's own generator")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--chunks", type=int, default=None, help="link_files --chunks (default: 1, national 3)")
    parser.add_argument("--baseline", nargs=3, metavar=("LEFT", "RIGHT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline:  # child-process entry point for the baseline
        naive_baseline(*(Path(p) for p in args.baseline))
        return

    n = 1_000_000 if args.scale == "national" else args.n
    source = args.source
    if source is None:
        try:
            import cme.synthetic  # noqa: F401
        except ImportError:
            source = "engine"
        else:
            source = "council"
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    left, right, truth, description = (council_files if source == "council" else engine_files)(n, args.seed)
    left_path, right_path = OUT / f"left_{source}_{n}.csv", OUT / f"right_{source}_{n}.csv"
    left.to_csv(left_path, index=False)
    right.to_csv(right_path, index=False)
    print(f"data: {description}; {len(left):,} x {len(right):,} records, {len(truth):,} true pairs "
          f"(built in {time.perf_counter() - started:.0f} s)", flush=True)

    runs = []
    engine_out = OUT / f"pairs_engine_{source}_{n}.csv"
    command = [sys.executable, "manage.py", "link_files", str(left_path), str(right_path), "--out", str(engine_out),
               "--threshold", str(args.threshold), "--no-progress",
               "--chunks", str(args.chunks or (3 if args.scale == "national" else 1))]
    method = f"engine: `link_files` (Splink/DuckDB, p >= {args.threshold:g})"
    runs.append(score(method, engine_out, truth, run_child(command)))
    baseline_out = OUT / f"pairs_baseline_{source}_{n}.csv"
    usage = run_child([sys.executable, __file__, "--baseline", str(left_path), str(right_path), str(baseline_out)])
    runs.append(score("naive: exact normalised full name + DOB", baseline_out, truth, usage))

    load = os.getloadavg()[0]
    print(f"\n{len(left):,} x {len(right):,} records ({description}); {os.cpu_count()} CPUs, load {load:.1f}\n")
    print("| method | pairs | precision | recall | F1 | wall time (s) | CPU time (s) | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        print(f"| {run.method} | {run.pairs:,} | {run.precision:.4f} | {run.recall:.4f} | {run.f1:.4f} "
              f"| {run.seconds:.1f} | {run.cpu_seconds:.1f} | {run.peak_rss_mb:,.0f} |")


if __name__ == "__main__":
    main()
