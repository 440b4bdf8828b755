from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from cme.privacy.services import retention_purge


class Command(BaseCommand):
    help = ("Apply the retention schedule (privacy.RetentionRule; R8.3): delete or anonymise records past their "
            "retention date, except children under a legal hold. Use --dry-run first to see the categories, "
            "counts and rules. Writes a destruction log (category, count, rule, when; no content). Idempotent.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="report what is due; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        lines = retention_purge(dry_run=options["dry_run"])
        for line in lines:
            self.stdout.write(f"{line.category}: {line.due} due, {line.done} {line.action}d  [{line.rule}]")
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(self.style.SUCCESS(
            f"{sum(line.due for line in lines)} records due; {sum(line.done for line in lines)} {verb} processed"
            if not options["dry_run"] else f"Dry run: {sum(line.due for line in lines)} records would be processed"))
