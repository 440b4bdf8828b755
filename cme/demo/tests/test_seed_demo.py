"""The synthetic council loads consistently: the derived education status agrees with the generator's truth."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from cme.accounts.models import User
from cme.accounts.roles import Role
from cme.children.models import Child
from cme.children.selectors import child_list_queryset, child_status
from cme.children.status import EducationStatus
from cme.demo.loader import council_load
from cme.demo.users import DEMO_USERS, demo_totp_key, demo_totp_secret
from cme.law import postcode, upn
from cme.synthetic import generate_council

ON = dt.date(2026, 11, 27)
EXPECTED = {
    "on_roll": {EducationStatus.ON_ROLL},
    "ehe": {EducationStatus.EHE},
    "below_csa": {EducationStatus.BELOW_CSA},
    "above_csa": {EducationStatus.ABOVE_CSA},
    "moved_out_of_area": {EducationStatus.LEFT_AREA},
    "cme_left_no_destination": {EducationStatus.CME},
    "cme_never_started": {EducationStatus.CME},
    "cme_missed_transfer": {EducationStatus.CME},
    "cme_arrived_no_school": {EducationStatus.CME},
}


@pytest.fixture
def loaded(db: None, tmp_path: Path) -> Path:
    truth = tmp_path / "truth.csv"
    council_load(generate_council(children=1500, seed=7, on=ON), truth_path=truth)
    return truth


def test_derived_status_agrees_with_the_truth(loaded: Path) -> None:
    truth = {int(row["child_id"]): row["status"] for row in csv.DictReader(loaded.open())}
    children = child_list_queryset(Child.objects.filter(pk__in=truth))
    disagreements = Counter()
    for child in children:
        if child_status(child, ON) not in EXPECTED[truth[child.pk]]:
            disagreements[truth[child.pk]] += 1
    assert sum(disagreements.values()) <= len(truth) * 0.01, disagreements
    assert any(status.startswith("cme_") for status in truth.values())


def test_identifiers_are_valid_and_search_keys_are_set(loaded: Path) -> None:
    children = list(Child.objects.all())
    assert len(children) == 1500
    assert all(upn.is_valid(c.upn) for c in children if c.upn)
    assert all(postcode.is_valid(c.current_postcode) for c in children if c.current_postcode)
    assert all(c.surname_key and c.forename_phonetic for c in children)


def test_seed_demo_command_creates_every_demo_role(db: None, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--children", "300", "--on", ON.isoformat(), "-v", "0")
    assert set(User.objects.values_list("email", flat=True)) >= {u.email for u in DEMO_USERS}
    assert (tmp_path / "demo-truth.csv").exists()
    call_command("seed_demo", "--children", "300", "--if-empty", "-v", "0")  # idempotent with --if-empty
    assert Child.objects.count() == 300


def _documented_devices() -> dict[str, bool]:
    devices = TOTPDevice.objects.filter(user__email__in=[u.email for u in DEMO_USERS], confirmed=True)
    return {d.user.email: d.key == demo_totp_key(d.user.email) for d in devices.select_related("user")}


def test_every_demo_account_has_its_documented_authenticator(db: None, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    """AUTH-3: every role uses two-factor, so every demo account (school and partner users too) gets the TOTP key
    the README documents; a demo database made before that gets the missing ones on the next `make demo`."""
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--children", "300", "--on", ON.isoformat(), "--no-daily-run", "-v", "0")
    assert _documented_devices() == {u.email: True for u in DEMO_USERS}
    TOTPDevice.objects.filter(user__role__in=[Role.SCHOOL_USER, Role.PARTNER_USER]).delete()  # an older demo
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "Gave 4 demo accounts their authenticator" in out.getvalue()
    assert _documented_devices() == {u.email: True for u in DEMO_USERS}
    logins = StringIO()
    call_command("demo_logins", stdout=logins)
    school = next(u for u in DEMO_USERS if u.role == Role.SCHOOL_USER)
    assert demo_totp_secret(school.email) in logins.getvalue() and "no two-factor" not in logins.getvalue()


def test_seed_demo_runs_the_first_daily_run_for_a_small_council_and_leaves_it_ready_otherwise(
        db: None, tmp_path: Path, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Up to DAILY_RUN_MAX_CHILDREN the demo's triage queue holds the detected concerns; above it (or with
    --no-daily-run) the feed files and sources are ready and nothing has been imported yet."""
    from django.core.management import call_command

    from cme.demo import services
    from cme.feeds.models import FeedRun, FeedSource

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(services, "DAILY_RUN_MAX_CHILDREN", 299)  # 300 children: above the threshold
    call_command("seed_demo", "--children", "300", "--on", ON.isoformat(), "-v", "0")
    assert FeedSource.objects.filter(slug="school-feed").exists()
    assert (tmp_path / "feeds" / "demo" / "school-feed").is_dir()
    assert not FeedRun.objects.exists()
    call_command("run_feeds", "--on", ON.isoformat(), "-v", "0")  # the first daily run, as the command says
    assert FeedRun.objects.filter(status=FeedRun.Status.SUCCEEDED).exists()


def test_seed_demo_daily_run_flag_forces_the_first_run(db: None, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from cme.feeds.models import FeedRun

    settings.VAR_DIR = tmp_path
    call_command("seed_demo", "--children", "300", "--on", ON.isoformat(), "--daily-run", "-v", "0")
    assert FeedRun.objects.filter(status=FeedRun.Status.SUCCEEDED).exists()
