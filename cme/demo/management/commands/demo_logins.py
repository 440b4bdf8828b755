from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from cme.accounts.models import User
from cme.demo.users import DEMO_PASSWORD, DEMO_USERS, demo_totp_key, demo_totp_secret


class Command(BaseCommand):
    help = (
        "Print the demo sign-ins for each role: email, password, TOTP secret (for an authenticator app) "
        "and the current code."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(User.objects.filter(email__in=[u.email for u in DEMO_USERS]).values_list("email", flat=True))
        self.stdout.write("\nDemo sign-ins (synthetic data only). Open http://127.0.0.1:8000/\n")
        self.stdout.write(f"Password for every account: {DEMO_PASSWORD}\n")
        self.stdout.write(f"{'Role':26} {'Email':40} {'TOTP secret':34} Code now")
        for spec in DEMO_USERS:
            if spec.email not in existing:
                continue
            secret = demo_totp_secret(spec.email)  # every role uses two-factor (AUTH-3)
            code = f"{totp(bytes.fromhex(demo_totp_key(spec.email))):06d}"
            self.stdout.write(f"{spec.role.label:26} {spec.email:40} {secret:34} {code}")
        self.stdout.write("\nCurrent codes change every 30 s: `python manage.py demo_totp EMAIL` prints a fresh one.\n")
