"""Feed ingest benchmark: one day's school feed for N pupils, first load and daily delta (rows/s), beside a naive
row-by-row ORM import.

    .venv/bin/python bench/feed_bench.py                      # 100,000 children (county scale)
    .venv/bin/python bench/feed_bench.py --children 1000000   # national scale

Setup (not timed as ingest): a fresh scratch SQLite database with the synthetic council streamed in household
batches into `cme.demo.loader.council_batches_load` (bounded memory), then generated whole once more for
the school feed (synthetic Wonde pages, `cme.feeds.demo.write_school_feed`) for
the previous school day (every pupil: the first load) and for the seed day (what changed since: the delta).
Ours: `cme.feeds.services.feed_run_execute` on each day's files (receive, parse, store source records, link to
children, apply roll and attendance facts, audit), as the daily run does.

Baseline: the same first-load rows re-imported through the ORM one row at a time on a sample (`--sample` items):
for each record `SourceRecord.objects.update_or_create`, for each mark a `SourceRecord` lookup of the child and
`AttendanceSession.objects.update_or_create`. It does LESS than ours (no linkage, no roll facts, no audit), so
the ratio flatters it; its rows/s is measured on the sample and its time for the full day EXTRAPOLATED.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import log, rate, reset_database, rss_mb, scratch, stopwatch, use  # noqa: E402
from seed_bench import ON  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="items re-imported row by row by the baseline")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    env = scratch("feed", "sqlite")
    reset_database(env)
    use({**env, "LOG_LEVEL": "WARNING"})

    from django.core.management import call_command
    from django.utils import timezone

    from cme.audit.services import Auditor
    from cme.core.models import LocalAuthority
    from cme.demo.loader import council_batches_load
    from cme.feeds.demo import demo_sources_ensure, write_school_feed
    from cme.feeds.models import AttendanceSession, FeedRun
    from cme.feeds.services import ReceivedFile, _parse, _receive, feed_run_execute, source_batches
    from cme.feeds.sources.base import AttendanceFact
    from cme.matching.models import SourceRecord
    from cme.matching.services import normalise_record, row_hash
    from cme.synthetic import generate_council, iter_council

    call_command("migrate", verbosity=0)
    log(f"feed: generating and loading {args.children:,} children")

    def memory(stage: str) -> None:
        now, peak = rss_mb()
        log(f"feed: {stage}: RSS {now:,.0f} MB, peak so far {peak:,.0f} MB")

    with stopwatch() as setup:
        # The loader streams the council (only one batch of households in memory); the school feed is written
        # per school, so it needs the whole council: generated again from the same arguments, and freed.
        la_spec, specs, batches = iter_council(children=args.children, seed=args.seed, on=ON, batch_households=5_000)
        council_batches_load(la=la_spec, on=ON, schools=specs, batches=batches)
        memory("council loaded")
        la = LocalAuthority.objects.get(code=la_spec.code)
        root = Path(env["CME_VAR_DIR"]) / "feeds"
        council = generate_council(children=args.children, seed=args.seed, on=ON)
        write_school_feed(council, root=root / "school-feed", on=ON, seed=args.seed, history_days=1)
        memory("school feed written")
        del council
    memory("council freed")
    sources = demo_sources_ensure(local_authority=la, root=root)
    source = next(s for s in sources if s.slug == "school-feed")
    actor = Auditor.system("bench.feed")
    batches = source_batches(source=source, on=ON)
    # The baseline's rows: the first load's first items parsed by the feed's own parser before ours imports it
    # (afterwards its files would be skipped as already imported). Only the files needed for the sample are
    # parsed, and nothing of them is kept but the sample (the whole day parsed would stay in memory all along).
    scratch_run = FeedRun.objects.create(source=source, on=batches[0].on, started_at=timezone.now(),
                                         triggered_by="bench.feed naive")
    # The day's files in the folder reader's order (cme.feeds.services._folder_reader), read 20 at a time.
    day = root / "school-feed" / batches[0].on.isoformat()
    paths = [p for p in sorted(day.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    items = []  # the sample: accepted items of the first load, in file order
    for start in range(0, len(paths), 20):
        chunk = _receive(run=scratch_run, files=[ReceivedFile(name=str(p.relative_to(day)), path=p)
                                                 for p in paths[start:start + 20]])
        parsed = _parse(source=source, on=batches[0].on, files=chunk)
        items += [a for _, f in parsed.files for a in f.accepted][:args.sample - len(items)]
        if len(items) >= args.sample:
            break
    del parsed, chunk
    memory("naive sample parsed")
    timings = []
    process_peak = 0.0  # the high-water mark is reset before each run: the whole process's peak is kept here
    for label, batch in zip(("first load (every pupil)", "daily delta"), batches,
                            strict=True):
        files = batch.files()
        log(f"feed: {label}, {batch.on}, {len(files):,} files")
        # The run's own peak: the high-water mark is reset to the RSS now (Linux), so the setup's generation of
        # the whole council in this process does not count; 'at start' is what the process held before the run.
        reset = Path("/proc/self/clear_refs")
        process_peak = max(process_peak, rss_mb()[1])
        if reset.exists():
            reset.write_text("5")
        at_start = rss_mb()[0]
        with stopwatch() as watch:
            run = feed_run_execute(actor=actor, source=source, on=batch.on, files=files)
        del files
        timings.append((label, batch.on, run, watch, at_start, rss_mb()[1]))
        process_peak = max(process_peak, rss_mb()[1])
        memory(label)

    log(f"feed: naive baseline on {len(items):,} items")
    schools = {s.laestab: s.pk for s in la.schools.all()} if hasattr(la, "schools") else {}
    if not schools:
        from cme.children.models import School

        schools = dict(School.objects.filter(local_authority=la).values_list("laestab", "pk"))
    naive_rows = 0
    with stopwatch() as naive:
        for item in items:
            naive_rows += 1
            if item.record is not None:
                values = normalise_record(item.record)
                SourceRecord.objects.update_or_create(
                    local_authority=la, source=item.record.source, source_record_id=str(item.record.source_record_id),
                    defaults={"raw": item.record.raw, "row_hash": row_hash(values), **values})
            for fact in item.facts:
                if not isinstance(fact, AttendanceFact):
                    continue
                naive_rows += 1
                child_id = (SourceRecord.objects.filter(local_authority=la, source=fact.record[0],
                                                        source_record_id=fact.record[1])
                            .values_list("child_id", flat=True).first())
                if child_id is None or fact.laestab not in schools:
                    continue
                AttendanceSession.objects.update_or_create(child_id=child_id, school_id=schools[fact.laestab],
                                                           date=fact.date, session=fact.session,
                                                           defaults={"code": fact.code})
    naive_rate = naive_rows / naive.wall if naive.wall else 0.0

    print(f"### Feed ingest: the school feed for {args.children:,} children (SQLite)\n")
    print("Rows = items received (pupil records and session marks). Setup (generate, load the council, write the "
          f"pages) took {setup.wall:.0f} s and is not counted. Peak RSS of the whole process (setup included) "
          f"{max(process_peak, rss_mb()[1]):,.0f} MB; load average "
          f"{os.getloadavg()[0]:.1f}.\n")
    print("Peak RSS of a run: the process's high-water mark during `feed_run_execute` (reset before it), with "
          "what the process held at its start (the council's setup, Django) in brackets.\n")
    print("| method | day | rows | status | wall (s) | CPU (s) | rows/s | peak RSS of the run (MB) | vs naive |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for label, day, run, watch, at_start, run_peak in timings:
        ours_rate = run.received / watch.wall if watch.wall else 0.0
        print(f"| ours: `feed_run_execute`, {label} | {day} | {run.received:,} | {run.status} | {watch.wall:.1f} "
              f"| {watch.cpu:.1f} | {rate(run.received, watch.wall)} | {run_peak:,.0f} ({at_start:,.0f}) "
              f"| **{ours_rate / naive_rate if naive_rate else 0:.0f}x** |")
    first = timings[0][2].received
    print(f"| naive: ORM row by row, {len(items):,} items of the first load (measured) | {timings[0][1]} "
          f"| {naive_rows:,} | - | {naive.wall:.1f} | {naive.cpu:.1f} | {rate(naive_rows, naive.wall)} | - | 1x |")
    print(f"| naive, EXTRAPOLATED to the first load's {first:,} rows (not run) | | {first:,} | - "
          f"| ~{first / naive_rate if naive_rate else 0:,.0f} | - | {rate(naive_rows, naive.wall)} | - | - |\n")


if __name__ == "__main__":
    main()
