"""python manage.py school_age DOB [--on DATE] --json"""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cme.law.school_age import school_age_summary


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Compulsory school age for a date of birth (Education Act 1996 s8; rules R1.1-R1.4): when it starts and "
        "ends, whether the child is of compulsory school age on a date, the expected national curriculum year "
        "(Reception = 0) and key stage, and whether the date of birth needs an officer's review (R1.3)."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("dob", type=iso_date, help="date of birth, YYYY-MM-DD")
        parser.add_argument("--on", type=iso_date, default=None, help="the date to answer for (default: today)")
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default output)")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = school_age_summary(options["dob"], options["on"] or timezone.localdate())
        self.stdout.write(json.dumps(summary))
