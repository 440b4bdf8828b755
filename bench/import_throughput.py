"""PERF-4 (SECURITY-PLAN.md): import throughput of a 100,000-row partner CSV and a 5,000-pupil CTF (figures only).

    make perf-import                                           # both files, SQLite and PostgreSQL
    .venv/bin/python bench/import_throughput.py --db sqlite    # one database
    .venv/bin/python bench/import_throughput.py --only csv --rows 20000 --db sqlite   # a quick check

Target: each file imported in at most 10 minutes with the importing process's peak RSS at most 500 MB.

For each file (`csv`, `ctf`) and database: a fresh database (SQLite under /tmp/cme-bench-import-*; PostgreSQL the
`cme_perf4` database owned by cme_ci, --database-url or CME_PERF4_PG_URL), migrated, with a synthetic council
loaded (`iter_council` streamed into `council_batches_load`: children, schools, enrolments), and the file written
from that council's children by a setup child process (not timed as import):

- csv: a GP-registrations extract (`cme.feeds.demo.PROFILES["health"]`: NHS number, names, date of birth, sex,
  address, practice...), `--rows` rows of which `--bad` (default 3%) are broken the ways partners break them (a
  date that does not exist, a missing record id, a future date of birth, no name, an extra value, a duplicate id):
  each must be rejected with its reason. The source creates children for unmatched people (as health does).
- ctf: a CTF (formats.md §1, built by `cme.law.ctf.build_ctf`, so valid against the project's schema) from one
  council school to another with `--pupils` pupils (contacts, address, school history, attendance), 2% of them
  with nothing to identify them by, no name or a future date of birth (rejected with reasons).

Each import is a child process that runs the daily run's feed stage as the scheduler does: under the run lock,
`cme.feeds.services.feeds_run_all` (the folder source's new file becomes a run through `feed_run_execute`: receive,
parse, validate, upsert the records, apply roll facts, keep the rejected rows, all in one transaction; then
`feeds_link_pending` links the records). Measured: wall time of that call, rows/s (rows received / wall), and the
child's peak RSS (its own VmHWM, which also includes Django and the interpreter: see the idle-process figure).
Three runs per file show idempotency: 1 the file, 2 the same file again (skipped by its checksum: no run), 3 the
same rows re-exported (different bytes: CSV with LF line endings and no BOM; CTF with a new header time): a run
that must create no record, child or enrolment. Results: a table on stdout and `bench/import-results.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, SCRATCH, log, machine, reset_database, rss_mb, run_child, use  # noqa: E402

ON = dt.date(2025, 11, 12)  # the benches' "today" (seed_bench.ON), a Wednesday in the autumn term
PG_URL = os.environ.get("CME_PERF4_PG_URL", "postgres://cme_ci:cme_ci@127.0.0.1:5432/cme_perf4")
RESULTS = ROOT / "bench" / "import-results.md"
HEALTH_FILE = "gp-registrations.csv"
CTF_FILE_PREFIX = "ctf"
TARGET_SECONDS, TARGET_MB = 600, 500


def environment(kind: str, db: str, url: str) -> dict[str, str]:
    var = SCRATCH / f"cme-bench-import-{kind}-{db}"
    var.mkdir(parents=True, exist_ok=True)
    database = url if db == "postgres" else f"sqlite:///{var / 'db.sqlite3'}"
    return {"CME_VAR_DIR": str(var), "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "cme.settings.dev",
            "DEBUG": "False", "LOG_LEVEL": "WARNING"}


# --------------------------------------------------------------------------------------------------
# Setup (child process): council, file, feed source
# --------------------------------------------------------------------------------------------------


def _bad_rows(good: list[list[str]], count: int) -> list[tuple[int, list[str], str]]:
    """`count` broken rows (position to insert, cells, kind), spread over the file."""
    kinds = ("impossible date", "missing id", "future date of birth", "no name", "extra value", "duplicate id")
    step = max(1, len(good) // max(count, 1))
    broken = []
    for number in range(count):
        position = min(number * step + step // 2, len(good) - 1)
        row = list(good[position])
        kind = kinds[number % len(kinds)]
        row[0] = f"BAD{number:06d}"
        if kind == "impossible date":
            row[5] = "31/02/2015"
        elif kind == "missing id":
            row[0] = ""
        elif kind == "future date of birth":
            row[5] = "01/01/2031"
        elif kind == "no name":
            row[2] = row[3] = row[4] = ""
        elif kind == "extra value":
            row = [*row, "unexpected"]
        else:
            row[0] = good[max(0, position - 1)][0]
        broken.append((position, row, kind))
    return broken


def write_health_csv(council: Any, folder: Path, rows: int, bad: int) -> dict[str, Any]:
    import csv
    import io

    from cme.feeds.demo import PROFILES
    from cme.synthetic.extracts import partner_extract

    records = partner_extract(council, "health", seed=0, on=ON)
    if len(records) < rows - bad:
        raise SystemExit(f"the council gives {len(records):,} health records; --rows {rows:,} needs more children")
    good = []
    for r in records[:rows - bad]:
        e = r.extra
        registered = dt.date.fromisoformat(e["registered_on"]).strftime("%d/%m/%Y") if e.get("registered_on") else ""
        good.append([r.record_id, r.nhs_number or "", r.first_name or "", r.middle_name or "", r.last_name or "",
                     r.dob.strftime("%d/%m/%Y") if r.dob else "", r.sex or "", r.address or "", r.postcode or "",
                     e.get("practice_code", ""), registered])
    broken = _bad_rows(good, bad)
    out = list(good)
    for offset, (position, row, _) in enumerate(broken):
        out.insert(position + offset + 1, row)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(PROFILES["health"]["columns"]))
    writer.writerows(out)
    text = buffer.getvalue()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HEALTH_FILE).write_bytes(text.encode("utf-8-sig"))
    # Run 3: the same rows exported again (LF line endings, no BOM): other bytes, same content.
    (folder.parent / f"reexport-{HEALTH_FILE}").write_bytes(text.replace("\r\n", "\n").encode("utf-8"))
    return {"rows": len(out), "bad": len(broken), "bytes": len(text.encode("utf-8-sig"))}


def write_ctf(council: Any, folder: Path, pupils: int) -> dict[str, Any]:
    from cme.law.ctf import CTFContact, CTFHeader, CTFPhone, CTFPupil, CTFSchoolHistoryEntry, build_ctf
    from cme.synthetic.extracts import council_index

    index = council_index(council)
    schools, households = index.schools, index.households
    enrolments, contacts = index.enrolments_by_child, index.contacts_by_household
    secondary = [s for s in council.schools if s.phase == "secondary" and s.is_open]
    source, dest = secondary[0], secondary[1]
    chosen = [c for c in council.children if c.upn and enrolments.get(c.key)][:pupils]
    if len(chosen) < pupils:
        raise SystemExit(f"only {len(chosen):,} pupils with a UPN and a school; use more children")
    built, bad = [], 0
    for number, child in enumerate(chosen):
        home = households[child.household_key]
        history = tuple(CTFSchoolHistoryEntry(lea=schools[e.school_key].laestab[:3],
                                              estab=schools[e.school_key].laestab[3:],
                                              school_name=schools[e.school_key].name, entry_date=e.start,
                                              leaving_date=e.end, leaving_reason="OTH" if e.end else None)
                        for e in enrolments[child.key])
        family = tuple(CTFContact(forename=c.forename, surname=c.surname, relationship=c.relationship[:10],
                                  responsibility=c.parental_responsibility, order=c.order,
                                  phones=(CTFPhone(c.phone, "M"),) if c.phone else (), email=c.email)
                       for c in contacts.get(home.key, [])[:3])
        upn, dob, forename, surname = child.upn, child.dob, child.legal_forename, child.legal_surname
        if number % 50 == 25:  # 2% broken, three ways
            bad += 1
            kind = (number // 50) % 3
            if kind == 0:
                upn, dob = "", None
            elif kind == 1:
                forename = surname = ""
            else:
                dob = dt.date(2031, 1, 1)
        built.append(CTFPupil(
            upn=upn or "", surname=surname, forename=forename, dob=dob, sex=child.sex or None,
            middle_names=child.middle_names or None, nc_year_actual=None,
            address_lines=tuple(x for x in (home.address_line1, home.address_line2, home.town) if x),
            postcode=home.postcode, contacts=family, school_history=history))
    folder.mkdir(parents=True, exist_ok=True)
    header = dict(source_lea=source.laestab[:3], source_estab=source.laestab[3:], source_school_name=source.name,
                  dest_lea=dest.laestab[:3], dest_estab=dest.laestab[3:], document_qualifier="full",
                  supplier_id="SyntheticBench")
    name = f"{source.laestab}_CTF_{dest.laestab}_001.xml"
    data = build_ctf(CTFHeader(**header, generated_at=dt.datetime.combine(ON, dt.time(9, 0))), built)
    (folder / name).write_bytes(data)
    again = build_ctf(CTFHeader(**header, generated_at=dt.datetime.combine(ON, dt.time(9, 30))), built)
    (folder.parent / f"reexport-{name}").write_bytes(again)
    return {"rows": len(built), "bad": bad, "bytes": len(data), "name": name}


def setup(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from cme.core.models import LocalAuthority
    from cme.demo.loader import council_batches_load
    from cme.feeds.demo import PROFILES
    from cme.feeds.models import ColumnMapping, FeedSource
    from cme.synthetic import generate_council, iter_council

    call_command("migrate", verbosity=0)
    la_spec, specs, batches = iter_council(children=args.children, seed=0, on=ON, batch_households=5_000)
    council_batches_load(la=la_spec, on=ON, schools=specs, batches=batches)
    la = LocalAuthority.objects.get(code=la_spec.code)
    council = generate_council(children=args.children, seed=0, on=ON)
    root = Path(os.environ["CME_VAR_DIR"]) / "incoming" / args.kind
    if args.kind == "csv":
        written = write_health_csv(council, root / "files", args.rows, args.bad)
        profile = PROFILES["health"]
        mapping = ColumnMapping.objects.create(
            local_authority=la, name=profile["name"], source="health", columns=profile["columns"],
            date_format=profile["date_format"], encoding="auto", delimiter=profile["delimiter"])
        FeedSource.objects.create(local_authority=la, slug="health", name=profile["name"], kind=FeedSource.Kind.CSV,
                                  source="health", transport=FeedSource.Transport.FOLDER,
                                  folder_path=str(root / "files"), mapping=mapping, create_children=True)
    else:
        written = write_ctf(council, root / "files", args.pupils)
        FeedSource.objects.create(local_authority=la, slug="ctf", name="Common transfer files (bench)",
                                  kind=FeedSource.Kind.CTF, source="ctf", transport=FeedSource.Transport.FOLDER,
                                  folder_path=str(root / "files"))
    print(json.dumps({**written, "children": len(council.children), "la": la.code}))


# --------------------------------------------------------------------------------------------------
# One import (child process): the scheduler's feed stage
# --------------------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    from cme.children.models import Child, Enrolment
    from cme.feeds.models import FeedRun, RejectedRow
    from cme.matching.models import SourceRecord

    return {"source_records": SourceRecord.objects.count(), "children": Child.objects.count(),
            "enrolments": Enrolment.objects.count(), "rejected_rows": RejectedRow.objects.count(),
            "runs": FeedRun.objects.count()}


def import_once(args: argparse.Namespace) -> None:
    from cme.audit.services import Auditor
    from cme.core.models import LocalAuthority
    from cme.feeds import services
    from cme.feeds.models import RejectedRow
    from cme.feeds.services import lock_acquire, lock_holder_name, lock_release

    if args.add:  # run 3: the re-exported file lands in the source's folder beside the first one
        added = Path(args.add)
        added.rename(added.parent / "files" / added.name)
    la = LocalAuthority.objects.get()
    before = counts()
    idle_rss, _ = rss_mb()
    holder = lock_holder_name()
    if not lock_acquire(holder=holder):
        raise SystemExit("the run lock is held")
    stages: dict[str, float] = {}
    link_pending = services.feeds_link_pending

    def linking(**kwargs: Any) -> Any:
        """Instrumentation only (same call): the import's peak so far, then the peak reset for the linking."""
        stages["import_s"], stages["import_peak_mb"] = time.perf_counter() - started, rss_mb()[1]
        reset = Path("/proc/self/clear_refs")
        if reset.exists():
            reset.write_text("5")  # Linux: resets VmHWM to the current RSS
        begun = time.perf_counter()
        try:
            return link_pending(**kwargs)
        finally:
            stages["link_s"], stages["link_peak_mb"] = time.perf_counter() - begun, rss_mb()[1]

    services.feeds_link_pending = linking
    started, cpu0 = time.perf_counter(), time.process_time()
    try:
        runs = services.feeds_run_all(actor=Auditor.system("bench.import"), local_authority=la, on=ON)
    finally:
        lock_release(holder=holder)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    peak = max(rss_mb()[1], stages.get("import_peak_mb", 0))
    reasons: dict[str, int] = {}
    for run in runs:
        for row_reasons in RejectedRow.objects.filter(run=run).values_list("reasons", flat=True).iterator():
            for reason in row_reasons:
                key = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "#", reason)[:80]
                reasons[key] = reasons.get(key, 0) + 1
    print(json.dumps({
        "stages": stages,
        "reasons": sorted(reasons.items(), key=lambda item: -item[1])[:8],
        "wall": wall, "cpu": cpu, "idle_rss_mb": idle_rss, "peak_rss_mb": peak, "before": before, "after": counts(),
        "runs": [{"status": r.status, "error": r.error[:500], "received": r.received, "accepted": r.accepted,
                  "rejected": r.rejected, "new": r.new, "changed": r.changed, "details": r.details} for r in runs],
    }))


