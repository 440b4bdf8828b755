from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from cme.demo.users import DEMO_USERS, demo_totp_key


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo only; real users use an authenticator app)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email", help="a demo account's email, e.g. cme.officer@demo.example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["email"] not in {u.email for u in DEMO_USERS}:
            raise CommandError("Only the demo accounts have a known two-factor key.")
        self.stdout.write(f"{totp(bytes.fromhex(demo_totp_key(options['email']))):06d}")
