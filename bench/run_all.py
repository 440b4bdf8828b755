"""Run every benchmark and rewrite BENCHMARKS.md (`make bench`; `--scale national` for the 1M variants).

    .venv/bin/python bench/run_all.py                    # county scale: 100,000 children
    .venv/bin/python bench/run_all.py --scale national   # 1,000,000 children (slow: an hour or more)
    .venv/bin/python bench/run_all.py --only seed web    # some of them (the other sections are left out)

Each script prints its own markdown section; this one runs them in order as child processes (wall time, CPU
time and peak RSS from wait4), notes the load average, and writes BENCHMARKS.md at the repository root with the
machine description, the hand-written findings in bench/findings.md and how to rerun. A failing benchmark does
not stop the others: its section says it failed and why. Scratch databases live under /tmp/cme-bench-*.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, SCRATCH, log, machine, run_child  # noqa: E402

HERE = ROOT / "bench"
LINKAGE_HEADING = "### Linkage (bench/linkage_bench.py, the matching engineer's script)\n"


def steps(scale: str) -> list[tuple[str, list[str]]]:
    n = 1_000_000 if scale == "national" else 100_000
    big = str(SCRATCH / "cme-bench-seed-sqlite")
    small = str(SCRATCH / "cme-bench-seed-small")
    return [
        # Above 30,000 children seed_demo writes the feed files but leaves the first daily run to run_feeds:
        # detection_bench.py runs it (untimed setup) and then times the next school day's run.
        ("seed", [str(HERE / "seed_bench.py"), "--children", str(n)]),
        ("seed-postgres", [str(HERE / "seed_bench.py"), "--children", str(n), "--db", "postgres"]),
        ("seed-small", [str(HERE / "seed_bench.py"), "--children", "2000", "--name", "seed-small"]),
        ("queries", [str(HERE / "queries_bench.py"), "--var-dir", small, big]),
        ("detection", [str(HERE / "detection_bench.py"), "--var-dir", big]),
        ("feed", [str(HERE / "feed_bench.py"), "--children", str(n)]),
        ("web", [str(HERE / "web_bench.py"), "--db", "sqlite", "postgres", "--users", "20", "50",
                 "--seconds", "60"]),
        ("linkage", [str(HERE / "linkage_bench.py"), *(["--scale", "national"] if scale == "national" else [])]),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("county", "national"), default="county")
    parser.add_argument("--only", nargs="+", help="run only these steps (seed, seed-postgres, seed-small, queries, "
                                                   "detection, feed, web, linkage)")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--use", nargs="+", default=[], metavar="STEP=FILE",
                        help="take a step's section from a file its script wrote earlier instead of running it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    loads = [os.getloadavg()[0]]
    sections, summary = [], []
    recorded = dict(item.split("=", 1) for item in args.use)
    for name, command in steps(args.scale):
        if args.only and name not in args.only and name not in recorded:
            continue
        if name in recorded:
            text = Path(recorded[name]).read_text(encoding="utf-8")
            heading = LINKAGE_HEADING if name == "linkage" else f"### {name}\n"
            sections.append(text[text.find("###"):].strip() + "\n" if "###" in text else f"{heading}\n{text.strip()}\n")
            summary.append((name, f"recorded earlier ({Path(recorded[name]).name})", 0.0, 0.0, 0.0, 0.0))
            continue
        log(f"== {name}: {' '.join(Path(c).name if c.startswith('/') else c for c in command)}")
        try:
            usage = run_child([PYTHON, *command], quiet=True)
        except SystemExit as exc:
            sections.append(f"### {name}\n\n**Failed**: {exc}\n")
            summary.append((name, "failed", 0.0, 0.0, 0.0, os.getloadavg()[0]))
            continue
        markdown = usage.output[usage.output.find("###"):] if "###" in usage.output else usage.output
        if name == "linkage":
            markdown = LINKAGE_HEADING + markdown
        sections.append(markdown.strip() + "\n")
        saved = ROOT / "bench" / "out" / f"{name}.md"  # reusable later with --use NAME=FILE
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(markdown, encoding="utf-8")
        summary.append((name, "ok", usage.wall, usage.cpu, usage.peak_rss_mb, usage.load))
        loads.append(usage.load)
    total = time.perf_counter() - started
    findings = HERE / "findings.md"
    lines = [
        "# Benchmarks",
        "",
        "Speed as a measured property (issue 10). Written by `bench/run_all.py`; do not edit by hand except "
        "`bench/findings.md`, which is copied in below.",
        "",
        "## How to rerun",
        "",
        "```",
        "make bench                                          # county scale (100,000 children), all benchmarks",
        ".venv/bin/python bench/run_all.py --scale national  # the 1,000,000-children variants",
        ".venv/bin/python bench/run_all.py --only web        # one benchmark (the others are left out of the file)",
        "```",
        "",
        "PostgreSQL: the `cme_bench` database owned by `cme_ci` on 127.0.0.1 (`su postgres -c \"createdb -O cme_ci "
        "cme_bench\"`; override with CME_BENCH_PG_URL). Scratch data in /tmp/cme-bench-* (CME_BENCH_DIR).",
        "",
        # The security plan's PERF rows: how to run bench/perf_plan.py (on its own, not by this script).
        *((HERE / "perf-section.md").read_text(encoding="utf-8").strip().split("\n") + [""]
          if (HERE / "perf-section.md").exists() else []),
        "## Latest run",
        "",
        f"- When: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, scale: {args.scale}, total {total / 60:.1f} min"
        + (" (sections marked 'recorded earlier' were run separately; their own text gives size and load)"
           if recorded else ""),
        f"- Machine: {machine()}",
        f"- Load average (1 min) during the run: {min(loads):.1f} to {max(loads):.1f} (a value above the CPU count "
        "means other work was competing for the CPUs: compare CPU seconds, not only wall time)",
        "",
        "| benchmark | result | wall (s) | CPU (s) | peak RSS (MB) | load at end |",
        "|---|---|---:|---:|---:|---:|",
        *(f"| {n} | {r} | {w:.0f} | {c:.0f} | {m:,.0f} | {ld:.1f} |" if not r.startswith("recorded")
          else f"| {n} | {r} | - | - | - | - |" for n, r, w, c, m, ld in summary),
        "",
    ]
    if findings.exists():
        lines += [findings.read_text(encoding="utf-8").strip(), ""]
    lines += ["## Results", "", *sections]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    log(f"wrote {args.out} in {total / 60:.1f} min")


if __name__ == "__main__":
    main()
