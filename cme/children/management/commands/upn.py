"""python manage.py upn validate UPN... | upn generate --la 931 --count N"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cme.law import la_codes
from cme.law import upn as upns


class Command(BaseCommand):
    help = (
        "Unique Pupil Number tools. `upn validate UPN...` checks each UPN (13 characters, check letter, LA code) "
        "and exits 0 if all are valid, 1 otherwise, with a reason for each invalid one. "
        "`upn generate --la 931 --count N` prints N valid synthetic UPNs for that LA."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="check UPNs; exit 1 if any is invalid")
        validate.add_argument("upns", nargs="+", metavar="UPN")
        generate = sub.add_parser("generate", help="print valid synthetic UPNs")
        generate.add_argument("--la", required=True, help="3-digit LA code, e.g. 931")
        generate.add_argument("--count", type=int, default=10, help="how many (default 10)")
        generate.add_argument("--seed", type=int, default=0, help="random seed (same seed, same UPNs)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "validate":
            invalid = 0
            for value in options["upns"]:
                problems = upns.validate(value)
                if problems:
                    invalid += 1
                    self.stdout.write(f"{value}: invalid: {'; '.join(problems)}")
                else:
                    kind = "temporary" if upns.is_temporary(value) else "permanent"
                    self.stdout.write(f"{upns.normalise(value)}: valid ({kind})")
            if invalid:
                sys.exit(1)
            return
        la = options["la"]
        if la not in la_codes.LA_CODES:
            raise CommandError(f"{la} is not a known LA code")
        if options["count"] < 1:
            raise CommandError("--count must be at least 1")
        for value in upns.generate(la, options["count"], seed=options["seed"]):
            self.stdout.write(value)