# --------------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------------


def child(args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], Any]:
    usage = run_child([PYTHON, str(Path(__file__).resolve()), *args], env=env, quiet=True)
    line = [x for x in usage.output.strip().splitlines() if x.startswith("{")][-1]
    return json.loads(line), usage


def scenario(kind: str, db: str, args: argparse.Namespace) -> dict[str, Any]:
    env = environment(kind, db, args.database_url)
    reset_database(env)
    folder = Path(env["CME_VAR_DIR"]) / "incoming" / kind
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    log(f"import: {kind} on {db}: setup ({args.children:,} children)")
    written, setup_usage = child(["_setup", "--kind", kind, "--children", str(args.children), "--rows",
                                  str(args.rows), "--bad", str(args.bad), "--pupils", str(args.pupils)], env)
    log(f"import: {kind} on {db}: {written['rows']:,} rows ({written['bad']:,} broken), "
        f"{written['bytes'] / 1e6:.1f} MB, setup {setup_usage.wall:.0f} s")
    reexport = next(p for p in folder.iterdir() if p.name.startswith("reexport-"))
    results = []
    for label, extra in (("1: the file", []), ("2: the same file again", []),
                         ("3: the same rows re-exported", ["--add", str(reexport)])):
        found, usage = child(["_import", *extra], env)
        found.update(label=label, process_wall=usage.wall, sampled_peak_mb=usage.peak_rss_mb, load=usage.load)
        run = found["runs"][0] if found["runs"] else {}
        log(f"import: {kind} on {db}, run {label}: {run.get('status', 'no run')} {found['wall']:.1f} s, "
            f"peak RSS {max(found['peak_rss_mb'], usage.peak_rss_mb):,.0f} MB")
        results.append(found)
    return {"kind": kind, "db": db, "written": written, "setup_wall": setup_usage.wall, "results": results}


