from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cme.core.models import LocalAuthority
from cme.timetables.reminders import register_reminders_send


class Command(BaseCommand):
    help = (
        "Email today's register reminders: part-time timetable reviews due within 5 working days or overdue (to "
        "each school and to the attendance team) and EHE annual contacts (to the EHE team). One digest per "
        "recipient per day, with counts and a link, never a child's name. Safe to run more than once a day: what "
        "was sent is recorded and not sent again. Run daily (cron or `db_worker` with the timetables task)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None,
                            help="the day to send for, YYYY-MM-DD (default: today)")
        parser.add_argument("--la", default="", help="only this local authority (LA code, e.g. 931)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be sent; send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        la = None
        if options["la"]:
            la = LocalAuthority.objects.filter(code=options["la"]).first()
            if la is None:
                raise CommandError(f"No local authority with code {options['la']}.")
        on = options["on"] or timezone.localdate()
        run = register_reminders_send(on=on, local_authority=la, dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(self.style.SUCCESS(
            f"Register reminders for {on.day} {on:%B %Y}: {verb} {run.sent}, already sent today {run.already_sent}, "
            f"{run.local_authorities} local authorit{'y' if run.local_authorities == 1 else 'ies'}."
        ))
