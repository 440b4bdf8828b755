"""Queries per page: the SQL statements each main page runs, at two data sizes (they must not grow with data).

    .venv/bin/python bench/queries_bench.py                 # the small and large seeded scratch databases
    .venv/bin/python bench/queries_bench.py --var-dir /tmp/cme-bench-q2k /tmp/cme-bench-seed-sqlite

Each database is a seeded scratch database (`seed_bench.py` / `seed_demo`). The demo CME officer is signed in
with the Django test client (two-factor passed as in cme/personas.py) and every page is fetched twice (the
second, warm, count is reported), counting statements with CaptureQueriesContext; the time is the warm fetch.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PYTHON, ROOT, SCRATCH, log  # noqa: E402

PAGES = [
    ("triage queue", "GET", "/triage/"),
    ("case list", "GET", "/cases/"),
    ("child search (POST, by name)", "POST", "/children/find/"),
    ("child page", "GET", "/children/{child}/"),
    ("dashboard", "GET", "/reports/"),
    ("children missing education list", "GET", "/reports/children-missing-education/"),
    ("schools", "GET", "/schools/"),
    ("feeds", "GET", "/feeds/"),
]


def measure() -> dict[str, object]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cme.accounts.models import User
    from cme.children.models import Child, ChildName

    user = User.objects.get(email="cme.officer@demo.example.org")
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # type: ignore[union-attr]
    session.save()
    la = user.local_authority
    child = Child.objects.filter(local_authority=la, is_restricted=False).order_by("pk")[10]
    name = ChildName.objects.filter(child=child, kind="legal").first()
    results = {}
    for label, method, path in PAGES:
        url = path.format(child=child.pk)
        count, status, seconds = 0, 0, 0.0
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                if method == "POST":
                    response = client.post(url, {"name": f"{name.forename} {name.surname}" if name else "Smith"})
                else:
                    response = client.get(url)
                seconds = time.perf_counter() - started
            count, status = len(queries), response.status_code
        results[label] = {"queries": count, "status": status, "ms": round(seconds * 1000)}
    return {"children": Child.objects.filter(local_authority=la).count(), "pages": results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--var-dir", nargs="+", default=[str(SCRATCH / "cme-bench-queries-small"),
                                                        str(SCRATCH / "cme-bench-seed-sqlite")],
                        help="seeded scratch folders (each holds db.sqlite3), smallest first")
    parser.add_argument("--database-url", nargs="+", help="DATABASE_URLs instead (same order as --var-dir)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure()))
        return
    runs = []
    for i, var in enumerate(args.var_dir):
        url = args.database_url[i] if args.database_url else f"sqlite:///{Path(var) / 'db.sqlite3'}"
        log(f"queries: {url}")
        env = {**os.environ, "CME_VAR_DIR": var, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "cme.settings.dev",
               "DEBUG": "False", "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "ERROR"}
        done = subprocess.run([PYTHON, __file__, "--measure"], cwd=ROOT, env=env, check=True,  # noqa: S603
                              capture_output=True, text=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    sizes = [f"{r['children']:,} children" for r in runs]
    print("### Queries per page (demo CME officer, warm second fetch)\n")
    print("| page | " + " | ".join(f"queries at {s}" for s in sizes) + " | grows? | "
          + " | ".join(f"ms at {s}" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes) + "---|" + "---:|" * len(sizes))
    for label, _, _ in PAGES:
        cells = [r["pages"][label] for r in runs]
        counts = [f"{c['queries']}" + ("" if c["status"] == 200 else f" (HTTP {c['status']})") for c in cells]
        grows = ("**yes**" if len({c["queries"] for c in cells}) > 1 else "no") if len(cells) > 1 else "- (one size)"
        print(f"| {label} | " + " | ".join(counts) + f" | {grows} | " + " | ".join(str(c["ms"]) for c in cells) + " |")
    print()


if __name__ == "__main__":
    main()
