"""The security plan's PERF rows as benchmarks (SECURITY-PLAN.md: PERF-1, PERF-2, PERF-5): figures, not asserts.

    make perf-prepare                                              # or: .venv/bin/python bench/perf_plan.py prepare
    .venv/bin/python bench/perf_plan.py load                       # PERF-1: 50 users, 10 min
    .venv/bin/python bench/perf_plan.py audit-overhead             # PERF-5: ABABABAB, 4 x 2.5 min each way
    .venv/bin/python bench/perf_plan.py spike                      # PERF-2: 100 users (2x peak), 2 min
    .venv/bin/python bench/perf_plan.py soak --minutes 60          # PERF-2: 50 users, 60 min, RSS every minute
    make perf                                                      # prepare, then all four (about 95 min)
    short check: load --users 20 --seconds 60; audit-overhead --users 20 --rounds 1 --segment-seconds 60;
                 spike --seconds 60; soak --minutes 2

PostgreSQL only: the `cme_perf` database owned by cme_ci on 127.0.0.1 (`su postgres -c "createdb -O cme_ci
cme_perf"`; another with --database-url or CME_PERF_PG_URL). `prepare` (idempotent; bench/perf_prepare.py) seeds
100,000 children, tops up 1,000,000 register marks and 500,000 audit rows, and makes `--accounts` benchmark
accounts per role, each with a TOTP device. Each run serves `gunicorn cme.wsgi` (`--workers`, default 2, sync)
with production settings minus TLS (bench/settings_bench.py) and bench/gunicorn_bench.py, and runs locust headless
on loopback with bench/locustfile_plan.py (70% officer, 20% school staff, 5% partner, 5% manager). It measures
p50/p95/p99 per page, requests/s, error %, the CPU used by the gunicorn workers, by locust and by the whole machine,
and the workers' RSS every `--sample-every` seconds. Load generator, server and database share the same 2 CPUs.
PERF-5's "without read auditing" side is a gunicorn hook in bench/gunicorn_bench.py (no production switch): both
servers run side by side and locust alternates between them, segment by segment, after a warm-up of each.
Results: JSON and markdown in bench/out/ and this command's section of bench/perf-results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, SCRATCH, log, machine  # noqa: E402
from web_bench import _cpu_seconds, _free_port, _percentile, _workers  # noqa: E402

BIN = Path(PYTHON).parent
PG_URL = os.environ.get("CME_PERF_PG_URL", "postgres://cme_ci:cme_ci@127.0.0.1:5432/cme_perf")
RESULTS = ROOT / "bench" / "perf-results.md"
OUT = ROOT / "bench" / "out"
SIGN_IN = ("sign in (form)", "sign in", "two-factor", "sign-in refused")


class Server:
    """gunicorn with the bench settings on a free loopback port; `no_read_audit` sets the PERF-5 switch."""

    def __init__(self, env: dict[str, str], workers: int, workdir: Path, *, no_read_audit: bool = False) -> None:
        self.port = _free_port()
        server_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "settings_bench",
                      "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}", "SECRET_KEY": secrets.token_urlsafe(64),
                      "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "False", "LOG_LEVEL": "WARNING",
                      "CME_BENCH_NO_READ_AUDIT": "1" if no_read_audit else "0"}
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(BIN / "gunicorn"), "cme.wsgi", "-c", str(ROOT / "bench" / "gunicorn_bench.py"), "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL, stderr=(workdir / "gunicorn.log").open("ab"))
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/", timeout=5)  # noqa: S310 - loopback
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {workdir / 'gunicorn.log'}")

    def workers(self) -> list[int]:
        return _workers(self.process.pid)

    def cpu(self) -> float:
        return sum(_cpu_seconds(p) for p in self.workers())

    def rss_mb(self) -> dict[int, float]:
        found = {}
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        found[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def run_locust(server: Server, fixture: Path, workdir: Path, tag: str, *, users: int, seconds: int,
               spawn_rate: float, sample_every: float = 60.0, account_offset: int = 0) -> dict[str, Any]:
    """One headless locust run against `server`; samples the workers' RSS at the start, every `sample_every`
    seconds and at the end."""
    samples_path = workdir / f"{tag}_samples.json"
    samples_path.unlink(missing_ok=True)
    cpu0, busy0, t0, load0 = server.cpu(), _machine_busy(), time.time(), os.getloadavg()[0]
    rss = [(0.0, server.rss_mb())]
    locust = subprocess.Popen(  # noqa: S603 - our own command line
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile_plan.py"), "--headless", "-u", str(users),
         "-r", str(spawn_rate), "--run-time", f"{seconds}s", "--host", f"http://127.0.0.1:{server.port}",
         "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
        cwd=ROOT, env={**os.environ, "CME_BENCH_WEB_FIXTURE": str(fixture), "CME_BENCH_WEB_SAMPLES": str(samples_path),
                       "CME_BENCH_ACCOUNT_OFFSET": str(account_offset)},
        stdout=subprocess.DEVNULL, stderr=(workdir / "locust.log").open("ab"))
    next_sample = t0 + sample_every
    while True:
        pid, _, usage = os.wait4(locust.pid, os.WNOHANG)  # reaps locust with its CPU time
        if pid:
            break
        time.sleep(0.5)
        if time.time() >= next_sample:
            rss.append((time.time() - t0, server.rss_mb()))
            next_sample += sample_every
    locust.returncode = 0
    locust_cpu = usage.ru_utime + usage.ru_stime
    wall = time.time() - t0
    rss.append((wall, server.rss_mb()))
    busy1 = _machine_busy()
    busy = 100 * (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1) if busy1[1] > busy0[1] else 0.0
    samples = json.loads(samples_path.read_text(encoding="utf-8")) if samples_path.exists() else []
    if not [s for s in samples if s[0] not in SIGN_IN]:
        raise SystemExit(f"locust recorded no page (only sign-in steps, or nothing): see {workdir / 'locust.log'}")
    return {"tag": tag, "users": users, "seconds": seconds, "wall": wall, "started": t0, "samples": samples,
            "server_cpu": server.cpu() - cpu0, "locust_cpu": locust_cpu, "machine_busy_pct": busy,
            "load_start": load0, "load": os.getloadavg()[0],
            "rss": [(round(t, 1), {str(k): round(v, 1) for k, v in r.items()}) for t, r in rss]}


def summary(samples: list[list[Any]], wall: float) -> dict[str, float]:
    times = [float(s[1]) for s in samples]
    errors = sum(1 for s in samples if s[2])
    return {"n": len(times), "errors": errors, "error_pct": 100 * errors / len(times) if times else 0.0,
            "p50": _percentile(times, 0.50), "p95": _percentile(times, 0.95), "p99": _percentile(times, 0.99),
            "rps": len(times) / wall if wall else 0.0}


def per_page(samples: list[list[Any]], wall: float) -> dict[str, dict[str, float]]:
    pages = sorted({s[0] for s in samples if s[0] not in SIGN_IN})
    stats = {page: summary([s for s in samples if s[0] == page], wall) for page in pages}
    stats["all pages (not sign-in)"] = summary([s for s in samples if s[0] not in SIGN_IN], wall)
    stats["sign in + two-factor"] = summary([s for s in samples if s[0] in SIGN_IN], wall)
    return stats


def page_table(stats: dict[str, dict[str, float]]) -> list[str]:
    lines = ["| page | requests | errors | error % | p50 (ms) | p95 (ms) | p99 (ms) | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for page, row in stats.items():
        label = f"**{page}**" if page.startswith("all pages") else page
        lines.append(f"| {label} | {row['n']:,} | {row['errors']:,} | {row['error_pct']:.2f} | {row['p50']:,.0f} "
                     f"| {row['p95']:,.0f} | {row['p99']:,.0f} | {row['rps']:.1f} |")
    return lines


def cpu_line(run: dict[str, Any]) -> str:
    per_request = 1000 * run["server_cpu"] / max(len(run["samples"]), 1)
    return (f"CPU: gunicorn workers {run['server_cpu']:.0f} s (~{per_request:,.0f} ms per request, sign-in steps "
            f"included), locust {run['locust_cpu']:.0f} s in {run['wall']:.0f} s wall; whole machine "
            f"{run['machine_busy_pct']:.0f}% busy (of 2 CPUs, PostgreSQL and anything else running included); "
            f"load average {run['load_start']:.1f} at the start, {run['load']:.1f} at the end (above 2: other "
            "work was competing for the CPUs).")


def rss_growth(rss: list[tuple[float, dict[str, float]]], base_index: int) -> dict[str, Any]:
    """Growth of the workers' total RSS from sample `base_index` to the last; workers that were replaced noted."""
    base, end = rss[min(base_index, len(rss) - 1)][1], rss[-1][1]
    same = [pid for pid in base if pid in end]
    total0, total1 = sum(base[p] for p in same), sum(end[p] for p in same)
    return {"base_mb": total0, "end_mb": total1, "growth_pct": 100 * (total1 - total0) / total0 if total0 else 0.0,
            "per_worker_pct": {p: round(100 * (end[p] - base[p]) / base[p], 1) for p in same if base[p]},
            "replaced_workers": sorted(set(base) ^ set(end))}


