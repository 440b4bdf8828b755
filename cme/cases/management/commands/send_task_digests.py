from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from cme.cases.digests import digests_build, send_daily_digests


class Command(BaseCommand):
    help = (
        "Email each CME officer and attendance team manager one digest of their tasks and reasonable enquiries "
        "that are due today or overdue. Subjects never contain a child's name; cases are named by reference. "
        "Run once a day (e.g. 07:00)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                            help="the day to report for, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="count the digests without sending them")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            from django.utils import timezone

            digests = digests_build(on=options["on"] or timezone.localdate())
            self.stdout.write(f"Dry run: {len(digests)} digest(s) would be sent.")
            return
        sent = send_daily_digests(on=options["on"])
        self.stdout.write(self.style.SUCCESS(f"{sent} digest(s) sent."))
