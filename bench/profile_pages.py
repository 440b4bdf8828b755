"""Where a request's CPU goes: the PERF-1 pages in-process, with query counts and an optional cProfile.

    .venv/bin/python bench/profile_pages.py                     # every page, 30 requests each, table of ms/queries
    .venv/bin/python bench/profile_pages.py --page "child page" --profile 40   # top 40 functions by own time

Runs against the `cme_perf` database prepared by `bench/perf_plan.py prepare` (CME_PERF_PG_URL or --database-url)
with the bench's production settings (bench/settings_bench.py), through Django's full middleware stack (the test
Client's handler), signed in as the last benchmark account of each role with password and TOTP, exactly as locust
does. It writes nothing but the case notes and referrals the POST pages send, as the load run does. Figures, not
asserts: use it to see which page, query or template costs the CPU PERF-1 runs out of.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import resource
import secrets
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    return match.group(1) if match else ""


def _setup(database_url: str) -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "settings_bench", "DATABASE_URL": database_url,
                       "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "testserver,127.0.0.1",
                       "SECURE_SSL_REDIRECT": "False", "LOG_LEVEL": "WARNING"})
    import django

    django.setup()


def _client(account: dict[str, str]) -> Any:
    from django.test import Client
    from django_otp.oath import TOTP

    client = Client()
    page = client.get("/account/sign-in/")
    response = client.post("/account/sign-in/", {"csrfmiddlewaretoken": _csrf(page.content.decode()),
                                                 "email": account["email"], "password": account["password"]},
                           follow=True)
    for _ in range(2):  # a code cannot be used twice: if this step's was, wait for the next step's
        if "/account/two-factor/" not in response.request["PATH_INFO"]:
            break
        token = f"{TOTP(bytes.fromhex(account['totp_hex']), step=30, digits=6).token():06d}"
        response = client.post(response.request["PATH_INFO"], {
            "csrfmiddlewaretoken": _csrf(response.content.decode()), "token": token}, follow=True)
        if "/account/two-factor/" in response.request["PATH_INFO"]:
            time.sleep(30.5 - time.time() % 30)
    if "/account/" in response.request["PATH_INFO"]:
        raise SystemExit(f"sign-in as {account['email']} ended on {response.request['PATH_INFO']}")
    return client


def _counter(queries: list[str]) -> Any:
    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    return count


def pages(fixture: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(name, role, request(client)) for each page of the PERF-1 mix."""

    def get(url_of: Any) -> Any:
        return lambda client: client.get(url_of(), follow=True)

    def search(client: Any) -> Any:
        form = client.get("/children/find/")
        forename, surname = random.choice(fixture["names"])
        return client.post("/children/find/", {"csrfmiddlewaretoken": _csrf(form.content.decode()),
                                               "name": f"{forename} {surname}"})

    def note(client: Any) -> Any:
        case = random.choice(fixture["cases"])
        page = client.get(f"/cases/{case}/")
        return client.post(f"/cases/{case}/notes/", {"csrfmiddlewaretoken": _csrf(page.content.decode()),
                                                     "text": "Bench note: phoned the family, no answer."})

    return [
        ("child search (form)", "officer", get(lambda: "/children/find/")),
        ("child search (POST)", "officer", search),
        ("child page", "officer", get(lambda: f"/children/{random.choice(fixture['children'])}/")),
        ("case page", "officer", get(lambda: f"/cases/{random.choice(fixture['cases'])}/")),
        ("case list", "officer", get(lambda: "/cases/")),
        ("case note (page + POST)", "officer", note),
        ("school page (recent leavers)", "school", get(lambda: "/schools/mine/")),
        ("deletion return (form)", "school", get(lambda: "/returns/deletion/")),
        ("returns start", "school", get(lambda: "/returns/")),
        ("what you have sent", "school", get(lambda: "/referrals/sent/")),
        ("referral (form)", "partner", get(lambda: "/referrals/new/")),
        ("dashboard", "manager", get(lambda: "/reports/")),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "CME_PERF_PG_URL", "postgres://cme_ci:cme_ci@127.0.0.1:5432/cme_perf"))
    parser.add_argument("--fixture", default="/tmp/cme-bench-perf/perf/fixture.json",  # noqa: S108 - bench scratch
                        help="written by `perf_plan.py prepare`")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (after 3 warm-up)")
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the top N functions by own time")
    parser.add_argument("--sql", action="store_true", help="print each page's SQL statements")
    parser.add_argument("--sort", default="tottime", help="pstats sort key for --profile (tottime, cumulative)")
    args = parser.parse_args(argv)
    _setup(args.database_url)
    from django.db import connection

    fixture = json.loads(Path(args.fixture).read_text(encoding="utf-8"))
    clients: dict[str, Any] = {}
    profiler = cProfile.Profile()
    print(f"{'page':32} {'status':>6} {'wall ms':>8} {'cpu ms':>7} {'queries':>7}")
    for name, role, request in pages(fixture):
        if args.page and name not in args.page:
            continue
        if role not in clients:
            clients[role] = _client(fixture["accounts"][role][-1])
        client = clients[role]
        for _ in range(3):
            request(client)
        queries: list[str] = []  # request_started clears connection.queries, so count with a wrapper
        with connection.execute_wrapper(_counter(queries)):
            response = request(client)
        cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        if args.profile:
            profiler.enable()
        for _ in range(args.requests):
            request(client)
        if args.profile:
            profiler.disable()
        cpu1, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - wall0
        cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        if args.sql:
            print("\n".join(f"    {sql[:300]}" for sql in queries))
        print(f"{name:32} {response.status_code:>6} {wall / args.requests * 1000:>8.1f} "
              f"{cpu / args.requests * 1000:>7.1f} {len(queries):>7}")
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