def _row(s: dict[str, Any], r: dict[str, Any]) -> str:
    run = r["runs"][0] if r["runs"] else None
    peak = max(r["peak_rss_mb"], r["sampled_peak_mb"])
    rows = run["received"] if run else 0
    before, after = r["before"], r["after"]
    delta = ", ".join(f"{k.replace('_', ' ')} {after[k] - before[k]:+,}" for k in ("source_records", "children",
                                                                                   "enrolments", "rejected_rows"))
    what = (f"{run['status']}: {run['accepted']:,} accepted, {run['rejected']:,} rejected, {run['new']:,} new, "
            f"{run['changed']:,} changed" if run else "no run (file already imported)")
    speed = f"{rows / r['wall']:,.0f}" if run and r["wall"] else "-"
    st = r.get("stages", {})
    split = (f"{st['import_s']:.1f} s, {st['import_peak_mb']:,.0f} MB / {st['link_s']:.1f} s, "
             f"{st['link_peak_mb']:,.0f} MB" if "link_s" in st else "-")
    return (f"| {s['kind'].upper()} | {s['db']} | {r['label']} | {rows:,} | {what} | {r['wall']:.1f} | {r['cpu']:.1f} "
            f"| {speed} | **{peak:,.0f}** | {split} | {r['idle_rss_mb']:,.0f} | {delta} |")


