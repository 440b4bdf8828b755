from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from cme.cases.digests import escalate_missed_timescales


class Command(BaseCommand):
    help = (
        "Escalate reasonable enquiries that missed their timescale (R2.5) on open cases: one task for the attendance "
        "team managers per missed enquiry, and one email to each manager listing them. Safe to run repeatedly: "
        "nothing is escalated twice. Also refreshes every open case's derived priority. Run once a day."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                            help="the day to check against, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = escalate_missed_timescales(on=options["on"])
        self.stdout.write(self.style.SUCCESS(
            f"{report.tasks} missed timescale(s) escalated, {report.emails} email(s) sent, "
            f"{report.priorities_changed} case priorities changed."
        ))
