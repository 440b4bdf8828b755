from __future__ import annotations

import argparse
import datetime as dt
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from cme.children.models import Child
from cme.demo.services import DAILY_RUN_MAX_CHILDREN, DEMO_EXTENSIONS, demo_council_seed, truth_file
from cme.demo.users import demo_devices_ensure


class Command(BaseCommand):
    help = (
        "Build the synthetic demo council (LA 931): schools, families, children with school histories, contacts, "
        "risk flags, home education, and demo sign-ins for every role. Deterministic for a seed. Writes the "
        "hidden truth (who is really missing education) to var/demo-truth.csv. Synthetic data only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--children", type=int, default=20_000, help="how many children (default 20000)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same council)")
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                            help="the 'today' of the synthetic council, YYYY-MM-DD (default: today)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if children already exist")
        parser.add_argument(
            "--daily-run", action=argparse.BooleanOptionalAction, default=None,
            help=f"also run the first daily run (import the demo feed files, link, detect, raise concerns); default: "
                 f"yes up to {DAILY_RUN_MAX_CHILDREN:,} children, otherwise the files and sources are left ready "
                 f"for `manage.py run_feeds`")

    def handle(self, *args: Any, **options: Any) -> None:
        if (settings.SETTINGS_MODULE or "").endswith("production"):
            raise CommandError("seed_demo refuses to run with production settings.")
        if options["children"] < 1:
            raise CommandError("--children must be at least 1")
        if Child.objects.exists():
            if options["if_empty"]:
                added = demo_devices_ensure()  # a demo database from before every role needed two-factor
                self.stdout.write("The demo council is already loaded; nothing to do."
                                  + (f" Gave {added} demo accounts their authenticator." if added else ""))
                return
            raise CommandError("There are children in the database already. Use a fresh database.")
        started = time.monotonic()
        bar = tqdm(total=8 + len(DEMO_EXTENSIONS), desc="Building the demo council", unit="stage",
                   disable=options["verbosity"] == 0)

        def progress(stage: str, n: int) -> None:
            bar.set_postfix_str(f"{stage}: {n:,}")
            bar.update(1)

        report = demo_council_seed(children=options["children"], seed=options["seed"],
                                   on=options["on"] or timezone.localdate(), progress=progress,
                                   truth_path=truth_file(), daily_run=options["daily_run"])
        bar.close()
        summary = ", ".join(f"{n:,} {name}" for name, n in report.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo council built in {time.monotonic() - started:.1f} s: {summary}"))
        ran = options["daily_run"]
        if not (ran if ran is not None else options["children"] <= DAILY_RUN_MAX_CHILDREN):
            self.stdout.write("The feed files and sources are ready; run `python manage.py run_feeds` for the first "
                              "daily run (imports, linkage, detection and the concerns in the triage queue).")
