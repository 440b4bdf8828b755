"""PERF-4 addendum: a 5,000-pupil CTF through the case-work 'Import a CTF' page's service (figures only).

    .venv/bin/python bench/ctf_page_bench.py                       # 5,000 pupils, 108,000 children, SQLite
    .venv/bin/python bench/ctf_page_bench.py --pupils 500 --children 20000

Bulk CTFs come in through the CTF feed source (`bench/import_throughput.py`, one transaction, linkage engine).
The page (`cme.cases.ctf.ctf_import`, what /cases/ctf/import/ calls with the uploaded bytes) is for the CTFs an
officer receives about a child: it matches each pupil by the child search (UPN, then name and date of birth),
attaches what the record lacks (names, former UPN, address, contacts, schools, each audited) and sends pupils it
cannot match to triage. This measures it with a whole school's CTF, in a child process, after the same setup as
`import_throughput.py --only ctf` (a synthetic council loaded, the CTF written from its children):

1. the file, as a CME officer of the council (wall, CPU, SQL queries, peak RSS, what it matched and attached);
2. the same file again: refused with the date it was imported (nothing written).

Results: a table on stdout and `bench/ctf-page-results.md`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, log, machine, reset_database, rss_mb, run_child, use  # noqa: E402
from import_throughput import environment  # noqa: E402

RESULTS = ROOT / "bench" / "ctf-page-results.md"


def import_once(args: argparse.Namespace) -> None:
    from django.db import connection

    from cme.accounts.models import User
    from cme.accounts.roles import Role
    from cme.audit.models import AuditEvent
    from cme.audit.services import Auditor
    from cme.cases.ctf import CTFError, ctf_import
    from cme.core.models import LocalAuthority
    from cme.notifications.models import Notification

    la = LocalAuthority.objects.get()
    user, _ = User.objects.get_or_create(email="bench.officer@example.org", defaults={
        "full_name": "Bench Officer", "role": Role.CME_OFFICER, "local_authority": la})
    path = next(Path(args.folder).glob("*.xml"))
    data = path.read_bytes()
    events0, notes0 = AuditEvent.objects.count(), Notification.objects.count()
    idle, _ = rss_mb()
    started, cpu0 = time.perf_counter(), time.process_time()
    outcome: dict[str, Any] = {}
    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        try:
            result = ctf_import(actor=Auditor.for_user(user), user=user, data=data, file_name=path.name)
        except CTFError as exc:
            outcome = {"refused": str(exc)}
        else:
            matched = [p for p in result.pupils if p.child is not None]
            added: dict[str, int] = {}
            for pupil in matched:
                for key, count in pupil.added.items():
                    added[key] = added.get(key, 0) + count
            outcome = {"pupils": len(result.pupils), "matched": len(matched),
                       "by": {how: sum(1 for p in matched if p.matched_by == how)
                              for how in sorted({p.matched_by for p in matched})},
                       "to_triage": sum(1 for p in result.pupils if p.notification is not None), "added": added}
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    print(json.dumps({"outcome": outcome, "wall": wall, "cpu": cpu, "queries": queries[0], "bytes": len(data),
                      "idle_rss_mb": idle, "peak_rss_mb": rss_mb()[1],
                      "audit_events": AuditEvent.objects.count() - events0,
                      "notifications": Notification.objects.count() - notes0}))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_import":
        inner = argparse.ArgumentParser()
        inner.add_argument("--folder", required=True)
        use({})
        import_once(inner.parse_args(argv[1:]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=5_000)
    parser.add_argument("--children", type=int, default=108_000, help="council size loaded first (not timed)")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    env = {**environment("ctf-page", "sqlite", ""), "LOG_LEVEL": "WARNING"}
    reset_database(env)
    folder = Path(env["CME_VAR_DIR"]) / "incoming" / "ctf"
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    log(f"ctf page: setup ({args.children:,} children, a CTF of {args.pupils:,} pupils)")
    setup = run_child([PYTHON, str(ROOT / "bench" / "import_throughput.py"), "_setup", "--kind", "ctf",
                       "--children", str(args.children), "--pupils", str(args.pupils)], env=env, quiet=True)
    written = json.loads([x for x in setup.output.splitlines() if x.startswith("{")][-1])
    runs = []
    for label in ("1: the file", "2: the same file again"):
        usage = run_child([PYTHON, str(Path(__file__).resolve()), "_import", "--folder", str(folder / "files")],
                          env=env, quiet=True)
        found = json.loads([x for x in usage.output.splitlines() if x.startswith("{")][-1])
        found.update(label=label, sampled_peak_mb=usage.peak_rss_mb, load=usage.load)
        log(f"ctf page: {label}: {found['wall']:.1f} s, {found['queries']:,} queries, {found['outcome']}")
        runs.append(found)
    lines = ["# PERF-4 addendum: a whole school's CTF through the 'Import a CTF' page (bench/ctf_page_bench.py)", "",
             f"- Machine: {machine()}; SQLite.",
             f"- Council of {written['children']:,} children loaded first; CTF of {written['rows']:,} pupils "
             f"({written['bad']:,} broken: rejected by the feed source's checks, here sent to triage or refused by "
             f"the parser), {written['bytes'] / 1e6:.1f} MB; upload limit `CME_MAX_UPLOAD_BYTES` 20 MB.",
             "- Entry point: `cme.cases.ctf.ctf_import` as the page calls it (one transaction), in a child process.",
             "", "| run | outcome | wall (s) | CPU (s) | SQL queries | peak RSS (MB) | audit events | to triage |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        o = r["outcome"]
        what = (f"refused: {o['refused']}" if "refused" in o else
                f"{o['pupils']:,} pupils, {o['matched']:,} matched ("
                + ", ".join(f"{k} {v:,}" for k, v in o["by"].items()) + "), added "
                + ", ".join(f"{k} {v:,}" for k, v in o["added"].items()))
        lines.append(f"| {r['label']} | {what} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['queries']:,} "
                     f"| {max(r['peak_rss_mb'], r['sampled_peak_mb']):,.0f} | {r['audit_events']:,} "
                     f"| {r['notifications']:,} |")
    text = "\n".join([*lines, ""])
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
