"""Demo sign-ins, one per role. Synthetic accounts for a demo database only (never production)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.core.models import LocalAuthority, Organisation

DEMO_PASSWORD = "demo-password-931"  # noqa: S105 - documented demo credential for synthetic data only
DEMO_DOMAIN = "demo.example.org"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: Role
    organisation: str = ""  # "school" / "school2" / "police" / "health" / "la"


DEMO_USERS: list[DemoUser] = [
    DemoUser(f"cme.officer@{DEMO_DOMAIN}", "Priya Shah", Role.CME_OFFICER, "la"),
    DemoUser(f"attendance.manager@{DEMO_DOMAIN}", "Gareth Hughes", Role.ATTENDANCE_MANAGER, "la"),
    DemoUser(f"ehe.officer@{DEMO_DOMAIN}", "Funmi Adeyemi", Role.EHE_OFFICER, "la"),
    DemoUser(f"school.user@{DEMO_DOMAIN}", "Claire Walsh", Role.SCHOOL_USER, "school"),
    DemoUser(f"school.user2@{DEMO_DOMAIN}", "Tomasz Nowak", Role.SCHOOL_USER, "school2"),
    DemoUser(f"police.partner@{DEMO_DOMAIN}", "Sgt Dean Morris", Role.PARTNER_USER, "police"),
    DemoUser(f"health.partner@{DEMO_DOMAIN}", "Aisha Rahman", Role.PARTNER_USER, "health"),
    DemoUser(f"panel.member@{DEMO_DOMAIN}", "Helen Carter", Role.PANEL_MEMBER, "la"),
    DemoUser(f"readonly.manager@{DEMO_DOMAIN}", "Marcus Reid", Role.READONLY_MANAGER, "la"),
    DemoUser(f"system.admin@{DEMO_DOMAIN}", "Olu Bankole", Role.SYSTEM_ADMIN, "la"),
    DemoUser(f"dpo@{DEMO_DOMAIN}", "Ruth Okafor", Role.DATA_PROTECTION_OFFICER, "la"),
]


def demo_totp_key(email: str) -> str:
    """A fixed TOTP key per demo account (hex), so the README can document it."""
    return hashlib.sha1(f"cme-demo-totp:{email}".encode(), usedforsecurity=False).hexdigest()


def demo_totp_secret(email: str) -> str:
    """The same key in base32, as an authenticator app expects it."""
    return base64.b32encode(bytes.fromhex(demo_totp_key(email))).decode("ascii")


@transaction.atomic
def demo_users_ensure(*, la: LocalAuthority, organisations: dict[str, Organisation]) -> list[User]:
    users = []
    for spec in DEMO_USERS:
        org = organisations.get(spec.organisation)
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                spec.email, DEMO_PASSWORD, full_name=spec.full_name, role=spec.role, local_authority=la,
                organisation=org, is_superuser=spec.role == Role.SYSTEM_ADMIN,
            )
        _demo_device_ensure(user)
        users.append(user)
    return users


def _demo_device_ensure(user: User) -> bool:
    """Give a demo account its documented authenticator (every role needs two-factor, AUTH-3). True if added."""
    if not user.requires_mfa or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return False
    TOTPDevice.objects.create(user=user, name="Demo authenticator", key=demo_totp_key(user.email), confirmed=True)
    return True


@transaction.atomic
def demo_devices_ensure() -> int:
    """For a demo database built before school and partner users needed two-factor: give the demo accounts that
    have none their documented authenticator. Returns how many were added."""
    users = User.objects.filter(email__in=[spec.email for spec in DEMO_USERS]).order_by("pk")
    return sum(_demo_device_ensure(user) for user in users)