def report(scenarios: list[dict[str, Any]], args: argparse.Namespace, note: str) -> str:
    lines = [
        "# PERF-4: import throughput (bench/import_throughput.py)",
        "",
        f"- When: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}. The 2 CPUs are shared with other work (other helpers' tests and benches), so "
        "wall times are indicative: compare CPU seconds too; load average at the end of each import is below.",
        f"- Target (SECURITY-PLAN PERF-4): each import <= {TARGET_SECONDS // 60} min, peak RSS <= {TARGET_MB} MB.",
        f"- Files: CSV = synthetic GP-registrations extract, {args.rows:,} rows ({args.bad:,} broken); "
        f"CTF = synthetic CTF, {args.pupils:,} pupils (2% broken); council of {args.children:,} children loaded "
        "first (not timed).",
        "- Entry point: the daily run's feed stage (`feeds_run_all` under the run lock), in a child process per "
        "import. Wall/CPU = that call; peak RSS = the child's VmHWM (interpreter, Django and the import); idle = "
        "its RSS after start-up, before the import. 'runs / linking': the same call split where `feeds_run_all` "
        "calls `feeds_link_pending` (the deferred linkage of the partner records to the LA's children, its own "
        "transaction): time and peak RSS of the feed runs (receive, parse, store, roll facts, rejected rows) and "
        "of the linking (the peak is reset between them through /proc/self/clear_refs).",
        *([f"- {note}"] if note else []),
        "",
        "| file | DB | run | rows | result | wall (s) | CPU (s) | rows/s | peak RSS (MB) | runs / linking "
        "(time, peak) | idle RSS (MB) | rows added to the DB |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for s in scenarios:
        lines += [_row(s, r) for r in s["results"]]
    loads = [f"{s['kind']}/{s['db']} " + " / ".join(f"{r['load']:.1f}" for r in s["results"]) for s in scenarios]
    lines += ["", "Reasons given for the rejected rows of the first import (numbers and quoted values shown as #):", ""]
    for s in scenarios:
        shown = "; ".join(f"{reason} ({count:,})" for reason, count in s["results"][0].get("reasons", []))
        lines.append(f"- {s['kind'].upper()} on {s['db']}: {shown or 'none'}")
    lines += ["", "Load average (1 min) at the end of each import: " + ", ".join(loads), ""]
    verdicts = []
    for s in scenarios:
        first = s["results"][0]
        peak = max(max(r["peak_rss_mb"], r["sampled_peak_mb"]) for r in s["results"])
        met = first["wall"] <= TARGET_SECONDS and peak <= TARGET_MB
        verdicts.append(f"- {s['kind'].upper()} on {s['db']}: {'**met**' if met else '**not met**'} "
                        f"(first import {first['wall']:.1f} s, highest peak RSS {peak:,.0f} MB)")
    lines += ["Verdict:", "", *verdicts, "", "Re-run: `make perf-import` (SQLite and PostgreSQL; the PostgreSQL "
              "database: `su postgres -c \"createdb -O cme_ci cme_perf4\"`, or --database-url), or "
              "`.venv/bin/python bench/import_throughput.py --db sqlite`.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"])
    parser.add_argument("--only", nargs="+", choices=("csv", "ctf"), default=["csv", "ctf"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad", type=int, default=None, help="broken CSV rows (default 3%% of --rows)")
    parser.add_argument("--pupils", type=int, default=5_000)
    parser.add_argument("--children", type=int, default=None, help="council size (default: enough for --rows)")
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--note", default="", help="a line added to the results (e.g. what changed)")
    if argv and argv[0] in ("_setup", "_import"):
        inner = argparse.ArgumentParser()
        inner.add_argument("--kind", default="csv")
        for name in ("children", "rows", "bad", "pupils"):
            inner.add_argument(f"--{name}", type=int, default=0)
        inner.add_argument("--add", default="")
        options = inner.parse_args(argv[1:])
        use({})
        (setup if argv[0] == "_setup" else import_once)(options)
        return
    args = parser.parse_args(argv)
    args.bad = args.rows * 3 // 100 if args.bad is None else args.bad
    args.children = args.children or int(args.rows * 1.06) + 2_000
    scenarios = [scenario(kind, db, args) for db in args.db for kind in args.only]
    text = report(scenarios, args, args.note)
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
