"""Seed benchmark: build a synthetic council of N children (rows/s) with the demo loader, beside a naive baseline.

    .venv/bin/python bench/seed_bench.py                       # 100,000 children on SQLite (county scale)
    .venv/bin/python bench/seed_bench.py --children 1000000    # national-scale council
    .venv/bin/python bench/seed_bench.py --db postgres         # the cme_bench PostgreSQL database

Ours: `cme.demo.services.demo_council_seed` (what `manage.py seed_demo` runs): the council streamed in household
batches (`iter_council`) into `cme.demo.loader.council_batches_load` (bulk executemany via `cme.core.bulk`), then
the demo users and every app's `demo_seed` extension (feeds' first daily run with detection, cases...). Stage times
come from its progress callback; the loader's stages (generating included) from its report, summed over the
batches. The database is left in place for the query and web benchmarks (`/tmp/cme-bench-seed-<db>`).

Baseline: the same `council_load` on a small sample council (`--sample`, default 1,000 children) with every bulk
insert replaced by `Model.objects.create(...)` per row (inside the loader's single transaction, which flatters
it). Its rows/s is measured on the sample and the time for N children is EXTRAPOLATED linearly from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Stopwatch, log, peak_rss_mb, rate, reset_database, rss_mb, scratch, stopwatch, use  # noqa: E402

LOADER_STAGES = {"schools", "addresses", "children", "names and addresses", "contacts and siblings", "enrolments",
                 "flags and EHE"}
ON = dt.date(2025, 11, 12)  # a Wednesday in the autumn term: every benchmark uses the same "today"


def table_rows() -> int:
    from django.apps import apps
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy and model._meta.app_label not in ("contenttypes", "auth"):
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
                total += cursor.fetchone()[0]
    return total


Marks = list[tuple[str, int, float, float, float]]  # stage, rows, wall, CPU, peak RSS so far (MB)


def ours(children: int, seed: int, without: list[str]) -> tuple[Marks, int, int, float, float, float]:
    from django.core.management import call_command

    from cme.children.models import Child
    from cme.demo.services import DEMO_EXTENSIONS, demo_council_seed, truth_file

    DEMO_EXTENSIONS[:] = [m for m in DEMO_EXTENSIONS if m.split(".")[1] not in without]

    call_command("migrate", verbosity=0)
    base_rows = table_rows()
    marks: Marks = []
    last = [time.perf_counter(), Stopwatch.cpu_now()]

    def progress(stage: str, n: int) -> None:
        now, cpu = time.perf_counter(), Stopwatch.cpu_now()
        marks.append((stage, n, now - last[0], cpu - last[1], rss_mb()[1]))
        last[:] = [now, cpu]
        timed = "" if stage in LOADER_STAGES | {"generated"} else f" in {marks[-1][2]:.1f} s"
        log(f"  {stage}: {n:,}{timed} (peak RSS so far {marks[-1][4]:,.0f} MB)")

    with stopwatch() as watch:
        report = demo_council_seed(children=children, seed=seed, on=ON, progress=progress, truth_path=truth_file())
    # The loader reports its stages together at the end: their times are the report's sums over the batches.
    marks = [(stage, n, report.stages[stage][1], report.stages[stage][2], peak) if stage in report.stages
             else (stage, n, wall, cpu, peak) for stage, n, wall, cpu, peak in marks]
    rows = table_rows() - base_rows
    return marks, rows, Child.objects.count(), watch.wall, watch.cpu, watch.load


def naive(sample: int, seed: int) -> tuple[int, float, float]:
    """council_load with bulk inserts replaced by one Model.objects.create per row."""
    from django.core.management import call_command

    import cme.demo.loader as loader
    from cme.synthetic import generate_council

    call_command("migrate", verbosity=0)

    def insert_per_row(model, fields, rows, *, with_ids=False):  # type: ignore[no-untyped-def]
        names = (["pk"] if with_ids else []) + list(fields)
        n = 0
        for row in rows:
            model.objects.create(**dict(zip(names, row, strict=True)))
            n += 1
        return n

    def bulk_create_per_row(self, objs, *args, **kwargs):  # type: ignore[no-untyped-def]
        objs = list(objs)
        for obj in objs:
            obj.save(force_insert=True)
        return objs

    from django.db.models import QuerySet

    council = generate_council(children=sample, seed=seed, on=ON)
    counted = [0]

    def progress(stage: str, n: int) -> None:
        counted[0] += n if stage in LOADER_STAGES else 0

    original = loader.bulk_insert, QuerySet.bulk_create
    loader.bulk_insert = insert_per_row  # type: ignore[assignment]
    QuerySet.bulk_create = bulk_create_per_row  # type: ignore[method-assign]
    try:
        with stopwatch() as watch:
            loader.council_load(council, progress=progress)
    finally:
        loader.bulk_insert, QuerySet.bulk_create = original  # type: ignore[method-assign]
    return counted[0], watch.wall, watch.cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1_000, help="children in the naive baseline's sample council")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--name", default=None, help="scratch name (default seed-<db>: /tmp/cme-bench-seed-<db>)")
    parser.add_argument("--without", nargs="*", default=[], metavar="APP",
                        help="leave out these apps' demo_seed extensions (e.g. feeds: its first daily run)")
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.naive:  # child-process entry point: the baseline in its own scratch database
        env = scratch(f"{args.name or 'seed'}-naive", "sqlite")
        reset_database(env)
        use(env)
        rows, wall, cpu = naive(args.sample, args.seed)
        print(f"{rows} {wall} {cpu}")
        return

    from _common import PYTHON, run_child

    env = scratch(args.name or f"seed-{args.db}", args.db)
    reset_database(env)
    log(f"seed: naive baseline on {args.sample:,} children")
    baseline = run_child([PYTHON, __file__, "--naive", "--sample", str(args.sample), "--seed", str(args.seed),
                          "--name", args.name or f"seed-{args.db}"],
                         quiet=True)
    n_rows, n_wall, n_cpu = (float(x) for x in baseline.output.strip().splitlines()[-1].split())
    log(f"seed: naive {n_rows:,.0f} rows in {n_wall:.1f} s wall, {n_cpu:.1f} s CPU ({rate(n_rows, n_wall)} rows/s)")
    log(f"seed: ours, {args.children:,} children on {args.db}")
    use(env)
    marks, rows, children, wall, cpu, load = ours(args.children, args.seed, args.without)
    loader = [m for m in marks if m[0] in LOADER_STAGES]
    loader_rows = sum(m[1] for m in loader)
    loader_wall = sum(m[2] for m in loader)
    loader_cpu = sum(m[3] for m in loader)
    naive_rate = n_rows / n_wall if n_wall else 0.0
    extrapolated = loader_rows / naive_rate if naive_rate else float("nan")

    print(f"### Seed: a synthetic council of {children:,} children ({args.db})\n")
    if args.without:
        print(f"Left out: the {', '.join(args.without)} demo extension(s) (`--without`).\n")
    print(f"{rows:,} rows in all tables after the seed; load average at the end {load:.1f}; peak RSS "
          f"{peak_rss_mb():,.0f} MB.\n")
    print("| stage (progress callback of `demo_council_seed`) | rows | wall (s) | CPU (s) | peak RSS so far (MB) |")
    print("|---|---:|---:|---:|---:|")
    for stage, n, seconds, cpu_s, peak in marks:
        print(f"| {stage} | {n:,} | {seconds:.1f} | {cpu_s:.1f} | {peak:,.0f} |")
    print(f"| **total `seed_demo`** | {rows:,} (all tables) | **{wall:.1f}** | **{cpu:.1f}** "
          f"| **{peak_rss_mb():,.0f}** |\n")
    print("The loader's stages (generated ... flags and EHE) run batch by batch and are reported together at the "
          "end of the load: their peak is the load's.\n")
    ours_rate = loader_rows / loader_wall if loader_wall else 0.0
    print("Rows are the loader's own stage counts (children, names, addresses, contacts, enrolments, flags; a lower "
          "bound: identifiers and residences are not counted), the same counting for both methods.\n")
    print("| method | rows | wall (s) | CPU (s) | rows/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| ours: `council_load` (bulk executemany), {children:,} children | {loader_rows:,} | {loader_wall:.1f} "
          f"| {loader_cpu:.1f} | {rate(loader_rows, loader_wall)} "
          f"| **{ours_rate / naive_rate if naive_rate else 0:.0f}x** |")
    print(f"| naive: `council_load` with `Model.objects.create` per row, {args.sample:,} children (measured) "
          f"| {int(n_rows):,} | {n_wall:.1f} | {n_cpu:.1f} | {rate(n_rows, n_wall)} | 1x |")
    print(f"| naive, EXTRAPOLATED linearly to {loader_rows:,} rows (not run) | {loader_rows:,} "
          f"| ~{extrapolated:,.0f} | - | {rate(n_rows, n_wall)} | - |\n")


if __name__ == "__main__":
    main()
