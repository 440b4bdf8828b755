"""Run in a subprocess by test_kill.py (not a test module): set up, import (optionally SIGKILL half-way), dump.

    python killable_import.py setup FOLDER      migrate the database in DATABASE_URL, add an LA, a school,
                                                children and the feed sources reading FOLDER
    python killable_import.py import [STAGE:N]  the daily import under the run lock, then print the dump; SIGKILL
                                                itself when the import reaches checkpoint STAGE number N
    python killable_import.py dump              print the canonical dump of the data as JSON
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from pathlib import Path

ON = dt.date(2026, 11, 27)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings.test")
    import django

    django.setup()
    command = sys.argv[1]
    if command == "setup":
        setup(Path(sys.argv[2]))
    elif command == "import":
        run_import(sys.argv[2] if len(sys.argv) > 2 else "")
        dump()
    elif command == "dump":
        dump()


def dump() -> None:
    from cme.feeds.tests.conftest import canonical_dump

    print(json.dumps(canonical_dump(), default=str, sort_keys=True))


def setup(folder: Path) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cme.children.models import Child, Enrolment, School
    from cme.children.services import apply_search_keys
    from cme.core.models import LocalAuthority
    from cme.feeds.models import FeedSource
    from cme.law import upn as upns

    la = LocalAuthority.objects.create(code="931", name="Testshire")
    school = School.objects.create(local_authority=la, laestab="9312001", name="School A", phase="primary",
                                   establishment_type="community")
    for i in range(1, 31):
        child = Child(local_authority=la, legal_forename=f"Pupil{i}", legal_surname="Thompson",
                      date_of_birth=dt.date(2016, 5, 14), upn=upns.make_upn("931", "2001", 20, i))
        apply_search_keys(child)
        child.save()
        if i % 3 == 0:
            Enrolment.objects.create(child=child, school=school, start=dt.date(2021, 9, 1))
    FeedSource.objects.create(local_authority=la, slug="school-feed", name="School feed", kind="wonde_school_feed",
                              source="school_feed", transport="folder", folder_path=str(folder / "school-feed"),
                              create_children=True)
    FeedSource.objects.create(local_authority=la, slug="health", name="Health", kind="csv_extract",
                              source="health", transport="folder", folder_path=str(folder / "health"))


def run_import(kill_at: str) -> None:
    from cme.audit.services import Auditor
    from cme.core.models import LocalAuthority
    from cme.feeds import services

    if kill_at:
        stage, _, number = kill_at.partition(":")

        def checkpoint(at: str, index: int) -> None:
            if at == stage and index == int(number):
                os.kill(os.getpid(), signal.SIGKILL)

        services._checkpoint = checkpoint  # type: ignore[assignment]
    holder = services.lock_holder_name()
    if not services.lock_acquire(holder=holder):
        print("busy")
        return
    try:
        services.feeds_run_all(actor=Auditor.system("tests"), local_authority=LocalAuthority.objects.get(),
                               on=ON)
    finally:
        services.lock_release(holder=holder)


if __name__ == "__main__":
    main()
