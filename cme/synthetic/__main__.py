"""Generate a council and print what is in it, with timings: ``python -m cme.synthetic --children 100000``.

``--extracts`` also times every partner extract; ``--feed`` times one day of the school feed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from collections import Counter

from cme.synthetic.council import DEFAULT_ON, fingerprint, generate_council
from cme.synthetic.specs import SOURCES


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cme.synthetic", description=__doc__)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--on", type=dt.date.fromisoformat, default=DEFAULT_ON)
    parser.add_argument("--extracts", action="store_true", help="also time the partner extracts")
    parser.add_argument("--feed", action="store_true", help="also time one day of the school feed")
    args = parser.parse_args(argv)
    out = sys.stdout

    started, cpu = time.perf_counter(), time.process_time()
    council = generate_council(children=args.children, seed=args.seed, on=args.on)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    out.write(
        f"generate_council(children={args.children:,}): {took:.1f} s wall, {cpu:.1f} s CPU, "
        f"peak RSS {_peak_mb():,.0f} MB\n"
    )
    out.write(
        f"  schools {len(council.schools):,}  households {len(council.households):,}  "
        f"contacts {len(council.contacts):,}  enrolments {len(council.enrolments):,}  "
        f"risk flags {len(council.risk_flags):,}  EHE {len(council.ehe):,}\n"
    )
    for status, n in Counter(t.status for t in council.truth).most_common():
        out.write(f"  {status:<26} {n:>9,}\n")
    out.write(f"  fingerprint {fingerprint(council)[:16]}\n")
    if args.extracts:
        from cme.synthetic.extracts import partner_extract

        for source in SOURCES:
            started, cpu = time.perf_counter(), time.process_time()
            records = partner_extract(council, source, seed=args.seed, on=council.on)
            out.write(
                f"partner_extract({source}): {len(records):,} records, {time.perf_counter() - started:.1f} s wall, "
                f"{time.process_time() - cpu:.1f} s CPU\n"
            )
    if args.feed:
        from cme.synthetic.feed import iter_school_feed

        started, cpu = time.perf_counter(), time.process_time()
        students = sum(
            len(page["data"]) for payload in iter_school_feed(council, day=council.on) for page in payload["students"]
        )
        out.write(
            f"school feed for {council.on}: {students:,} pupils, {time.perf_counter() - started:.1f} s wall, "
            f"{time.process_time() - cpu:.1f} s CPU\n"
        )
    out.write(f"peak RSS {_peak_mb():,.0f} MB\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