def write_results(command: str, title: str, lines: list[str], data: dict[str, Any]) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%MZ")
    OUT.mkdir(parents=True, exist_ok=True)
    body = "\n".join([f"### {title}", "", f"Run {stamp}. Machine: {machine()}. Load generator (locust), gunicorn "
                      "and PostgreSQL share these CPUs, so compare only runs made on the same machine.", "", *lines,
                      ""])
    (OUT / f"perf-{command}.md").write_text(body, encoding="utf-8")
    (OUT / f"perf-{command}-{stamp}.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _RESULTS_HEAD
    start, end = f"<!-- perf:{command} -->", f"<!-- /perf:{command} -->"
    block = f"{start}\n{body}{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(body)
    log(f"perf: results in {RESULTS.relative_to(ROOT)} and bench/out/perf-{command}.md (+ JSON)")


_RESULTS_HEAD = """# Security plan PERF rows: results

Written by `bench/perf_plan.py` (one section per command, replaced when it is run again; see the script's header
and BENCHMARKS.md for how to run). Figures from the run named in each section. The machine has 2 CPUs shared by
the load generator (locust), gunicorn (2 sync workers) and PostgreSQL: the server gets well under 2 CPUs, and
these figures are a floor for what a dedicated server would do. Compare only runs made on the same machine.
"""


def _env(args: argparse.Namespace) -> tuple[dict[str, str], Path]:
    var = Path(args.var_dir)
    (var / "perf").mkdir(parents=True, exist_ok=True)
    return {"CME_VAR_DIR": str(var), "DATABASE_URL": args.database_url}, var / "perf"


def _fixture(args: argparse.Namespace) -> Path:
    path = Path(args.var_dir) / "perf" / "fixture.json"
    if not path.exists():
        raise SystemExit(f"No {path}: run `bench/perf_plan.py prepare` first.")
    return path


def _read_events(url: str) -> int:
    """VIEW/SEARCH/EXPORT audit rows so far (PERF-5 checks its switch with it)."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute("SELECT COUNT(*) FROM audit_auditevent WHERE action IN ('view', 'search', 'export') "
                           "AND actor_label LIKE 'perf.%'").fetchone()
    return int(row[0]) if row else 0


def cmd_prepare(args: argparse.Namespace) -> None:
    env, workdir = _env(args)
    started = time.perf_counter()
    out = workdir / "report.json"
    subprocess.run([PYTHON, __file__, "prepare-child", "--accounts", str(args.accounts),  # noqa: S603
                    "--var-dir", args.var_dir, "--database-url", args.database_url],
                   cwd=ROOT, check=True, env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "cme.settings.dev"})
    report = json.loads(out.read_text(encoding="utf-8"))
    wall = time.perf_counter() - started
    counts = report["counts"]
    lines = [f"`prepare` took **{wall:.0f} s** (seed {report['seconds']['seed']:.0f} s, register marks "
             f"{report['seconds']['attendance']:.0f} s, audit rows {report['seconds']['audit']:.0f} s, accounts "
             f"{report['seconds']['accounts']:.0f} s; 0 s for a step already done).", "",
             "| table | rows |", "|---|---:|", *[f"| {k} | {v:,} |" for k, v in counts.items()], "",
             f"Benchmark accounts: {args.accounts} per role (officer, school staff, partner, manager), each with a "
             "confirmed TOTP device."]
    write_results("prepare", "Prepare: the seeded council", lines, {"wall": wall, **report})


def cmd_prepare_child(args: argparse.Namespace) -> None:
    import perf_prepare

    workdir = Path(args.var_dir) / "perf"
    report = perf_prepare.main(args.accounts, workdir / "fixture.json")
    (workdir / "report.json").write_text(json.dumps(report), encoding="utf-8")


def cmd_load(args: argparse.Namespace) -> None:
    env, workdir = _env(args)
    fixture = _fixture(args)
    server = Server(env, args.workers, workdir)
    try:
        run = run_locust(server, fixture, workdir, "load", users=args.users, seconds=args.seconds,
                         spawn_rate=max(1, args.users // 5), sample_every=args.sample_every)
    finally:
        server.stop()
    stats = per_page(run["samples"], run["wall"])
    overall = stats["all pages (not sign-in)"]
    errors = sum(row["errors"] for row in stats.values() if row is not overall)
    ok = overall["p95"] < 500 and overall["p99"] < 1500 and errors == 0
    lines = [f"PERF-1: {args.users} users for {args.seconds} s, {args.workers} gunicorn workers, mix 70/20/5/5 "
             f"(officer/school/partner/manager), 0.5-1.5 s between pages, ramp {max(1, args.users // 5)} users/s.",
             "", f"**Pass criterion p95 < 500 ms, p99 < 1.5 s, errors 0%: {'met' if ok else 'NOT met'}** "
             f"(all pages: p95 {overall['p95']:,.0f} ms, p99 {overall['p99']:,.0f} ms, "
             f"{overall['rps']:.1f} req/s; errors {errors:,} including sign-in).", "", *page_table(stats), "",
             cpu_line(run)]
    write_results("load", f"PERF-1 load: {args.users} users, {args.seconds} s", lines,
                  {"args": vars(args), "stats": stats, "pass": ok, **{k: v for k, v in run.items() if k != "samples"}})


def cmd_spike(args: argparse.Namespace) -> None:
    env, workdir = _env(args)
    fixture = _fixture(args)
    server = Server(env, args.workers, workdir)
    try:
        run = run_locust(server, fixture, workdir, "spike", users=args.users, seconds=args.seconds,
                         spawn_rate=max(1, args.users // 10), sample_every=args.sample_every)
    finally:
        server.stop()
    stats = per_page(run["samples"], run["wall"])
    errors = sum(row["errors"] for page, row in stats.items() if not page.startswith("all pages"))
    lines = [f"PERF-2 spike: {args.users} users (2x the 50-user peak) for {args.seconds} s, all in within 10 s.", "",
             f"**Pass criterion no errors: {'met' if errors == 0 else 'NOT met'}** ({errors:,} errors).", "",
             *page_table(stats), "", cpu_line(run)]
    write_results("spike", f"PERF-2 spike: {args.users} users, {args.seconds} s", lines,
                  {"args": vars(args), "stats": stats, "errors": errors,
                   **{k: v for k, v in run.items() if k != "samples"}})


def cmd_soak(args: argparse.Namespace) -> None:
    env, workdir = _env(args)
    fixture = _fixture(args)
    seconds = int(args.minutes * 60)
    server = Server(env, args.workers, workdir)
    try:
        run = run_locust(server, fixture, workdir, "soak", users=args.users, seconds=seconds,
                         spawn_rate=max(1, args.users // 5), sample_every=args.sample_every)
    finally:
        server.stop()
    stats = per_page(run["samples"], run["wall"])
    errors = sum(row["errors"] for page, row in stats.items() if not page.startswith("all pages"))
    rss = run["rss"]
    warm, cold = rss_growth(rss, 1), rss_growth(rss, 0)
    ok = errors == 0 and warm["growth_pct"] < 10 and not warm["replaced_workers"]
    lines = [f"PERF-2 soak: {args.users} users for {args.minutes:g} min ({args.workers} workers), worker RSS every "
             f"{args.sample_every:.0f} s.", "",
             f"**Pass criterion no errors and RSS growth < 10%: {'met' if ok else 'NOT met'}** ({errors:,} errors; "
             f"workers' RSS {warm['base_mb']:,.0f} MB after the first sample interval (warm) -> "
             f"{warm['end_mb']:,.0f} MB at the end: **{warm['growth_pct']:+.1f}%**, per worker "
             f"{', '.join(f'{v:+.1f}%' for v in warm['per_worker_pct'].values())}; from the cold start "
             f"{cold['base_mb']:,.0f} MB: {cold['growth_pct']:+.1f}%"
             f"{'; workers replaced: ' + ', '.join(warm['replaced_workers']) if warm['replaced_workers'] else ''}).",
             "", "| minute | workers' RSS (MB) | requests since the previous sample | errors | p95 (ms) |",
             "|---:|---|---:|---:|---:|"]
    for i, (t, by_pid) in enumerate(rss):
        before = [s for s in run["samples"] if run["started"] + (rss[i - 1][0] if i else 0) <= s[3] <
                  run["started"] + t]
        window = summary([s for s in before if s[0] not in SIGN_IN], 1)
        lines.append(f"| {t / 60:.1f} | {' + '.join(f'{v:,.0f}' for v in by_pid.values())} | {window['n']:,} "
                     f"| {window['errors']:,} | {window['p95']:,.0f} |")
    lines += ["", *page_table(stats), "", cpu_line(run)]
    write_results("soak", f"PERF-2 soak: {args.users} users, {args.minutes:g} min", lines,
                  {"args": vars(args), "stats": stats, "errors": errors, "rss_warm": warm, "rss_cold": cold,
                   "pass": ok, **{k: v for k, v in run.items() if k != "samples"}})


def cmd_audit_overhead(args: argparse.Namespace) -> None:
    """PERF-5: A = read auditing on (as shipped), B = off (bench hook); ABAB... segments, p95 over all A vs B."""
    env, workdir = _env(args)
    fixture = _fixture(args)
    servers = {"A": Server(env, args.workers, workdir), "B": Server(env, args.workers, workdir, no_read_audit=True)}
    segments: list[dict[str, Any]] = []
    offset = 0
    try:
        for side in "AB":  # warm both servers' workers (templates, connections); not counted
            log(f"perf: warm-up {side}, {args.warmup} s")
            run_locust(servers[side], fixture, workdir, f"warmup_{side}", users=args.users, seconds=args.warmup,
                       spawn_rate=max(1, args.users // 5), account_offset=offset)
            offset += args.users
        for i in range(args.rounds):
            for side in "AB":
                log(f"perf: round {i + 1}/{args.rounds}, {side} ({'read audit ON' if side == 'A' else 'OFF'}), "
                    f"{args.segment_seconds} s")
                before = _read_events(args.database_url)
                run = run_locust(servers[side], fixture, workdir, f"segment_{i}_{side}", users=args.users,
                                 seconds=args.segment_seconds, spawn_rate=max(1, args.users // 5),
                                 sample_every=args.sample_every, account_offset=offset)
                offset += args.users
                run["side"], run["read_events"] = side, _read_events(args.database_url) - before
                segments.append(run)
    finally:
        for server in servers.values():
            server.stop()

    def counted(run: dict[str, Any]) -> list[list[Any]]:  # after each segment's ramp-up, no sign-in steps
        return [s for s in run["samples"] if s[0] not in SIGN_IN and s[3] >= run["started"] + args.skip]

    result = {}
    for side in "AB":
        runs = [r for r in segments if r["side"] == side]
        wall = sum(r["wall"] - args.skip for r in runs)
        result[side] = {"all": summary([s for r in runs for s in counted(r)], wall),
                        "pages": per_page([s for r in runs for s in counted(r)], wall),
                        "segments_p95": [summary(counted(r), r["wall"])["p95"] for r in runs],
                        "read_events": sum(r["read_events"] for r in runs),
                        "server_cpu": sum(r["server_cpu"] for r in runs)}
    a, b = result["A"]["all"], result["B"]["all"]
    delta = 100 * (a["p95"] - b["p95"]) / b["p95"] if b["p95"] else 0.0
    switch_ok = result["B"]["read_events"] == 0 and result["A"]["read_events"] > 0
    lines = [f"PERF-5: {args.users} users, {args.rounds} rounds of A then B, {args.segment_seconds} s each "
             f"({args.workers} workers per server; both servers up throughout, one idle while the other is loaded), "
             f"after a {args.warmup} s warm-up of each. Each segment's first {args.skip} s (ramp-up) and all sign-in "
             "steps are left out. A = read auditing as shipped; B = VIEW/SEARCH/EXPORT events skipped by the "
             "benchmark-only hook in bench/gunicorn_bench.py.", "",
             f"**Pass criterion p95 increase < 10%: {'met' if delta < 10 else 'NOT met'}**: p95 with read auditing "
             f"{a['p95']:,.0f} ms vs without {b['p95']:,.0f} ms: **{delta:+.1f}%** (p50 {a['p50']:,.0f} vs "
             f"{b['p50']:,.0f} ms, p99 {a['p99']:,.0f} vs {b['p99']:,.0f} ms).", "",
             f"Switch check: read audit events written by the benchmark accounts during A segments "
             f"{result['A']['read_events']:,}, during B segments {result['B']['read_events']:,} "
             f"({'as expected' if switch_ok else 'UNEXPECTED: the comparison is not valid'}).", "",
             "| side | requests | errors | p50 | p95 | p99 | req/s | p95 per segment | server CPU (s) |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for side, label in (("A", "A: read audit on"), ("B", "B: read audit off")):
        row = result[side]["all"]
        lines.append(f"| {label} | {row['n']:,} | {row['errors']:,} | {row['p50']:,.0f} | {row['p95']:,.0f} "
                     f"| {row['p99']:,.0f} | {row['rps']:.1f} | "
                     f"{', '.join(f'{p:,.0f}' for p in result[side]['segments_p95'])} "
                     f"| {result[side]['server_cpu']:.0f} |")
    lines += ["", "Per page, p95 (ms) A / B:", "", "| page | A p95 | B p95 | A n | B n |", "|---|---:|---:|---:|---:|"]
    for page, row in result["A"]["pages"].items():
        if page == "sign in + two-factor":
            continue  # left out of the comparison
        other = result["B"]["pages"].get(page, {"p95": 0, "n": 0})
        lines.append(f"| {page} | {row['p95']:,.0f} | {other['p95']:,.0f} | {row['n']:,} | {other['n']:,} |")
    write_results("audit-overhead", f"PERF-5 audit overhead: {args.rounds} x A/B, {args.segment_seconds} s segments",
                  lines, {"args": vars(args), "result": result, "delta_p95_pct": delta, "switch_ok": switch_ok,
                          "segments": [{k: v for k, v in r.items() if k != "samples"} for r in segments]})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--var-dir", default=str(SCRATCH / "cme-bench-perf"), help="scratch CME_VAR_DIR")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--sample-every", type=float, default=60.0, help="seconds between worker RSS samples")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "prepare-child"):
        p = sub.add_parser(name, help=argparse.SUPPRESS if name == "prepare-child" else "seed and top up (idempotent)")
        p.add_argument("--accounts", type=int, default=100, help="benchmark accounts per role (default 100)")
        if name == "prepare-child":
            p.add_argument("--var-dir", default=argparse.SUPPRESS)
            p.add_argument("--database-url", default=argparse.SUPPRESS)
    p = sub.add_parser("load", help="PERF-1")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=int, default=600)
    p = sub.add_parser("spike", help="PERF-2 spike")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--seconds", type=int, default=120)
    p = sub.add_parser("soak", help="PERF-2 soak")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--minutes", type=float, default=60)
    p = sub.add_parser("audit-overhead", help="PERF-5")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--segment-seconds", type=int, default=150)
    p.add_argument("--warmup", type=int, default=45, help="seconds of load on each server first, not counted")
    p.add_argument("--skip", type=int, default=15, help="seconds left out at the start of each segment")
    args = parser.parse_args(argv)
    {"prepare": cmd_prepare, "prepare-child": cmd_prepare_child, "load": cmd_load, "spike": cmd_spike,
     "soak": cmd_soak, "audit-overhead": cmd_audit_overhead}[args.command](args)


if __name__ == "__main__":
    main()
