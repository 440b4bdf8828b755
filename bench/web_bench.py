"""Web benchmark: locust (headless, loopback) against gunicorn over the officer journeys.

    .venv/bin/python bench/web_bench.py --db sqlite --users 20           # one configuration
    .venv/bin/python bench/web_bench.py --db sqlite postgres --users 20 50 --seconds 60

Needs a seeded scratch database: by default the one `seed_bench.py` leaves (/tmp/cme-bench-seed-<db>, or
`--var-dir`/`--database-url`). Before the run it adds benchmark officer accounts (role CME officer, one per
simulated user, each with a TOTP device: codes cannot be replayed, so sign-ins are not shared) and picks children
and names to look for. Then it serves `gunicorn cme.wsgi -w 2` with production settings (bench/settings_bench.py:
DEBUG off, no TLS redirect/secure cookies on 127.0.0.1) and runs locust for `--seconds` per configuration.
Each locust user signs in (password + TOTP) and hits: triage queue, case list, child search (POST), child page,
dashboard, with 0.5-1.5 s between pages. Reports p50/p95/p99 (ms), requests/s, errors, and the CPU seconds
the gunicorn workers used. The locust process shares the 2 CPUs with the server, as does everything else running.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PG_URL, PYTHON, ROOT, SCRATCH, log  # noqa: E402

BIN = Path(PYTHON).parent
BENCH_DOMAIN = "bench.example.org"
BENCH_PASSWORD = "bench-password-931-not-secret"  # noqa: S105 - scratch benchmark accounts only
PAGES = ["triage queue", "case list", "child search (POST)", "child page", "dashboard"]


def prepare(users: int, out: Path) -> None:
    """In the scratch database: benchmark officer accounts, and children/names to use (child process)."""
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cme.accounts.models import User
    from cme.accounts.roles import Role
    from cme.children.models import Child, ChildName
    from cme.core.models import LocalAuthority, Organisation

    la = LocalAuthority.objects.order_by("pk").first()
    if la is None:
        raise SystemExit("The scratch database has no local authority: seed it first (bench/seed_bench.py).")
    org = Organisation.objects.filter(local_authority=la, kind=Organisation.Kind.LOCAL_AUTHORITY).first()
    accounts = []
    for i in range(users):
        email = f"bench.officer.{i}@{BENCH_DOMAIN}"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, BENCH_PASSWORD, full_name=f"Bench Officer {i}", role=Role.CME_OFFICER, local_authority=la,
            organisation=org)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Bench authenticator", confirmed=True)
        User.objects.filter(pk=user.pk).update(failed_sign_in_count=0, locked_until=None)
        accounts.append({"email": email, "password": BENCH_PASSWORD, "totp_hex": device.key})
    children = list(Child.objects.filter(local_authority=la, is_restricted=False).order_by("?")
                    .values_list("pk", flat=True)[:500])
    names = list(ChildName.objects.filter(child_id__in=children[:200], kind="legal")
                 .values_list("forename", "surname")[:200])
    out.write_text(json.dumps({"users": accounts, "children": children, "names": names,
                               "total_children": Child.objects.filter(local_authority=la).count()}),
                   encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run_config(env: dict[str, str], fixture: Path, users: int, seconds: int, workdir: Path) -> dict[str, object]:
    port = _free_port()
    server_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "settings_bench",
                  "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}", "SECRET_KEY": secrets.token_urlsafe(64),
                  "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "False", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(BIN / "gunicorn"), "cme.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",  # noqa: S603
                               "--timeout", "120", "--log-level", "warning"], cwd=ROOT, env=server_env,
                              stdout=subprocess.DEVNULL, stderr=(workdir / "gunicorn.log").open("ab"))
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not start; see gunicorn.log")
        cpu0 = sum(_cpu_seconds(p) for p in _workers(server.pid))
        prefix = workdir / f"locust_{users}"
        started = time.perf_counter()
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",  # noqa: S603
                        "-u", str(users), "-r", str(max(1, users // 5)), "--run-time", f"{seconds}s",
                        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                        "--stop-timeout", "10", "--loglevel", "WARNING"],
                       cwd=ROOT, env={**os.environ, "CME_BENCH_WEB_FIXTURE": str(fixture),
                            "CME_BENCH_WEB_SAMPLES": f"{prefix}_samples.json"}, check=False,
                       stdout=subprocess.DEVNULL, stderr=(workdir / "locust.log").open("ab"))
        wall = time.perf_counter() - started
        cpu = sum(_cpu_seconds(p) for p in _workers(server.pid)) - cpu0
        load = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    samples = json.loads(Path(f"{prefix}_samples.json").read_text(encoding="utf-8"))
    stats = {page: _summary([s for s in samples if s[0] == page], wall) for page in PAGES}
    stats["all officer pages"] = _summary([s for s in samples if s[0] in PAGES], wall)
    stats["sign in + two-factor"] = _summary([s for s in samples if s[0] in ("sign in", "two-factor")], wall)
    return {"stats": stats, "wall": wall, "server_cpu": cpu, "load": load}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _summary(samples: list[list[object]], wall: float) -> dict[str, float]:
    times = [float(s[1]) for s in samples]  # type: ignore[arg-type]
    return {"n": len(times), "errors": sum(1 for s in samples if s[2]), "p50": _percentile(times, 0.50),
            "p95": _percentile(times, 0.95), "p99": _percentile(times, 0.99), "rps": len(times) / wall}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"])
    parser.add_argument("--users", nargs="+", type=int, default=[20])
    parser.add_argument("--seconds", type=int, default=60, help="locust run time per configuration (default 60)")
    parser.add_argument("--var-dir", help="scratch CME_VAR_DIR of an already seeded database (one --db only)")
    parser.add_argument("--database-url", help="its DATABASE_URL")
    parser.add_argument("--prepare", nargs=2, metavar=("USERS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(int(args.prepare[0]), Path(args.prepare[1]))
        return

    rows = []
    for db in args.db:
        var = Path(args.var_dir or SCRATCH / f"cme-bench-seed-{db}")
        url = args.database_url or (PG_URL if db == "postgres" else f"sqlite:///{var / 'db.sqlite3'}")
        env = {"CME_VAR_DIR": str(var), "DATABASE_URL": url}
        workdir = var / "web"
        workdir.mkdir(parents=True, exist_ok=True)
        fixture = workdir / "fixture.json"
        log(f"web: preparing accounts in {url}")
        subprocess.run([PYTHON, __file__, "--prepare", str(max(args.users)), str(fixture)], cwd=ROOT, check=True,  # noqa: S603
                       env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "cme.settings.dev"})
        total = json.loads(fixture.read_text())["total_children"]
        for users in args.users:
            log(f"web: {db}, {users} users, {args.seconds} s")
            result = run_config(env, fixture, users, args.seconds, workdir)
            rows.append((db, users, total, result))

    print(f"### Web: locust, headless on loopback, gunicorn 2 workers, {args.seconds} s per configuration\n")
    print("Times in ms from every response locust recorded. `errors` = failed requests (HTTP >= 400 or "
          "exceptions). 'all officer pages' = the five journeys (not sign-in, not the search form GET). Server CPU = "
          "CPU seconds the two gunicorn workers used during the run.\n")
    print("| database | children | users | page | requests | errors | p50 | p95 | p99 | req/s |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for db, users, total, result in rows:
        stats = result["stats"]
        assert isinstance(stats, dict)
        for page in [*PAGES, "all officer pages", "sign in + two-factor"]:
            row = stats[page]
            label = f"**{page}**" if page == "all officer pages" else page
            print(f"| {db} | {total:,} | {users} | {label} | {row['n']:,} | {row['errors']:,} | {row['p50']:,.0f} "
                  f"| {row['p95']:,.0f} | {row['p99']:,.0f} | {row['rps']:.1f} |")
        requests = stats["all officer pages"]["n"] + stats["sign in + two-factor"]["n"]
        per_request = 1000 * float(result["server_cpu"]) / max(requests, 1)
        print(f"| {db} | {total:,} | {users} | *server CPU {result['server_cpu']:.0f} s in {result['wall']:.0f} s "
              f"(~{per_request:,.0f} ms CPU per page or sign-in step); load average {result['load']:.1f}* "
              "| | | | | | |")
    print()


if __name__ == "__main__":
    main()
